"""python manage.py make_demo_study: two ready-to-use demo studies built through the real paths.

- ``demo``: the glioma template with three sites, one reader per site and a coordinator; phantom
  DICOM (``phantom_dicom.write_study_dicom``) written under VAR_DIR and imported with
  ``import_dicom`` and the phantom's manifest, exactly as a coordinator would; ROIs placed on the
  phantom's tissue masks; opened, so the readers can start at once.
- ``demo-completed``: the same phantom data imported into a second study with the same people,
  opened, every task filled with simulated scores through the reading services (draft, then
  submit), and analysed once, so the coordinator finds a full report on the Analysis page.

Running it again changes nothing and says so.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from readerstudy.demo.phantom.dicom import write_study_dicom
from readerstudy.imaging.management.commands.import_dicom import TqdmProgress
from readerstudy.imaging.models import Series
from readerstudy.imaging.services.intake import ImportRefused, import_dicom
from readerstudy.studies.models import Membership, Study
from readerstudy.studies.services import membership_grant, site_add, study_create

SLUG = "demo"
TITLE = "Demo: DL-enhanced glioma MRI"
COMPLETED_SLUG = "demo-completed"
COMPLETED_TITLE = "Demo: completed study with simulated scores"
TEMPLATE = "glioma_dl_template"
SITES = [("NYU", "USA", "NYU"), ("Severance", "Korea", "SEV"), ("SNUH", "Korea", "SNUH")]
COORDINATOR = ("coordinator", "demo-coordinator")
READERS = {"NYU": "reader-nyu", "Severance": "reader-severance", "SNUH": "reader-snuh"}
READER_PASSWORD = "demo-reader"


def demo_cases(count: int) -> list[tuple[str, str]]:
    """(case identifier, site) pairs, split as evenly as possible across the three sites."""
    cases = []
    for index in range(count):
        site, _, prefix = SITES[index * len(SITES) // count]
        number = sum(1 for _, s in cases if s == site) + 1
        cases.append((f"{prefix}-{number:02d}", site))
    return cases


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
        self.options = options
        self.folder: Path | None = None
        coordinator = self._study(SLUG, TITLE)
        self._study(COMPLETED_SLUG, COMPLETED_TITLE, completed=True)
        self.stdout.write(f"Both demo studies took {time.perf_counter() - started:.1f} s.")
        self._logins(coordinator)

    # One study, from creation to open (and, for the completed one, scores and an analysis).

    def _study(self, slug: str, title: str, *, completed: bool = False):
        study = Study.objects.filter(slug=slug).first()
        existed = study is not None
        if study is None:
            study = study_create(slug=slug, title=title, template=TEMPLATE)
        sites = {}
        for name, country, _ in SITES:
            sites[name] = site_add(study=study, name=name, country=country, exist_ok=True)
        coordinator = self._people(study, sites)
        changes = []
        if study.is_draft:
            imported = self._import(study)
            if imported:
                changes.append(f"{imported} series imported")
        placed = self._rois(study, coordinator)
        if placed:
            changes.append(f"{placed} ROIs placed")
        if study.is_draft:
            self._open(study, coordinator)
            changes.append("opened for reading")
        if completed and study.is_open:
            changes += self._complete(study, coordinator)
        cases = study.cases.count()
        series = Series.objects.filter(case__study=study).count()
        state = f"{cases} cases, {series} series"
        if completed:
            state += f", {self._submitted(study)} submitted tasks"
        if existed and not changes:
            self.stdout.write(
                f"The demo study '{slug}' already exists ({state}); nothing was changed."
            )
        else:
            self.stdout.write(f"Demo study '{slug}' is ready: {state} ({'; '.join(changes)}).")
        return coordinator

    def _people(self, study: Study, sites: dict):
        """The coordinator and one reader per site; the same accounts serve both studies."""
        wanted = [(COORDINATOR[0], COORDINATOR[1], Membership.Role.COORDINATOR, None)] + [
            (READERS[name], READER_PASSWORD, Membership.Role.READER, sites[name])
            for name in READERS
        ]
        users = get_user_model().objects
        for username, password, role, site in wanted:
            if Membership.objects.filter(study=study, user__username=username, role=role).exists():
                continue
            exists = users.filter(username=username).exists()
            membership_grant(
                study=study,
                username=username,
                role=role,
                site=site,
                password=None if exists else password,
            )
        return users.get(username=COORDINATOR[0])

    def _import(self, study: Study) -> int:
        folder = self._write_dicom()
        progress = TqdmProgress(stream=self._bar_stream(), disable=self.options["no_progress"])
        try:
            report = import_dicom(
                study=study, path=folder, manifest=folder / "manifest.csv", progress=progress
            )
        except ImportRefused as error:
            message = f"The demo import into '{study.slug}' was refused: {error}"
            raise CommandError(message) from None
        if report.rejected or report.unmatched:
            self.stdout.write(report.as_text())
            raise CommandError(f"The demo import into '{study.slug}' rejected series; see above.")
        return len(report.imported)

    def _rois(self, study: Study, coordinator) -> int:
        from readerstudy.demo.rois import roi_place_demo

        # A re-run places nothing and audits nothing (roi_place_demo skips placed ROIs).
        placement = roi_place_demo(
            study=study,
            seed=self.options["seed"],
            matrix=self.options["matrix"],
            slices=self.options["slices"],
            actor=coordinator,
        )
        if placement.missing:
            self.stdout.write(
                f"ROIs of '{study.slug}' not placed ({len(placement.missing)}): "
                + "; ".join(placement.missing[:5])
                + ("; ..." if len(placement.missing) > 5 else "")
            )
        return placement.placed

    def _open(self, study: Study, coordinator) -> None:
        from readerstudy.reading.services import study_open

        try:
            study_open(study=study, seed=self.options["seed"], actor=coordinator)
        except ValidationError as error:
            raise CommandError(
                f"The demo study '{study.slug}' cannot open: {' '.join(error.messages)}"
            ) from None
        study.refresh_from_db()

    def _complete(self, study: Study, coordinator) -> list[str]:
        """Simulated scores for every open task, then one analysis run if none finished yet."""
        from readerstudy.analysis.models import AnalysisRun
        from readerstudy.analysis.services import analysis_run
        from readerstudy.demo.scores import demo_scores_submit

        changes = []
        started = time.perf_counter()
        scores = demo_scores_submit(study=study, seed=self.options["seed"])
        if scores.submitted:
            changes.append(
                f"{scores.submitted} tasks scored and submitted in "
                f"{time.perf_counter() - started:.1f} s"
            )
        done = AnalysisRun.objects.filter(study=study, status=AnalysisRun.Status.DONE)
        if scores.submitted or not done.exists():
            started = time.perf_counter()
            run = analysis_run(study=study, actor=coordinator, background=False)
            if run.status == AnalysisRun.Status.DONE:
                changes.append(f"analysed in {time.perf_counter() - started:.1f} s")
            else:
                # The study is still usable; the Analysis page shows the error and can rerun.
                self.stderr.write(f"The analysis of '{study.slug}' failed: {run.error}")
        return changes

    def _submitted(self, study: Study) -> int:
        from readerstudy.reading.models import Assignment

        return Assignment.objects.filter(study=study, status=Assignment.Status.SUBMITTED).count()

    def _write_dicom(self) -> Path:
        """Write the phantom DICOM once per parameter set; later runs and studies reuse it."""
        if self.folder is not None:
            return self.folder
        options = self.options
        name = (
            f"seed{options['seed']}-cases{options['cases']}-m{options['matrix']}"
            f"-s{options['slices']}"
        )
        folder = Path(settings.VAR_DIR) / "demo-dicom" / name
        self.folder = folder
        if (folder / "manifest.csv").exists():
            return folder
        folder.mkdir(parents=True, exist_ok=True)
        cases = demo_cases(options["cases"])
        with tqdm(
            total=len(cases),
            desc="Writing phantom DICOM",
            file=self._bar_stream(),
            disable=options["no_progress"],
        ) as bar:
            write_study_dicom(
                folder,
                cases=cases,
                seed=options["seed"],
                matrix=options["matrix"],
                slices=options["slices"],
                progress=lambda done, total: bar.update(done - bar.n),
            )
        return folder

    def _bar_stream(self):
        # Progress bars redraw with "\r"; Django's OutputWrapper would add a newline per write.
        return getattr(self.stderr, "_out", self.stderr)

    def _logins(self, coordinator) -> None:
        studies = f"{SLUG}, {COMPLETED_SLUG}"
        rows = [
            ("Role", "Username", "Password", "Site", "Studies"),
            ("coordinator", *COORDINATOR, "—", studies),
        ]
        rows += [("reader", user, READER_PASSWORD, site, studies) for site, user in READERS.items()]
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
