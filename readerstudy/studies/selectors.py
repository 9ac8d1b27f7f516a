"""Reads about studies that several apps share."""

from __future__ import annotations

from django.db.models import QuerySet

from readerstudy.studies.models import Case, Membership, ReadingPlan, Study


def active_readers(study: Study) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(study=study, role=Membership.Role.READER, is_active=True)
        .select_related("user", "site")
        .order_by("user__username")
    )


def reading_plan(study: Study) -> ReadingPlan | None:
    """The study's stored plan, or None (which means fully crossed)."""
    return ReadingPlan.objects.filter(study=study).first()


def cases_for_reader(*, study: Study, reader) -> QuerySet[Case]:
    """The cases a reader (a user) is to read, in identifier order. Excluded cases never count.

    Fully crossed by default: every non-excluded case. Under a subset or split plan, only the
    cases the plan gives this reader.
    """
    cases = Case.objects.filter(study=study, excluded=False)
    plan = reading_plan(study)
    if plan is not None and not plan.is_fully_crossed:
        cases = cases.filter(planned_readings__plan=plan, planned_readings__reader=reader)
    return cases.order_by("identifier")
