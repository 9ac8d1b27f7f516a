"""Access helpers for ROIs, used by every ROI view. Each takes the study that
``get_study_for_coordinator`` returned, so a coordinator of study X gets 404 for anything of Y."""

from __future__ import annotations

from django.http import Http404

from readerstudy.imaging.models import ROI
from readerstudy.studies.models import Sequence, Study


def get_sequence_by_key_for_coordinator(study: Study, key: str) -> Sequence:
    sequence = Sequence.objects.filter(study=study, key=key).first()
    if sequence is None:
        raise Http404("No such sequence in this study.")
    return sequence


def get_roi_for_coordinator(study: Study, roi_id: int) -> ROI:
    roi = ROI.objects.filter(pk=roi_id, case__study=study).select_related("case__study").first()
    if roi is None:
        raise Http404("No such ROI in this study.")
    return roi
