"""The reader's pages: worklist, one study's list of assignments, the reading page, and reopen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.crypto import salted_hmac
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from readerstudy.reading.access import get_assignment_for_reader, get_open_study_for_reader
from readerstudy.reading.models import Assignment
from readerstudy.reading.pixels import payload as pixels
from readerstudy.reading.selectors import assignments as selectors
from readerstudy.reading.services import assignment_reopen
from readerstudy.reading.services.sessions import assignment_is_available, session2_opens_at


def duration(seconds: float) -> str:
    """Reading time as a reader says it: "42 s", "7 min", "2 h 05 min"."""
    seconds = round(seconds or 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def reader_local_key(user, study) -> str:
    """An opaque per-reader, per-study key for the browser's offline draft store."""
    return salted_hmac("readerstudy.reading.local-key", f"{user.pk}:{study.pk}").hexdigest()[:32]


@require_GET
@login_required
def worklist(request):
    entries = selectors.worklist_for_reader(request.user)
    # The Continue assignment's images load into memory while the reader looks at this page.
    if pixels.prewarm_enabled():
        pixels.prewarm(selectors.continue_series(entries))
    for entry in entries:
        entry["time_spent"] = duration(entry["active_seconds"])
        entry["percent"] = round(100 * entry["done"] / entry["total"]) if entry["total"] else 0
        entry["submitted"] = [
            item
            for item in selectors.assignments_for_reader(study=entry["study"], reader=request.user)
            if item["status"] == Assignment.Status.SUBMITTED
        ]
    return render(request, "reading/worklist.html", {"entries": entries})


@require_GET
@login_required
def study_assignments(request, slug: str):
    study = get_open_study_for_reader(request.user, slug)
    assignments = selectors.assignments_for_reader(study=study, reader=request.user)
    following = selectors.next_assignment(study=study, reader=request.user)
    return render(
        request,
        "reading/study.html",
        {
            "study": study,
            "assignments": assignments,
            "done": sum(1 for a in assignments if a["status"] == Assignment.Status.SUBMITTED),
            "continue_url": selectors.reading_url(study, following.read_order)
            if following
            else None,
        },
    )


@require_GET
@login_required
@ensure_csrf_cookie
def read(request, slug: str, read_order: int):
    assignment = get_assignment_for_reader(request.user, slug, read_order)
    study = assignment.study
    if not assignment_is_available(assignment, study=study, schedule=assignment.schedule):
        return render(
            request,
            "reading/not_yet.html",
            {"study": study, "opens_at": session2_opens_at(study, assignment.schedule)},
            status=403,
        )
    return render(
        request,
        "reading/read.html",
        {
            "study": study,
            "label": assignment.label,
            "assignment_url": selectors.assignment_api_url(study, assignment.read_order),
            "worklist_url": "/read/",
            "reader_key": reader_local_key(request.user, study),
        },
    )


@require_POST
@login_required
def reopen(request, slug: str, read_order: int):
    """A reader reopens one of their submitted cases, only where the study allows revisions."""
    assignment = get_assignment_for_reader(request.user, slug, read_order)
    if not assignment.study.allow_revisions:
        raise Http404("This study does not allow changes after submitting.")
    try:
        assignment_reopen(
            assignment=assignment,
            reason="Reopened by the reader to revise.",
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reading:worklist")
    return redirect("reading:read", slug=slug, read_order=read_order)
