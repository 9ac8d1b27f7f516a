"""Writes of a reader's work on one task: open, autosave a draft, submit, reopen.

No score is ever lost: every accepted write is atomic, every score change leaves a
``rating.change`` audit event with old → new (coordinator-only), and a refused submit still saves
the draft. Concurrent saves of one assignment (two tabs) are serialized by a row lock and the
last one wins; the audit trail keeps what each of them wrote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from readerstudy.audit.services import audit_record
from readerstudy.reading.models import Assignment, Pane, Rating
from readerstudy.reading.services.errors import (
    AssignmentLocked,
    ScoresInvalid,
    SessionNotOpen,
    StudyNotOpen,
)
from readerstudy.reading.services.sessions import assignment_is_available, session2_opens_at
from readerstudy.studies.models import Criterion

MAX_COMMENT_LENGTH = 5000
MAX_ACTIVE_SECONDS = 7 * 24 * 3600.0  # a week on one task is a broken client, not reading
PREFERENCES = {"A", "B", "none"}


@dataclass
class SubmitOutcome:
    assignment: Assignment
    submitted: bool
    missing: dict[str, list[str]] = field(default_factory=dict)


def _locked(assignment: Assignment) -> Assignment:
    """Re-read the assignment under a row lock, so two tabs' saves happen one after the other."""
    locked = (
        Assignment.objects.select_for_update()
        .select_related("study", "schedule", "reader")
        .get(pk=assignment.pk)
    )
    if not locked.study.is_open:
        raise StudyNotOpen()
    if not assignment_is_available(locked, study=locked.study, schedule=locked.schedule):
        raise SessionNotOpen(session2_opens_at(locked.study, locked.schedule))
    return locked


@dataclass
class _Answers:
    scores: dict[str, dict[str, int]]
    comment: str
    preference: str  # "" when not given
    active_seconds: float


def _clean(assignment, panes, criteria, scores, comment, preference, active_seconds) -> _Answers:
    """Check the answers against the task's panes and the study's criteria; raise on any error."""
    study = assignment.study
    errors: dict = {}
    cleaned: dict[str, dict[str, int]] = {name: {} for name in panes}
    if not isinstance(scores, dict):
        errors["scores"] = "Scores must be an object keyed by pane name."
        scores = {}
    names = " and ".join(sorted(panes))
    for pane_name, values in scores.items():
        if pane_name not in panes:
            errors[str(pane_name)] = f"Unknown pane {pane_name!r}; this case shows {names}."
            continue
        if not isinstance(values, dict):
            errors[pane_name] = f"Pane {pane_name}: scores must be an object keyed by criterion."
            continue
        pane_errors = {}
        for key, value in values.items():
            criterion = criteria.get(key)
            if criterion is None:
                pane_errors[str(key)] = f"Pane {pane_name}: unknown criterion {key!r}."
            elif value is None:
                continue  # explicitly unset
            elif isinstance(value, bool) or not isinstance(value, int):
                pane_errors[key] = (
                    f"Pane {pane_name}, {criterion.label}: give a whole number from "
                    f"{criterion.scale_min} to {criterion.scale_max}, not {value!r}."
                )
            elif not criterion.scale_min <= value <= criterion.scale_max:
                pane_errors[key] = (
                    f"Pane {pane_name}, {criterion.label}: {value} is outside the scale "
                    f"{criterion.scale_min}–{criterion.scale_max}."
                )
            else:
                cleaned[pane_name][key] = value
        if pane_errors:
            errors[pane_name] = pane_errors
    comment = comment or ""
    if not isinstance(comment, str):
        errors["comment"] = "The comment must be text."
    elif len(comment) > MAX_COMMENT_LENGTH:
        errors["comment"] = f"Keep the comment under {MAX_COMMENT_LENGTH} characters."
    elif comment.strip() and not study.allow_comment:
        errors["comment"] = "This study does not take comments."
    preference = preference or ""
    if preference and preference not in PREFERENCES:
        errors["preference"] = f"Preference must be A, B or none; got {preference!r}."
    elif preference and not (study.ask_preference and study.is_side_by_side):
        errors["preference"] = "This study does not ask which pane you prefer."
    try:
        seconds = float(active_seconds or 0)
    except (TypeError, ValueError):
        seconds = -1.0
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_ACTIVE_SECONDS:
        errors["active_seconds"] = "Active reading time must be a number of seconds ≥ 0."
    if errors:
        raise ScoresInvalid(errors)
    return _Answers(cleaned, comment, preference, seconds)


def _context(assignment: Assignment) -> tuple[dict[str, Pane], dict[str, Criterion]]:
    panes = {pane.name: pane for pane in Pane.objects.filter(assignment=assignment)}
    criteria = {c.key: c for c in Criterion.objects.filter(study_id=assignment.study_id)}
    return panes, criteria


