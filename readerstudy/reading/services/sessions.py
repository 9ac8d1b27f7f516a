"""Sequential design: when a reader's session 2 opens (after session 1 plus the washout)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from readerstudy.reading.models import Assignment, Schedule
from readerstudy.studies.models import Study


def session2_opens_at(study: Study, schedule: Schedule) -> datetime | None:
    """When session 2 opens; None while session 1 is unfinished (no date can be given yet)."""
    if schedule.session1_completed_at is None:
        return None
    return schedule.session1_completed_at + timedelta(days=study.washout_days)


def assignment_is_available(
    assignment: Assignment, *, study: Study, schedule: Schedule, now: datetime | None = None
) -> bool:
    """Session 1 is always readable; session 2 only once the washout has passed."""
    if assignment.session <= 1:
        return True
    opens = session2_opens_at(study, schedule)
    return opens is not None and (now or timezone.now()) >= opens
