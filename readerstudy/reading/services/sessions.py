"""Sequential design: when a reader's session 2 opens (after session 1 plus the washout)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from readerstudy.reading.models import Assignment, Schedule
from readerstudy.studies.models import Study


def washout_ends(session1_completed_at: datetime | None, washout_days: int) -> datetime | None:
    """When session 2 opens; None while session 1 is unfinished (no date can be given yet)."""
    if session1_completed_at is None:
        return None
    return session1_completed_at + timedelta(days=washout_days)


def session_is_open(session: int, opens_at: datetime | None, now: datetime | None = None) -> bool:
    """Session 1 is always readable; session 2 only once the washout has passed."""
    if session <= 1:
        return True
    return opens_at is not None and (now or timezone.now()) >= opens_at


def session2_opens_at(study: Study, schedule: Schedule) -> datetime | None:
    return washout_ends(schedule.session1_completed_at, study.washout_days)


def assignment_is_available(
    assignment: Assignment, *, study: Study, schedule: Schedule, now: datetime | None = None
) -> bool:
    return session_is_open(assignment.session, session2_opens_at(study, schedule), now)
