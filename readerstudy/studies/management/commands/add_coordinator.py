from readerstudy.studies.management.commands.add_reader import BaseCommand, add_member
from readerstudy.studies.models import Membership


class Command(BaseCommand):
    help = "Add a coordinator to a study (creates the account if new)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("username")
        parser.add_argument("--site", default="", help="Optional: the coordinator's site.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", default=None, help="Without it, a one-time set-password link is printed."
        )

    def handle(self, *args, slug, username, site, email, password, **options):
        add_member(
            self,
            slug=slug,
            username=username,
            role=Membership.Role.COORDINATOR,
            site=site,
            email=email,
            password=password,
        )
