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


# Resources inside a study a coordinator manages. Each takes the study that
# get_study_for_coordinator returned, so a coordinator of study X gets 404 for anything of Y.


def get_case_for_coordinator(study: Study, case_id: int):
    from readerstudy.studies.models import Case

    return in_study(Case.objects.select_related("site"), study=study, pk=case_id)


def get_membership_for_coordinator(study: Study, membership_id: int) -> Membership:
    return in_study(
        Membership.objects.select_related("user", "site"), study=study, pk=membership_id
    )


def get_sequence_for_coordinator(study: Study, sequence_id: int):
    from readerstudy.studies.models import Sequence

    return in_study(Sequence.objects.all(), study=study, pk=sequence_id)


def get_sequence_by_key_for_coordinator(study: Study, key: str):
    from readerstudy.studies.models import Sequence

    return in_study(Sequence.objects.all(), study=study, key=key)


def get_criterion_for_coordinator(study: Study, criterion_id: int):
    from readerstudy.studies.models import Criterion

    return in_study(Criterion.objects.all(), study=study, pk=criterion_id)


def in_study(queryset, **lookup):
    """The one object of ``queryset`` matching ``lookup`` (which names the study), or 404."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404("Not found in this study.")
    return found


def can_create_study(user) -> bool:
    """Coordinators of any study, and users given the ``studies.add_study`` permission."""
    if not user.is_authenticated:
        return False
    return user.has_perm("studies.add_study") or coordinated_studies(user).exists()
