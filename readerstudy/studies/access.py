"""One access helper per resource: every view that touches a study goes through these.

They answer 404, not 403, so an outsider cannot even learn that a study exists.
"""

from __future__ import annotations

from django.http import Http404

from readerstudy.studies.models import Membership, Study


def _membership(user, study: Study, role: str) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, study=study, role=role, is_active=True).first()


def get_study_for_coordinator(user, slug: str) -> Study:
    """The study with this slug if ``user`` coordinates it; otherwise 404."""
    study = Study.objects.filter(slug=slug).first()
    if study is None or _membership(user, study, Membership.Role.COORDINATOR) is None:
        raise Http404("No such study.")
    return study


def get_membership_for_reader(user, slug: str) -> Membership:
    """The reader's active membership in the study with this slug; otherwise 404."""
    study = Study.objects.filter(slug=slug).first()
    membership = _membership(user, study, Membership.Role.READER) if study else None
    if membership is None:
        raise Http404("No such study.")
    return membership


def coordinated_studies(user):
    return Study.objects.filter(
        memberships__user=user,
        memberships__role=Membership.Role.COORDINATOR,
        memberships__is_active=True,
    ).distinct()


def read_studies(user):
    return Study.objects.filter(
        memberships__user=user,
        memberships__role=Membership.Role.READER,
        memberships__is_active=True,
    ).distinct()
