"""Writes of the reading app: schedules, opening a study, and a reader's answers."""

from readerstudy.reading.services.errors import (
    AssignmentLocked,
    ReadingRefused,
    ScoresInvalid,
    SessionNotOpen,
    StudyNotOpen,
)
from readerstudy.reading.services.opening import study_open, study_open_checked, study_open_problems
from readerstudy.reading.services.rating import (
    SubmitOutcome,
    assignment_reopen,
    assignment_start,
    assignment_submit,
    draft_save,
)
from readerstudy.reading.services.schedule import (
    ScheduleSummary,
    schedule_ensure,
    schedule_generate,
)

__all__ = [
    "AssignmentLocked",
    "ReadingRefused",
    "ScheduleSummary",
    "ScoresInvalid",
    "SessionNotOpen",
    "StudyNotOpen",
    "SubmitOutcome",
    "assignment_reopen",
    "assignment_start",
    "assignment_submit",
    "draft_save",
    "schedule_ensure",
    "schedule_generate",
    "study_open",
    "study_open_checked",
    "study_open_problems",
]
