"""Writing to the audit log. Every state change in the app calls ``audit_record``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from readerstudy.audit.client_address import client_address
from readerstudy.audit.models import AuditEvent


def audit_record(
    *,
    action: str,
    actor=None,
    study=None,
    target: Any = None,
    data: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event. ``target`` is any model instance (its class name and pk are kept)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        study=study,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        ip_address=client_address(request),
    )
