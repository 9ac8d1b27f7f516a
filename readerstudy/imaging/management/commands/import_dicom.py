"""python manage.py import_dicom STUDY_SLUG (PATH | --inbox) [--manifest FILE] [--dry-run]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from readerstudy.imaging.intake.progress import TqdmProgress
from readerstudy.imaging.services.inbox import EMPTY, inbox_import
from readerstudy.imaging.services.intake import ImportRefused, import_dicom
from readerstudy.studies.models import Study


class Command(BaseCommand):
    help = (
        "Import a folder or zip of DICOM files into a draft study. Series are mapped to case, "
        "site, sequence and arm by a manifest CSV (columns case, site, sequence, arm and "
        "series_uid or path) or, without one, by the study's import rules."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("study_slug")
        parser.add_argument("path", nargs="?", help="A folder or a .zip of DICOM files.")
        parser.add_argument(
            "--inbox",
            action="store_true",
            help="Import what PACS sent to the study's inbox (C-STORE, STOW-RS) instead.",
        )
        parser.add_argument("--manifest", help="CSV mapping series to case/site/sequence/arm.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, store nothing."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options) -> None:
        study = Study.objects.filter(slug=options["study_slug"]).first()
        if study is None:
            raise CommandError(f"There is no study with the slug '{options['study_slug']}'.")
        if bool(options["path"]) == bool(options["inbox"]):
            raise CommandError("Give either a PATH to import or --inbox, not both or neither.")
        progress = TqdmProgress(disable=options["no_progress"])
        try:
            if options["inbox"]:
                report = inbox_import(
                    study=study,
                    manifest=options["manifest"],
                    dry_run=options["dry_run"],
                    progress=progress,
                )
            else:
                report = import_dicom(
                    study=study,
                    path=options["path"],
                    manifest=options["manifest"],
                    dry_run=options["dry_run"],
                    progress=progress,
                )
        except ImportRefused as error:
            raise CommandError(f"Import refused: {error}") from None
        finally:
            progress.close()
        self.stdout.write(report.as_text())
        if options["inbox"] and EMPTY in report.warnings:
            return  # nothing waiting: a no-op, not a failure
        if report.failed:
            raise CommandError("Nothing could be imported; see the reasons above.")