def _current(assignment: Assignment) -> dict[str, dict[str, Rating]]:
    current: dict[str, dict[str, Rating]] = {}
    for rating in Rating.objects.filter(assignment=assignment).select_related("pane", "criterion"):
        current.setdefault(rating.pane.name, {})[rating.criterion.key] = rating
    return current


def _same(assignment: Assignment, current, answers: _Answers) -> bool:
    stored = {name: {key: r.score for key, r in items.items()} for name, items in current.items()}
    wanted = {name: items for name, items in answers.scores.items() if items}
    return (
        stored == wanted
        and assignment.comment == answers.comment
        and assignment.preference == answers.preference
    )


def _apply(assignment, panes, criteria, current, answers, *, base_revision, actor, request) -> int:
    """Write the differences between stored and submitted answers; audit each. Returns count."""
    changes = 0
    common = {
        "reader": assignment.reader.get_username(),
        "read_order": assignment.read_order,
        "base_revision": base_revision,
        "revision": assignment.revision + 1,
    }
    for pane_name, pane in panes.items():
        before = current.get(pane_name, {})
        after = answers.scores.get(pane_name, {})
        for key in sorted(set(before) | set(after)):
            old = before[key].score if key in before else None
            new = after.get(key)
            if old == new:
                continue
            if new is None:
                before[key].delete()
            elif key in before:
                before[key].score = new
                before[key].save(update_fields=["score", "updated_at"])
            else:
                Rating.objects.create(
                    assignment=assignment,
                    pane=pane,
                    series_id=pane.series_id,
                    criterion=criteria[key],
                    score=new,
                )
            changes += 1
            audit_record(
                action="rating.change",
                actor=actor,
                study=assignment.study,
                target=assignment,
                data={**common, "pane": pane_name, "criterion": key, "old": old, "new": new},
                request=request,
            )
    for name in ("comment", "preference"):
        old, new = getattr(assignment, name), getattr(answers, name)
        if old != new:
            setattr(assignment, name, new)
            changes += 1
            audit_record(
                action=f"assignment.{name}",
                actor=actor,
                study=assignment.study,
                target=assignment,
                data={**common, "old": old, "new": new},
                request=request,
            )
    return changes


def _touch(assignment: Assignment, answers: _Answers, now) -> None:
    if assignment.started_at is None:
        assignment.started_at = now
    assignment.active_seconds = max(assignment.active_seconds, answers.active_seconds)


def _missing(panes, criteria, answers: _Answers) -> dict[str, list[str]]:
    required = [c.key for c in sorted(criteria.values(), key=lambda c: (c.order, c.key))]
    required = [key for key in required if criteria[key].required]
    missing = {
        name: [key for key in required if key not in answers.scores.get(name, {})]
        for name in sorted(panes)
    }
    return missing if any(missing.values()) else {}


def assignment_start(*, assignment: Assignment) -> Assignment:
    """Record when the reader first opened the task (reading time starts there).

    A single conditional UPDATE, so it needs no transaction of its own; opening a task that was
    opened before writes nothing (no write lock on every task view).
    """
    if assignment.started_at is None:
        Assignment.objects.filter(pk=assignment.pk, started_at__isnull=True).update(
            started_at=timezone.now()
        )
        assignment.refresh_from_db(fields=["started_at"])
    return assignment


@dataclass
class _Write:
    """One locked, validated write in progress, and how it compares with what is stored."""

    assignment: Assignment
    panes: dict[str, Pane]
    criteria: dict[str, Criterion]
    answers: _Answers
    current: dict[str, dict[str, Rating]]
    unchanged: bool
    now: object

    def record(self, *, base_revision, actor, request) -> None:
        """Write and audit the differences, if any."""
        if not self.unchanged:
            _apply(
                self.assignment, self.panes, self.criteria, self.current, self.answers,
                base_revision=base_revision, actor=actor, request=request,
            )  # fmt: skip

    def stamp(self) -> None:
        """Reading time, a new revision and the save time (every accepted write)."""
        _touch(self.assignment, self.answers, self.now)
        self.assignment.revision += 1
        self.assignment.saved_at = self.now


def _begin(assignment, scores, comment, preference, active_seconds) -> _Write:
    assignment = _locked(assignment)
    panes, criteria = _context(assignment)
    answers = _clean(assignment, panes, criteria, scores, comment, preference, active_seconds)
    current = _current(assignment)
    return _Write(
        assignment=assignment,
        panes=panes,
        criteria=criteria,
        answers=answers,
        current=current,
        unchanged=_same(assignment, current, answers),
        now=timezone.now(),
    )


