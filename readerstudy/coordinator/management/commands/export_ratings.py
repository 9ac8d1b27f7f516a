from django.core.management.base import BaseCommand

from readerstudy.coordinator.management.base import write_export


class Command(BaseCommand):
    help = (
        "Export a study's submitted ratings, one row per score: study, site, reader, reader_site, "
        "case, sequence, arm, criterion, score, task, pane, position, read_order, started_at, "
        "submitted_at, duration_s."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--out", required=True, help="File to write (.csv or .xlsx).")
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], default=None, help="Default: from --out's suffix."
        )

    def handle(self, *args, slug, out, format, **options):
        write_export(self, slug=slug, kind="ratings", out=out, fmt=format)
