"""Shared rules of the protocol writers: a draft-only guard, change lists, keys and ordering.

A draft study can be edited freely. Once a study is open its structure is frozen: only texts that
do not change meaning (title, description, a criterion's help text) stay editable, and every edit is
audited with its old and new value.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.text import slugify

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Study

FROZEN_MESSAGE = (
    "The study is {status}: its structure is frozen. Only the title, the description and "
    "criteria help texts can still be corrected."
)


KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")


def require_draft(study: Study) -> None:
    if not study.is_draft:
        raise ValidationError(FROZEN_MESSAGE.format(status=study.get_status_display().lower()))


def field_changes(instance, data: dict[str, Any], fields) -> dict[str, list]:
    changes = {}
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            changes[field] = [getattr(instance, field), data[field]]
    return changes


def audit_changes(action, *, study, target, changes, actor, request) -> None:
    if changes:
        audit_record(
            action=action,
            actor=actor,
            study=study,
            target=target,
            data={"changes": changes, "status": study.status},
            request=request,
        )


def next_order(queryset) -> int:
    return (queryset.aggregate(top=Max("order"))["top"] or 0) + 1


def clean_key(key: str, label: str, what: str) -> str:
    key = (key or "").strip() or slugify(label).replace("-", "_")
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError(
            f"The {what} key {key!r} may contain only letters, digits, '-' and '_'."
        )
    return key


def move_in_order(item, siblings, direction: str) -> None:
    items = list(siblings.order_by("order", "key"))
    index = items.index(item)
    swap = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ValidationError("Move 'up' or 'down'.")
    if 0 <= swap < len(items):
        items[index], items[swap] = items[swap], items[index]
    for order, each in enumerate(items, start=1):
        if each.order != order:
            each.order = order
            each.save(update_fields=["order"])