@transaction.atomic
def draft_save(
    *,
    assignment: Assignment,
    scores: dict,
    comment: str = "",
    preference: str | None = None,
    active_seconds: float = 0.0,
    revision: int | None = None,
    actor=None,
    request=None,
) -> Assignment:
    """Autosave the full current answers of a task (last write wins, every change audited).

    A submitted task answers `AssignmentLocked` unless the study allows revisions; then a save
    that changes anything turns it back into a draft, to be submitted again.
    """
    write = _begin(assignment, scores, comment, preference, active_seconds)
    assignment = write.assignment
    submitted = assignment.status == Assignment.Status.SUBMITTED
    if submitted and not assignment.study.allow_revisions:
        raise AssignmentLocked()
    write.record(base_revision=revision, actor=actor, request=request)
    if submitted and not write.unchanged:
        _reopen(assignment, reason="Revised by the reader.", actor=actor, request=request)
    if assignment.status == Assignment.Status.PENDING:
        assignment.status = Assignment.Status.DRAFT
    write.stamp()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_submit(
    *,
    assignment: Assignment,
    scores: dict,
    comment: str = "",
    preference: str | None = None,
    active_seconds: float = 0.0,
    revision: int | None = None,
    actor=None,
    request=None,
) -> SubmitOutcome:
    """Save the answers and submit them when every required score is set.

    Idempotent: submitting an already submitted task with the same answers changes nothing.
    When a required score is missing the answers are still saved as a draft and the outcome
    lists what is missing per pane.
    """
    write = _begin(assignment, scores, comment, preference, active_seconds)
    assignment, answers, now = write.assignment, write.answers, write.now
    if assignment.status == Assignment.Status.SUBMITTED:
        if write.unchanged:
            if answers.active_seconds > assignment.active_seconds:
                assignment.active_seconds = answers.active_seconds
                assignment.save(update_fields=["active_seconds"])
            return SubmitOutcome(assignment=assignment, submitted=True)
        if not assignment.study.allow_revisions:
            raise AssignmentLocked()
    write.record(base_revision=revision, actor=actor, request=request)
    write.stamp()
    missing = _missing(write.panes, write.criteria, answers)
    if missing:
        if assignment.status == Assignment.Status.SUBMITTED:
            _reopen(assignment, reason="Revised by the reader.", actor=actor, request=request)
        assignment.status = Assignment.Status.DRAFT
        assignment.save()
        return SubmitOutcome(assignment=assignment, submitted=False, missing=missing)
    resubmit = assignment.status == Assignment.Status.SUBMITTED
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = now
    assignment.save()
    audit_record(
        action="assignment.resubmit" if resubmit else "assignment.submit",
        actor=actor,
        study=assignment.study,
        target=assignment,
        data={
            "reader": assignment.reader.get_username(),
            "read_order": assignment.read_order,
            "revision": assignment.revision,
            "active_seconds": assignment.active_seconds,
        },
        request=request,
    )
    _mark_session1(assignment, now)
    return SubmitOutcome(assignment=assignment, submitted=True)


def _mark_session1(assignment: Assignment, now) -> None:
    """Start the washout clock when the reader's last session-1 task is submitted."""
    schedule = assignment.schedule
    if assignment.study.is_side_by_side or assignment.session != 1:
        return
    if schedule.session1_completed_at is not None:
        return
    unfinished = schedule.assignments.filter(session=1).exclude(status=Assignment.Status.SUBMITTED)
    if not unfinished.exists():
        schedule.session1_completed_at = now
        schedule.save(update_fields=["session1_completed_at"])
        audit_record(
            action="schedule.session1_complete",
            study=assignment.study,
            target=schedule,
            data={"reader": assignment.reader.get_username(), "at": now.isoformat()},
        )


def _reopen(assignment: Assignment, *, reason: str, actor, request) -> None:
    assignment.status = Assignment.Status.DRAFT
    assignment.submitted_at = None
    assignment.reopened_count += 1
    audit_record(
        action="assignment.reopen",
        actor=actor,
        study=assignment.study,
        target=assignment,
        data={
            "reader": assignment.reader.get_username(),
            "read_order": assignment.read_order,
            "reason": reason,
        },
        request=request,
    )


@transaction.atomic
def assignment_reopen(
    *, assignment: Assignment, reason: str, actor=None, request=None
) -> Assignment:
    """Turn a submitted task back into a draft so its scores can change (audited with reason).

    A coordinator action; the caller checks who may do it (readers only when the study
    allows revisions).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for reopening the case.")
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("study", "schedule", "reader")
        .get(pk=assignment.pk)
    )
    if assignment.status != Assignment.Status.SUBMITTED:
        raise ValidationError(f"{assignment.label} is not submitted, so it cannot be reopened.")
    _reopen(assignment, reason=reason, actor=actor, request=request)
    assignment.revision += 1
    assignment.save()
    return assignment
