from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from readerstudy.coordinator.exports.files import EXPORT_KINDS, study_export
from readerstudy.studies.models import Study


def write_export(command: BaseCommand, *, slug: str, kind: str, out: str, fmt: str | None) -> None:
    """Shared by export_ratings and export_table: build, write, report. Audited as via=cli."""
    study = Study.objects.filter(slug=slug).first()
    if study is None:
        raise CommandError(f"No study with the slug {slug!r}.")
    path = Path(out)
    fmt = fmt or (path.suffix.lower().lstrip(".") if path.suffix else "csv")
    if fmt not in ("csv", "xlsx"):
        raise CommandError(f"Unknown format {fmt!r} (from --out {out!r}); use csv or xlsx.")
    try:
        export = study_export(study=study, kind=kind, fmt=fmt, via="cli")
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
    if not path.parent.exists():
        raise CommandError(f"The folder {str(path.parent)!r} does not exist.")
    path.write_bytes(export.content)
    command.stdout.write(
        command.style.SUCCESS(f"Wrote {export.rows} rows of {kind} for {slug!r} to {path}.")
    )


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
