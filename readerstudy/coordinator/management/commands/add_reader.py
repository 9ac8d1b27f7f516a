"""python manage.py add_reader SLUG USERNAME --site NAME [--email E] [--password P]"""

from readerstudy.coordinator.management.base import MemberCommand
from readerstudy.studies.models import Membership


class Command(MemberCommand):
    help = "Add a reader to a study, on a site (creates the account if new)."
    role = Membership.Role.READER
