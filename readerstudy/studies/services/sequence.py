"""Writes of a study's sequences (draft only, each audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Sequence, Study
from readerstudy.studies.services.common import (
    audit_changes,
    clean_key,
    field_changes,
    move_in_order,
    next_order,
    require_draft,
)


@transaction.atomic
def sequence_add(*, study: Study, label: str, key: str = "", actor=None, request=None) -> Sequence:
    require_draft(study)
    if not label.strip():
        raise ValidationError("A sequence needs a label, e.g. 'T2 FLAIR'.")
    key = clean_key(key, label, "sequence")
    if study.sequences.filter(key=key).exists():
        raise ValidationError(f"The study already has a sequence with the key {key!r}.")
    sequence = Sequence.objects.create(
        study=study, key=key, label=label.strip(), order=next_order(study.sequences)
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
    changes = field_changes(sequence, {"label": label.strip()}, ["label"])
    sequence.label = label.strip()
    sequence.save()
    audit_changes(
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


@transaction.atomic
def sequence_move(*, sequence: Sequence, direction: str, actor=None, request=None) -> None:
    require_draft(sequence.study)
    move_in_order(sequence, sequence.study.sequences.all(), direction)
    audit_record(
        action="sequence.move",
        actor=actor,
        study=sequence.study,
        target=sequence,
        data={"key": sequence.key, "direction": direction},
        request=request,
    )
