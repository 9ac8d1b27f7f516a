"""Writes of single ROIs: create and delete, each audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.imaging.models import ROI
from readerstudy.imaging.rois.geometry import (
    LABELS,
    SHAPES,
    check_geometry,
    parse_points,
    reference_series,
    round_points,
)
from readerstudy.studies.models import Case, Sequence


@transaction.atomic
def roi_create(
    *,
    case: Case,
    sequence: Sequence,
    label: str,
    slice_index: int,
    shape: str,
    points,
    name: str = "",
    actor=None,
    request=None,
) -> ROI:
    """Validate and store one ROI of ``case`` × ``sequence``; audited as ``roi.create``.

    Raises
    ------
    ValidationError
        With one sentence naming the bad field.
    """
    if label not in LABELS:
        raise ValidationError(f'Label "{label}" is not one of {", ".join(LABELS)}.')
    if shape not in SHAPES:
        raise ValidationError(f'Shape "{shape}" is not "ellipse" or "polygon".')
    if sequence.study_id != case.study_id:
        raise ValidationError(f"Sequence {sequence.key} is not a sequence of this study.")
    try:
        parsed = parse_points(points)
    except ValueError as error:
        raise ValidationError(f'The field "points" {error}.') from None
    name = (name or "").strip()[:60]
    problems = check_geometry(shape, parsed, slice_index, reference_series(case, sequence))
    if problems:
        raise ValidationError(f"The ROI is not valid: {problems[0]}.")
    roi = ROI.objects.create(
        case=case,
        sequence=sequence,
        label=label,
        name=name,
        slice_index=slice_index,
        shape=shape,
        points=round_points(parsed),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        action="roi.create",
        actor=actor,
        study=case.study,
        target=roi,
        data=audit_data(roi),
        request=request,
    )
    return roi


@transaction.atomic
def roi_delete(*, roi: ROI, actor=None, request=None) -> None:
    """Delete an ROI; audited as ``roi.delete`` with everything needed to redraw it."""
    data = audit_data(roi)
    study = roi.case.study
    audit_record(
        action="roi.delete", actor=actor, study=study, target=roi, data=data, request=request
    )
    roi.delete()


def audit_data(roi: ROI) -> dict:
    return {
        "case": roi.case.identifier,
        "sequence": roi.sequence.key,
        "label": roi.label,
        "name": roi.name,
        "slice_index": roi.slice_index,
        "shape": roi.shape,
        "points": roi.points,
    }
