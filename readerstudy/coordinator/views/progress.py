"""The live progress dashboard, a reader's task list, and reopening a task with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from readerstudy.coordinator.exports.files import EXPORT_KINDS
from readerstudy.coordinator.forms.setup import ReopenForm
from readerstudy.coordinator.views.setup import report
from readerstudy.reading.access import get_assignment_for_coordinator
from readerstudy.reading.models import Assignment
from readerstudy.studies.access import (
    get_membership_for_coordinator,
)
from readerstudy.studies.gates import coordinator_page
from readerstudy.studies.models import Membership


@coordinator_page
def progress_page(request, study):
    return render(
        request,
        "studies/progress.html",
        {"study": study, "tab": "progress", "export_kinds": EXPORT_KINDS},
    )


@coordinator_page
def reader_tasks(request, study, membership_id: int):
    membership = get_membership_for_coordinator(study, membership_id)
    if membership.role != Membership.Role.READER:
        raise Http404("Not a reader of this study.")
    assignments = (
        Assignment.objects.filter(study=study, reader=membership.user)
        .select_related("task__case", "task__sequence")
        .order_by("read_order")
    )
    return render(
        request,
        "studies/reader_tasks.html",
        {
            "study": study,
            "tab": "progress",
            "membership": membership,
            "assignments": assignments,
            "form": ReopenForm(),
        },
    )


@coordinator_page
@require_POST
def assignment_reopen(request, study, assignment_id: int):
    from readerstudy.reading.services import assignment_reopen as reopen

    assignment = get_assignment_for_coordinator(study, assignment_id)
    membership = Membership.objects.filter(
        study=study, user=assignment.reader, role=Membership.Role.READER
    ).first()
    try:
        if not study.is_open:
            raise ValidationError("Tasks can be reopened only while the study is open.")
        reopen(
            assignment=assignment,
            reason=request.POST.get("reason", ""),
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(
            request,
            f"Reopened {assignment.label} ({assignment.task.case.identifier} "
            f"{assignment.task.sequence.key}) for {assignment.reader.get_username()}.",
        )
    return redirect(f"/studies/{study.slug}/readers/{membership.pk}/tasks/")
