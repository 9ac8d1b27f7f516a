"""Reads of the audit log: a study's events, filtered for the coordinator's viewer and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from readerstudy.audit.models import AuditEvent
from readerstudy.studies.models import Membership, Study


@dataclass(frozen=True)
class AuditFilter:
    """The viewer's filters; empty values filter nothing."""

    action: str = ""  # prefix, e.g. "study." or "rating.change"
    actor: str = ""  # exact username
    target: str = ""  # e.g. "Case" or "Case:12"
    since: date | None = None
    until: date | None = None  # inclusive


def _member_usernames(study: Study) -> list[str]:
    return list(
        Membership.objects.filter(study=study).values_list("user__username", flat=True).distinct()
    )


def audit_events(study: Study, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """A study's audit events, newest first.

    Besides the events recorded against the study, this includes sign-ins and failed sign-ins of
    the study's members (those events belong to no study), so the coordinator sees who signed in.
    """
    filters = filters or AuditFilter()
    members = _member_usernames(study)
    events = AuditEvent.objects.filter(
        Q(study=study)
        | Q(study__isnull=True, action__startswith="auth.", actor_name__in=members)
        | Q(study__isnull=True, action="auth.login_failed", data__username__in=members)
    )
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.actor:
        events = events.filter(actor_name=filters.actor)
    if filters.target:
        target_type, _, target_id = filters.target.partition(":")
        events = events.filter(target_type=target_type)
        if target_id:
            events = events.filter(target_id=target_id)
    zone = timezone.get_current_timezone()
    if filters.since:
        events = events.filter(at__gte=datetime.combine(filters.since, time.min, tzinfo=zone))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=zone)
        events = events.filter(at__lt=end)
    return events.order_by("-at", "-id")


def audit_actions(study: Study) -> list[str]:
    """The distinct actions present for a study, for the viewer's filter list."""
    return sorted(set(audit_events(study).values_list("action", flat=True).distinct()))
