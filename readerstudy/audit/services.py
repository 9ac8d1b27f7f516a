"""Writing to the audit log. Every state change in the app calls ``audit_record``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from readerstudy.audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind the reverse proxy the first X-Forwarded-For hop is the client (see docker/).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return address or None


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
        ip_address=client_ip(request),
    )
