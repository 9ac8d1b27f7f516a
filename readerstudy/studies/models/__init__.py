from readerstudy.studies.models.case import Case
from readerstudy.studies.models.plan import AssignmentPlan, PlannedReading
from readerstudy.studies.models.study import Criterion, Membership, Sequence, Site, Study

__all__ = [
    "AssignmentPlan",
    "Case",
    "Criterion",
    "Membership",
    "PlannedReading",
    "Sequence",
    "Site",
    "Study",
]
