"""Reads for the reader's pages and the reading API.

Everything returned here is reader-facing, so it is built from blinded pieces only: read orders
(positions in the reader's own order), pane names and tokens, the whitelisted series view. No
series id, arm, case identifier, UID or storage key is ever put into these dicts.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone

from readerstudy.imaging.blinding import reader_series_view
from readerstudy.reading.models import Assignment, Pane, Rating, Schedule
from readerstudy.reading.services.sessions import assignment_is_available, session2_opens_at
from readerstudy.studies.models import Criterion, Membership, Study

SUBMITTED = Assignment.Status.SUBMITTED


def reading_url(study: Study, read_order: int) -> str:
    """The reading page of the reader's assignment at ``read_order``."""
    return reverse("reading:read", kwargs={"slug": study.slug, "read_order": read_order})


def assignment_api_url(study: Study, read_order: int) -> str:
    """The reading API's detail URL of the reader's assignment at ``read_order``."""
    return reverse("reading_api:assignment", kwargs={"slug": study.slug, "read_order": read_order})


def open_studies_for_reader(user):
    return Study.objects.filter(
        status=Study.Status.OPEN,
        memberships__user=user,
        memberships__role=Membership.Role.READER,
        memberships__is_active=True,
    ).order_by("title")


def _available_q(study: Study, schedule: Schedule | None, now: datetime) -> Q:
    """Assignments the reader may open now (session 2 only after the washout)."""
    if study.is_side_by_side or schedule is None:
        return Q()
    opens = session2_opens_at(study, schedule)
    return Q(session=1) if opens is None or now < opens else Q()


def next_assignment(
    *, study: Study, reader, schedule: Schedule | None = None, after: int | None = None
) -> Assignment | None:
    """The first assignment in the reader's order that is not submitted and may be opened now.

    With ``after`` (a read order), the first such assignment after it, wrapping around to the
    start (the assignment at ``after`` itself is never the answer).
    """
    if schedule is None:
        schedule = Schedule.objects.filter(study=study, reader=reader).first()
    pending = (
        Assignment.objects.filter(study=study, reader=reader)
        .exclude(status=SUBMITTED)
        .filter(_available_q(study, schedule, timezone.now()))
        .order_by("read_order")
    )
    if after is None:
        return pending.first()
    return (
        pending.filter(read_order__gt=after).first() or pending.filter(read_order__lt=after).first()
    )


def _progress(study: Study, reader) -> dict:
    return Assignment.objects.filter(study=study, reader=reader).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=SUBMITTED)),
        drafts=Count("id", filter=Q(status=Assignment.Status.DRAFT)),
        active_seconds=Sum("active_seconds"),
    )


def worklist_for_reader(user) -> list[dict]:
    """One entry per open study the user reads: progress, time spent and where to continue."""
    studies = list(open_studies_for_reader(user))
    schedules = {s.study_id: s for s in Schedule.objects.filter(reader=user, study__in=studies)}
    rows = (
        Assignment.objects.filter(reader=user, study__in=studies)
        .values("study_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=SUBMITTED)),
            drafts=Count("id", filter=Q(status=Assignment.Status.DRAFT)),
            active_seconds=Sum("active_seconds"),
            session1_total=Count("id", filter=Q(session=1)),
        )
    )
    progress = {row["study_id"]: row for row in rows}
    entries = []
    for study in studies:
        row = progress.get(study.pk, {})
        schedule = schedules.get(study.pk)
        following = next_assignment(study=study, reader=user, schedule=schedule)
        entry = {
            "study": study,
            "slug": study.slug,
            "title": study.title,
            "design": study.design,
            "total": row.get("total", 0),
            "done": row.get("done", 0),
            "drafts": row.get("drafts", 0),
            "active_seconds": round(float(row.get("active_seconds") or 0.0), 1),
            "continue_url": reading_url(study, following.read_order) if following else None,
            "following": following,  # server side only (warming); not serialized
            "allow_revisions": study.allow_revisions,
            "session2": None,
        }
        if not study.is_side_by_side and schedule is not None:
            opens = session2_opens_at(study, schedule)
            entry["session2"] = {
                "opens_at": opens,
                "open": opens is not None and timezone.now() >= opens,
                "session1_assignments": row.get("session1_total", 0),
            }
        entries.append(entry)
    return entries


