from django.core.management.base import BaseCommand

from readerstudy.coordinator.exports.files import EXPORT_KINDS
from readerstudy.coordinator.management.base import write_export


class Command(BaseCommand):
    help = (
        "Export one of a study's tables: ratings (one row per score), wide (one row per "
        "reader × case × sequence × arm), key (unblinding key), provenance, audit."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("kind", choices=sorted(EXPORT_KINDS))
        parser.add_argument("--out", required=True, help="File to write (.csv or .xlsx).")
        parser.add_argument("--format", choices=["csv", "xlsx"], default=None)

    def handle(self, *args, slug, kind, out, format, **options):
        write_export(self, slug=slug, kind=kind, out=out, fmt=format)
