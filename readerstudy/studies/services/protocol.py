"""Writes that edit a study's protocol: settings, sequences, criteria; opening and closing.

A draft study can be edited freely. Once a study is open its structure is frozen: only texts that
do not change meaning (title, description, a criterion's help text) stay editable, and every edit is
audited with its old and new value.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Criterion, Sequence, Study

FROZEN_MESSAGE = (
    "The study is {status}: its structure is frozen. Only the title, the description and "
    "criteria help texts can still be corrected."
)

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")

SETTINGS_FIELDS = (
    "title",
    "description",
    "design",
    "washout_days",
    "allow_revisions",
    "ask_preference",
    "allow_comment",
    "noninferiority_margin",
)
TEXT_ONLY_FIELDS = ("title", "description")


def require_draft(study: Study) -> None:
    if not study.is_draft:
        raise ValidationError(FROZEN_MESSAGE.format(status=study.get_status_display().lower()))


def _changes(instance, data: dict[str, Any], fields) -> dict[str, list]:
    changes = {}
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            changes[field] = [getattr(instance, field), data[field]]
    return changes


def _audit_changes(action, *, study, target, changes, actor, request) -> None:
    if changes:
        audit_record(
            action=action,
            actor=actor,
            study=study,
            target=target,
            data={"changes": changes, "status": study.status},
            request=request,
        )


@transaction.atomic
def study_settings_update(*, study: Study, data: dict[str, Any], actor=None, request=None) -> Study:
    """Change the study's settings; after opening only the title and description."""
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown study setting(s): {', '.join(sorted(unknown))}.")
    changes = _changes(study, data, SETTINGS_FIELDS)
    if not study.is_draft and set(changes) - set(TEXT_ONLY_FIELDS):
        require_draft(study)
    if "design" in changes and data["design"] not in Study.Design.values:
        raise ValidationError(f"Unknown design {data['design']!r}.")
    if "title" in changes and not str(data["title"]).strip():
        raise ValidationError("A study needs a title.")
    if "noninferiority_margin" in changes and not float(data["noninferiority_margin"]) > 0:
        raise ValidationError("The non-inferiority margin must be above zero.")
    for field, (_old, new) in changes.items():
        setattr(study, field, new)
    study.save()
    _audit_changes(
        "study.update", study=study, target=study, changes=changes, actor=actor, request=request
    )
    return study


def _next_order(queryset) -> int:
    return (queryset.aggregate(top=Max("order"))["top"] or 0) + 1


def _clean_key(key: str, label: str, what: str) -> str:
    key = (key or "").strip() or slugify(label).replace("-", "_")
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError(
            f"The {what} key {key!r} may contain only letters, digits, '-' and '_'."
        )
    return key


@transaction.atomic
def sequence_add(*, study: Study, label: str, key: str = "", actor=None, request=None) -> Sequence:
    require_draft(study)
    if not label.strip():
        raise ValidationError("A sequence needs a label, e.g. 'T2 FLAIR'.")
    key = _clean_key(key, label, "sequence")
    if study.sequences.filter(key=key).exists():
        raise ValidationError(f"The study already has a sequence with the key {key!r}.")
    sequence = Sequence.objects.create(
        study=study, key=key, label=label.strip(), order=_next_order(study.sequences)
    )
    audit_record(
        action="sequence.add",
        actor=actor,
        study=study,
        target=sequence,
        data={"key": key, "label": sequence.label},
        request=request,
    )
    return sequence


@transaction.atomic
def sequence_update(*, sequence: Sequence, label: str, actor=None, request=None) -> Sequence:
    require_draft(sequence.study)
    if not label.strip():
        raise ValidationError("A sequence needs a label.")
    changes = _changes(sequence, {"label": label.strip()}, ["label"])
    sequence.label = label.strip()
    sequence.save()
    _audit_changes(
        "sequence.update",
        study=sequence.study,
        target=sequence,
        changes=changes,
        actor=actor,
        request=request,
    )
    return sequence


@transaction.atomic
def sequence_remove(*, sequence: Sequence, actor=None, request=None) -> None:
    study = sequence.study
    require_draft(study)
    if sequence.series.exists():
        raise ValidationError(
            f"The sequence {sequence.key!r} already has imported series; it cannot be removed."
        )
    audit_record(
        action="sequence.remove",
        actor=actor,
        study=study,
        target=sequence,
        data={"key": sequence.key, "label": sequence.label},
        request=request,
    )
    sequence.delete()


def _move(item, siblings, direction: str) -> None:
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


@transaction.atomic
def sequence_move(*, sequence: Sequence, direction: str, actor=None, request=None) -> None:
    require_draft(sequence.study)
    _move(sequence, sequence.study.sequences.all(), direction)
    audit_record(
        action="sequence.move",
        actor=actor,
        study=sequence.study,
        target=sequence,
        data={"key": sequence.key, "direction": direction},
        request=request,
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
    key = _clean_key(data.get("key", ""), values["label"], "criterion")
    if study.criteria.filter(key=key).exists():
        raise ValidationError(f"The study already has a criterion with the key {key!r}.")
    criterion = Criterion.objects.create(
        study=study, key=key, order=_next_order(study.criteria), **values
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
    changes = _changes(criterion, data, CRITERION_FIELDS)
    if not study.is_draft and set(changes) - {"help_text"}:
        require_draft(study)
    merged = {field: data.get(field, getattr(criterion, field)) for field in CRITERION_FIELDS}
    _check_criterion(merged)
    for field, (_old, new) in changes.items():
        setattr(criterion, field, new)
    criterion.save()
    _audit_changes(
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
    _move(criterion, criterion.study.criteria.all(), direction)
    audit_record(
        action="criterion.move",
        actor=actor,
        study=criterion.study,
        target=criterion,
        data={"key": criterion.key, "direction": direction},
        request=request,
    )


def study_open_checked(*, study: Study, seed: int | None = None, actor=None, request=None):
    """Open the study through the reading side's ``study_open``, after the open check passes."""
    from readerstudy.reading.selectors.readiness import study_problems
    from readerstudy.reading.services import study_open

    require_draft(study)
    blocking = [problem.message for problem in study_problems(study) if problem.blocking]
    if blocking:
        raise ValidationError(["The study cannot open yet.", *blocking])
    return study_open(study=study, seed=seed, actor=actor, request=request)


@transaction.atomic
def study_close(*, study: Study, actor=None, request=None) -> Study:
    """Close an open study: readers can no longer read or change scores; exports stay."""
    if not study.is_open:
        raise ValidationError(f"Only an open study can be closed; this one is {study.status}.")
    study.status = Study.Status.CLOSED
    study.closed_at = timezone.now()
    study.save(update_fields=["status", "closed_at"])
    audit_record(action="study.close", actor=actor, study=study, target=study, request=request)
    return study


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
