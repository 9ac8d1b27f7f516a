from readerstudy.studies.models.case import Case
from readerstudy.studies.models.plan import PlannedReading, ReadingPlan
from readerstudy.studies.models.study import Criterion, Membership, Sequence, Site, Study

__all__ = [
    "Case",
    "Criterion",
    "Membership",
    "PlannedReading",
    "ReadingPlan",
    "Sequence",
    "Site",
    "Study",
]
