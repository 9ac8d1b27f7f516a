"""python manage.py make_demo_study: a ready-to-read demo built through the real import path.

Builds the study ``demo`` from the glioma template with three sites, one reader per site and a
coordinator, writes phantom DICOM (``phantom_dicom.write_study_dicom``) under VAR_DIR, and
imports it with ``import_dicom`` and the phantom's manifest, exactly as a coordinator would.
Running it again changes nothing and says so. It does not open the study.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from readerstudy.imaging.management.commands.import_dicom import TqdmProgress
from readerstudy.imaging.models import Series
from readerstudy.imaging.phantom_dicom import write_study_dicom
from readerstudy.imaging.services import ImportRefused, import_dicom
from readerstudy.studies.models import Membership, Study
from readerstudy.studies.services import membership_grant, site_get_or_create, study_create

SLUG = "demo"
TITLE = "Demo: DL-enhanced glioma MRI"
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
    help = "Build the demo study (phantom DICOM through the real import); safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cases", type=int, default=12, help="Number of cases (default 12).")
        parser.add_argument("--matrix", type=int, default=256, help="Matrix size (default 256).")
        parser.add_argument("--slices", type=int, default=24, help="Slices per series (24).")
        parser.add_argument("--seed", type=int, default=2025, help="Phantom seed (default 2025).")
        parser.add_argument("--no-progress", action="store_true", help="Hide progress bars.")

    def handle(self, *args, **options) -> None:
        if options["cases"] < 1:
            raise CommandError("--cases must be at least 1.")
        study = Study.objects.filter(slug=SLUG).first()
        existed = study is not None
        if study is None:
            study = study_create(slug=SLUG, title=TITLE, template=TEMPLATE)
        sites = {}
        for name, country, _ in SITES:
            sites[name], _ = site_get_or_create(study=study, name=name, country=country)
        self._people(study, sites)
        if not study.is_draft:
            self.stdout.write(
                f"The demo study '{SLUG}' already exists and is {study.get_status_display()}; "
                "nothing was changed."
            )
            self._logins()
            return

        folder = self._write_dicom(options)
        try:
            report = import_dicom(
                study=study,
                path=folder,
                manifest=folder / "manifest.csv",
                progress=TqdmProgress(stream=self._bar_stream(), disable=options["no_progress"]),
            )
        except ImportRefused as error:
            raise CommandError(f"The demo import was refused: {error}") from None
        if report.rejected or report.unmatched:
            self.stdout.write(report.as_text())
            raise CommandError("The demo import rejected series; see the report above.")
        series = Series.objects.filter(case__study=study).count()
        cases = study.cases.count()
        if existed and not report.imported:
            self.stdout.write(
                f"The demo study '{SLUG}' already exists ({cases} cases, {series} series); "
                "nothing was changed."
            )
        else:
            self.stdout.write(
                f"Demo study '{SLUG}' is ready: {cases} cases, {series} series "
                f"({len(report.imported)} imported now, {len(report.skipped)} already there). "
                "It is still a draft: open it to build the reading schedules."
            )
        self._logins()

    def _people(self, study: Study, sites: dict) -> None:
        """The coordinator and one reader per site; existing accounts are left as they are."""
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

    def _write_dicom(self, options) -> Path:
        """Write the phantom DICOM once per parameter set; later runs reuse it."""
        name = (
            f"seed{options['seed']}-cases{options['cases']}-m{options['matrix']}"
            f"-s{options['slices']}"
        )
        folder = Path(settings.VAR_DIR) / "demo-dicom" / name
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

    def _logins(self) -> None:
        rows = [("Role", "Username", "Password", "Site"), ("coordinator", *COORDINATOR, "—")]
        rows += [("reader", user, READER_PASSWORD, site) for site, user in READERS.items()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        for index, row in enumerate(rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
