"""python manage.py add_coordinator SLUG USERNAME [--email E] [--password P]"""

from readerstudy.coordinator.management.base import MemberCommand
from readerstudy.studies.models import Membership


class Command(MemberCommand):
    help = "Add a coordinator to a study (creates the account if new)."
    role = Membership.Role.COORDINATOR
