"""python manage.py store_pixels [SLUG ...] [--prune]: store the encoded slices of open studies.

Opening a study queues this work for the background worker. Run it by hand when the stored files
are missing or stale: after restoring volumes from a backup, or after a zlib upgrade (zlib's
version is part of each file's key, so files of the old build are no longer used). ``--prune``
then deletes the files no current encoding reads.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from readerstudy.reading.pixels import store as pixel_store
from readerstudy.reading.pixels.payload import STORED_ENCODING
from readerstudy.reading.tasks import series_of_panes, store_series_pixels
from readerstudy.studies.models import Study


class Command(BaseCommand):
    help = "Encode and store the pane slices of open studies (all, or those named)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Studies to store (default: every open one).")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Also delete stored files of other encodings or zlib builds.",
        )

    def handle(self, *args, slugs, prune, **options):
        studies = Study.objects.filter(status=Study.Status.OPEN)
        if slugs:
            found = set(Study.objects.filter(slug__in=slugs).values_list("slug", flat=True))
            if unknown := sorted(set(slugs) - found):
                raise CommandError(f"No study with the slug(s): {', '.join(unknown)}.")
            studies = Study.objects.filter(slug__in=slugs)
        for study in studies.order_by("slug"):
            series_ids = series_of_panes(study)
            started = time.perf_counter()
            stored = store_series_pixels(series_ids)
            self.stdout.write(
                f"{study.slug}: {stored} series stored, {len(series_ids) - stored} already "
                f"there or failed (the log names failures), {time.perf_counter() - started:.1f} s."
            )
        if prune:
            removed = pixel_store.prune(keep=STORED_ENCODING)
            self.stdout.write(f"Deleted {removed} stored file(s) of other encodings.")
