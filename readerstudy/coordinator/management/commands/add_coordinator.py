from readerstudy.coordinator.management.commands import add_reader
from readerstudy.studies.models import Membership


class Command(add_reader.Command):
    help = "Add a coordinator to a study (creates the account if new)."
    role = Membership.Role.COORDINATOR
