"""python manage.py purge_uploads: delete failed imports' uploads after UPLOAD_RETENTION_DAYS."""

from django.core.management.base import BaseCommand

from readerstudy.imaging.services.retention import retention, uploads_purge


class Command(BaseCommand):
    help = (
        "Delete the zips and manifests of failed imports, and unfinished resumable uploads, older "
        "than UPLOAD_RETENTION_DAYS (default 7). Takes no arguments; the worker runs it daily."
    )

    def handle(self, *args, **options) -> None:
        report = uploads_purge()
        self.stdout.write(f"{report.as_text()} (retention {retention().days} days)")
