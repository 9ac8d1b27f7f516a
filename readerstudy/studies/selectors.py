"""Reads about studies that several apps share."""

from __future__ import annotations

from django.db.models import QuerySet

from readerstudy.studies.models import Case, Membership, Study


def active_readers(study: Study) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(study=study, role=Membership.Role.READER, is_active=True)
        .select_related("user", "site")
        .order_by("user__username")
    )


def cases_for_reader(*, study: Study, reader) -> QuerySet[Case]:
    """The cases a reader is to read. Fully crossed by default: every non-excluded case.

    The coordinator console's assignment plans (subset per reader, k readers per case) narrow this.
    """
    return Case.objects.filter(study=study, excluded=False).order_by("identifier")
