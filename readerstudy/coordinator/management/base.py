"""What the coordinator's commands share: adding a member, and writing an export to a file."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from readerstudy.coordinator.exports.files import study_export
from readerstudy.coordinator.services.people import membership_add
from readerstudy.studies.models import Membership, Study


class MemberCommand(BaseCommand):
    role = Membership.Role.READER

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("username")
        if self.role == Membership.Role.READER:
            parser.add_argument("--site", required=True, help="Name of one of the study's sites.")
        else:
            parser.add_argument("--site", default="", help="Optional: their site.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", default=None, help="Without it, a one-time set-password link is printed."
        )

    def handle(self, *args, slug, username, site, email, password, **options):
        study = Study.objects.filter(slug=slug).first()
        if study is None:
            raise CommandError(f"No study with the slug {slug!r}.")
        try:
            membership, link = membership_add(
                study=study,
                username=username,
                role=self.role,
                site_name=site,
                email=email,
                password=password,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        where = f" at {membership.site.name}" if membership.site else ""
        self.stdout.write(
            self.style.SUCCESS(f"{username} is now a {self.role} of {slug!r}{where}.")
        )
        if link:
            self.stdout.write(f"One-time link to set the password: {link}")


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