def assignments_for_reader(*, study: Study, reader) -> list[dict]:
    """The reader's assignments in their read order, for the reader's case list (one query)."""
    schedule = Schedule.objects.filter(study=study, reader=reader).first()
    now = timezone.now()
    assignments = (
        Assignment.objects.filter(study=study, reader=reader)
        .select_related("task__sequence")
        .order_by("read_order")
    )
    return [
        {
            "read_order": a.read_order,
            "label": a.label,
            "sequence": a.task.sequence.key,
            "session": a.session,
            "status": a.status,
            "submitted_at": a.submitted_at,
            "reopenable": a.status == SUBMITTED and study.allow_revisions,
            "available": schedule is not None
            and assignment_is_available(a, study=study, schedule=schedule, now=now),
            "active_seconds": round(a.active_seconds, 1),
            "url": reading_url(study, a.read_order),
        }
        for a in assignments
    ]


def criteria_for_reader(study: Study) -> list[dict]:
    return [
        {
            "key": c.key,
            "label": c.label,
            "help_text": c.help_text,
            "min": c.scale_min,
            "max": c.scale_max,
            "anchors": [str(text) for text in c.anchors],
            "required": c.required,
        }
        for c in Criterion.objects.filter(study=study).order_by("order", "key")
    ]


def panes_of(assignment: Assignment) -> list[Pane]:
    # Ordered by name alone: the default (assignment, name) orders through joined tables.
    return list(
        Pane.objects.filter(assignment=assignment).select_related("series").order_by("name")
    )


def _progress_and_next(assignment: Assignment) -> tuple[dict, int | None]:
    """The reader's done/total and the read order ``next_assignment(..., after=read_order)``
    gives, in one aggregate query (the assignment detail is on the path to the first image)."""
    study, after = assignment.study, assignment.read_order
    pending = ~Q(status=SUBMITTED) & _available_q(study, assignment.schedule, timezone.now())
    row = Assignment.objects.filter(study=study, reader_id=assignment.reader_id).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=SUBMITTED)),
        after=Min("read_order", filter=pending & Q(read_order__gt=after)),
        before=Min("read_order", filter=pending & Q(read_order__lt=after)),
    )
    following = row["after"] if row["after"] is not None else row["before"]
    return {"total": row["total"], "done": row["done"]}, following


def assignment_detail(assignment: Assignment) -> dict:
    """The assignment detail payload of the reading API (docs/reading-api.md, "Assignment detail").

    ``detail["next_read_order"]`` is the next assignment to read (the view warms its images and
    pops it: it is not part of the payload).
    """
    study = assignment.study
    panes = panes_of(assignment)
    scores: dict[str, dict[str, int]] = {pane.name: {} for pane in panes}
    ratings = Rating.objects.filter(assignment=assignment).order_by()
    for name, key, score in ratings.values_list("pane__name", "criterion__key", "score"):
        scores.setdefault(name, {})[key] = score
    progress, following = _progress_and_next(assignment)
    previous = assignment.read_order - 1
    submitted = assignment.status == SUBMITTED
    return {
        "study": {"slug": study.slug, "title": study.title, "design": study.design},
        "assignment": {
            "read_order": assignment.read_order,
            "label": assignment.label,
            "sequence": assignment.task.sequence.key,
            "total": progress["total"],
            "done": progress["done"],
            "status": assignment.status,
            "editable": not submitted or study.allow_revisions,
            "comment": assignment.comment,
            "preference": assignment.preference or None,
            "ask_preference": study.ask_preference and study.is_side_by_side,
            "allow_comment": study.allow_comment,
            "active_seconds": round(assignment.active_seconds, 1),
            "revision": assignment.revision,
        },
        "panes": [
            {"name": pane.name, "token": pane.token, **reader_series_view(pane.series)}
            for pane in panes
        ],
        "criteria": criteria_for_reader(study),
        "scores": scores,
        "next_url": reading_url(study, following) if following else None,
        "next_read_order": following,
        "previous_url": reading_url(study, previous) if previous >= 1 else None,
    }


def continue_series(entries: list[dict]) -> list:
    """Series of the worklist's Continue assignments, for the pixel cache warmer (server side
    only)."""
    return [
        series
        for entry in entries
        if entry["following"] is not None
        for series in pane_series_for_warming(entry["following"], entry["following"].read_order)
    ]


def pane_series_for_warming(assignment: Assignment, read_order: int | None) -> list:
    """Series of the panes of the reader's assignment at ``read_order`` (in ``assignment``'s
    study), for the pixel cache warmer (server side only)."""
    if read_order is None:
        return []
    panes = Pane.objects.filter(
        assignment__study_id=assignment.study_id,
        assignment__reader_id=assignment.reader_id,
        assignment__read_order=read_order,
    ).select_related("series")
    return [pane.series for pane in panes.order_by()]
