"""Reads for the coordinator's ROI page and API: one case × sequence, its ROIs and their numbers."""

from __future__ import annotations

from readerstudy.imaging.models import ROI, Arm, Series
from readerstudy.imaging.rois.stats import ROIRefused, roi_stats
from readerstudy.studies.models import Case, Sequence


def pair_rois(case: Case, sequence: Sequence) -> dict:
    """The ROIs of ``case`` × ``sequence`` with mean, SD, pixel count and apparent SNR per arm.

    Returns
    -------
    dict
        ``{"rois": [{id, label, label_display, name, slice_index, shape, points, created_by,
        conventional: {mean, sd, n_pixels, snr} | None, enhanced: ...}], "stats_error": str}``.
        When the statistics are refused (an arm missing, geometries differ) the ROIs are still
        listed, without numbers, and ``stats_error`` says why.
    """
    rois = list(
        ROI.objects.filter(case=case, sequence=sequence)
        .select_related("case", "sequence", "created_by")
        .order_by("slice_index", "label", "pk")
    )
    numbers: dict[tuple[int, str], dict] = {}
    error = ""
    if rois:
        try:
            for row in roi_stats(case.study, rois=rois):
                numbers[row["roi"], row["arm"]] = {
                    key: row[key] for key in ("mean", "sd", "n_pixels", "snr")
                }
        except ROIRefused as refused:
            error = str(refused)
    return {
        "rois": [
            {
                "id": roi.pk,
                "label": roi.label,
                "label_display": roi.get_label_display(),
                "name": roi.name,
                "slice_index": roi.slice_index,
                "shape": roi.shape,
                "points": roi.points,
                "created_by": roi.created_by.get_username() if roi.created_by else "",
                **{arm: numbers.get((roi.pk, arm)) for arm in Arm.values},
            }
            for roi in rois
        ],
        "stats_error": error,
    }


def conventional_series(case: Case, sequence: Sequence) -> Series | None:
    """The series the coordinator draws on (the conventional arm; unblinded, coordinator only)."""
    return Series.objects.filter(case=case, sequence=sequence, arm=Arm.CONVENTIONAL).first()
