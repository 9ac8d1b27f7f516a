"""Writes of a study's rating criteria: scale, anchors, order (help texts also after opening)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Criterion, Study
from readerstudy.studies.services.common import (
    audit_changes,
    clean_key,
    field_changes,
    move_in_order,
    next_order,
    require_draft,
)

CRITERION_FIELDS = (
    "label",
    "help_text",
    "scale_min",
    "scale_max",
    "anchors",
    "required",
    "noninferiority",
)


def _check_criterion(data: dict[str, Any]) -> None:
    low, high = int(data["scale_min"]), int(data["scale_max"])
    if not 0 <= low < high <= 10:
        raise ValidationError(
            f"The scale {low}–{high} is not valid: the lowest score must be below the highest, "
            "and the highest at most 10."
        )
    anchors = data["anchors"]
    levels = high - low + 1
    # An empty list is allowed in a draft: the open check lists the criterion as missing anchors.
    if anchors and len(anchors) != levels:
        raise ValidationError(
            f"Give {levels} anchor texts, one per score level from {low} to {high}; "
            f"got {len(anchors)}."
        )
    if not str(data["label"]).strip():
        raise ValidationError("A criterion needs a label.")


@transaction.atomic
def criterion_add(*, study: Study, data: dict[str, Any], actor=None, request=None) -> Criterion:
    """Add a criterion. ``data`` holds label, key (optional) and the fields of CRITERION_FIELDS."""
    require_draft(study)
    values = {
        "help_text": "",
        "scale_min": 1,
        "scale_max": 5,
        "anchors": [],
        "required": True,
        "noninferiority": False,
    }
    values.update({k: v for k, v in data.items() if k in CRITERION_FIELDS})
    _check_criterion(values)
    key = clean_key(data.get("key", ""), values["label"], "criterion")
    if study.criteria.filter(key=key).exists():
        raise ValidationError(f"The study already has a criterion with the key {key!r}.")
    criterion = Criterion.objects.create(
        study=study, key=key, order=next_order(study.criteria), **values
    )
    audit_record(
        action="criterion.add",
        actor=actor,
        study=study,
        target=criterion,
        data={"key": key, **values},
        request=request,
    )
    return criterion


@transaction.atomic
def criterion_update(
    *, criterion: Criterion, data: dict[str, Any], actor=None, request=None
) -> Criterion:
    """Edit a criterion. After opening, only its help text (typos), and that edit is audited."""
    study = criterion.study
    changes = field_changes(criterion, data, CRITERION_FIELDS)
    if not study.is_draft and set(changes) - {"help_text"}:
        require_draft(study)
    merged = {field: data.get(field, getattr(criterion, field)) for field in CRITERION_FIELDS}
    _check_criterion(merged)
    for field, (_old, new) in changes.items():
        setattr(criterion, field, new)
    criterion.save()
    audit_changes(
        "criterion.update",
        study=study,
        target=criterion,
        changes=changes,
        actor=actor,
        request=request,
    )
    return criterion


@transaction.atomic
def criterion_remove(*, criterion: Criterion, actor=None, request=None) -> None:
    study = criterion.study
    require_draft(study)
    audit_record(
        action="criterion.remove",
        actor=actor,
        study=study,
        target=criterion,
        data={"key": criterion.key, "label": criterion.label},
        request=request,
    )
    criterion.delete()


@transaction.atomic
def criterion_move(*, criterion: Criterion, direction: str, actor=None, request=None) -> None:
    require_draft(criterion.study)
    move_in_order(criterion, criterion.study.criteria.all(), direction)
    audit_record(
        action="criterion.move",
        actor=actor,
        study=criterion.study,
        target=criterion,
        data={"key": criterion.key, "direction": direction},
        request=request,
    )
