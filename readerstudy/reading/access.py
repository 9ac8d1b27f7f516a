"""One access helper per reading resource; every reading view and API view goes through these.

All of them answer 404 for anything the user may not read: another reader's task or pane, a
study they do not read, a study that is not open. Coordinators are not readers here: their
role gives them no reading access to anyone's tasks.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404

from readerstudy.reading.models import Assignment, Pane
from readerstudy.studies.access import get_membership_for_reader
from readerstudy.studies.models import Membership, Study


def get_open_study_for_reader(user, slug: str) -> Study:
    """The open study with this slug if ``user`` is an active reader of it; otherwise 404."""
    membership = get_membership_for_reader(user, slug)
    study = Study.objects.get(pk=membership.study_id)
    if not study.is_open:
        raise Http404("No such study.")
    return study


def get_assignment_for_reader(user, slug: str, number: int) -> Assignment:
    """The reader's own task number ``number`` in an open study they read; otherwise 404."""
    membership = get_membership_for_reader(user, slug)
    assignment = (
        Assignment.objects.select_related("study", "schedule", "task__sequence")
        .filter(
            study_id=membership.study_id,
            study__status=Study.Status.OPEN,
            reader_id=user.pk,
            read_order=number,
        )
        .first()
    )
    if assignment is None:
        raise Http404("No such case.")
    return assignment


def get_pane_for_reader(user, token: str) -> Pane:
    """The pane behind ``token`` if it is the reader's own, in an open study; otherwise 404.

    One indexed query (the token is unique) with the reader's membership as an EXISTS; the
    pixel endpoint calls this on every request, so it stays cheap.
    """
    if not user.is_authenticated or not token or len(token) > 64:
        raise Http404("No such image.")
    reading = Membership.objects.filter(
        study_id=OuterRef("assignment__study_id"),
        user_id=user.pk,
        role=Membership.Role.READER,
        is_active=True,
    )
    try:
        pane = (
            Pane.objects.select_related("series", "assignment__study", "assignment__schedule")
            .annotate(is_reader=Exists(reading))
            .get(token=token)
        )
    except Pane.DoesNotExist:
        raise Http404("No such image.") from None
    assignment = pane.assignment
    if (
        assignment.reader_id != user.pk
        or not pane.is_reader
        or assignment.study.status != Study.Status.OPEN
    ):
        raise Http404("No such image.")
    return pane
