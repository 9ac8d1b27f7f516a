from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Membership, Study
from readerstudy.studies.services.people import schedule_late_reader, set_password_link
from readerstudy.studies.services.study import membership_grant


def add_member(command: BaseCommand, *, slug, username, role, site, email, password) -> None:
    """Shared by add_reader and add_coordinator: grant the role, then say how to sign in."""
    study = Study.objects.filter(slug=slug).first()
    if study is None:
        raise CommandError(f"No study with the slug {slug!r}.")
    site_obj = None
    if site:
        site_obj = study.sites.filter(name=site).first()
        if site_obj is None:
            known = ", ".join(study.sites.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"The study {slug!r} has no site named {site!r} (sites: {known}).")
    try:
        membership = membership_grant(
            study=study,
            username=username,
            role=role,
            site=site_obj,
            email=email or "",
            password=password,
        )
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
    user = membership.user
    if password and not user.check_password(password):
        # An existing account: the password is only set for new ones, unless asked explicitly.
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(action="account.password_set", study=study, target=user, data={"via": "cli"})
    where = f" at {site_obj.name}" if site_obj else ""
    command.stdout.write(command.style.SUCCESS(f"{username} is now a {role} of {slug!r}{where}."))
    if not user.has_usable_password():
        command.stdout.write(f"One-time link to set the password: {set_password_link(user)}")
    schedule_late_reader(study, membership)


class Command(BaseCommand):
    help = "Add a reader to a study, on a site (creates the account if new)."
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
        add_member(
            self,
            slug=slug,
            username=username,
            role=self.role,
            site=site,
            email=email,
            password=password,
        )
