"""Excluding a case from reading, and undoing it (before opening), with the reason on record."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.studies.services.common import require_draft


@transaction.atomic
def case_exclude(*, case, reason: str, actor=None, request=None):
    """Keep a case out of reading, with the reason on record. Only before opening."""
    require_draft(case.study)
    reason = reason.strip()
    if not reason:
        raise ValidationError(f"Give a reason for excluding case {case.identifier}.")
    case.excluded, case.exclusion_reason = True, reason
    case.save(update_fields=["excluded", "exclusion_reason"])
    audit_record(
        action="case.exclude",
        actor=actor,
        study=case.study,
        target=case,
        data={"case": case.identifier, "reason": reason},
        request=request,
    )
    return case


@transaction.atomic
def case_include(*, case, actor=None, request=None):
    """Undo an exclusion (before opening)."""
    require_draft(case.study)
    old_reason = case.exclusion_reason
    case.excluded, case.exclusion_reason = False, ""
    case.save(update_fields=["excluded", "exclusion_reason"])
    audit_record(
        action="case.include",
        actor=actor,
        study=case.study,
        target=case,
        data={"case": case.identifier, "previous_reason": old_reason},
        request=request,
    )
    return case
