"""python manage.py make_demo_study: the two demo studies (``readerstudy.demo.studies``)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from readerstudy.demo.cases import demo_cases
from readerstudy.demo.studies import (
    COMPLETED_SLUG,
    COMPLETED_TITLE,
    SLUG,
    TITLE,
    DemoFailed,
    DemoOptions,
    demo_dicom_folder,
    demo_dicom_path,
    demo_logins,
    demo_study_build,
)
from readerstudy.imaging.intake.progress import TqdmProgress


class Command(BaseCommand):
    help = (
        "Build the demo study and the completed demo study (phantom DICOM through the real "
        "import, ROIs, simulated scores, an analysis); safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cases", type=int, default=12, help="Number of cases (default 12).")
        parser.add_argument("--matrix", type=int, default=256, help="Matrix size (default 256).")
        parser.add_argument("--slices", type=int, default=24, help="Slices per series (24).")
        parser.add_argument("--seed", type=int, default=2025, help="Phantom seed (default 2025).")
        parser.add_argument("--no-progress", action="store_true", help="Hide progress bars.")

    def handle(self, *args, **options) -> None:
        if options["cases"] < 1:
            raise CommandError("--cases must be at least 1.")
        started = time.perf_counter()
        self.no_progress = options["no_progress"]
        demo = DemoOptions(
            cases=options["cases"],
            matrix=options["matrix"],
            slices=options["slices"],
            seed=options["seed"],
        )
        for slug, title, completed in [
            (SLUG, TITLE, False),
            (COMPLETED_SLUG, COMPLETED_TITLE, True),
        ]:
            progress = TqdmProgress(stream=self._bar_stream(), disable=self.no_progress)
            try:
                build = demo_study_build(
                    slug=slug,
                    title=title,
                    options=demo,
                    dicom_folder=lambda: self._dicom_folder(demo),
                    import_progress=progress,
                    completed=completed,
                )
            except DemoFailed as error:
                raise CommandError(str(error)) from None
            finally:
                progress.close()
            for note in build.notes:
                self.stdout.write(note)
            self.stdout.write(build.summary)
        self.stdout.write(f"Both demo studies took {time.perf_counter() - started:.1f} s.")
        self._logins()

    def _dicom_folder(self, demo: DemoOptions):
        if (demo_dicom_path(demo) / "manifest.csv").exists():
            return demo_dicom_path(demo)
        with tqdm(
            total=len(demo_cases(demo.cases)),
            desc="Writing phantom DICOM",
            file=self._bar_stream(),
            disable=self.no_progress,
        ) as bar:
            return demo_dicom_folder(demo, progress=lambda done, total: bar.update(done - bar.n))

    def _bar_stream(self):
        # Progress bars redraw with "\r"; Django's OutputWrapper would add a newline per write.
        return getattr(self.stderr, "_out", self.stderr)

    def _logins(self) -> None:
        rows = demo_logins()
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("")
        for index, row in enumerate(rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(
            f"Readers start at {settings.SITE_URL}/read/. The coordinator finds the completed "
            f"study's report at {settings.SITE_URL}/studies/{COMPLETED_SLUG}/analysis/."
        )
