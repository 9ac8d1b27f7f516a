"""Per-arm pixel statistics of ROIs, from one mask per ROI after checking the arms' geometry."""

from __future__ import annotations

import numpy as np
from django.utils.text import slugify

from readerstudy.imaging.models import ROI, Arm, Series
from readerstudy.imaging.pairing import geometry_differences
from readerstudy.imaging.rois.geometry import roi_mask, series_of
from readerstudy.imaging.rois.masks import roi_pixel_stats
from readerstudy.imaging.volumes import volume_load
from readerstudy.studies.models import Case, Sequence, Study


class ROIRefused(ValueError):
    """The ROI statistics cannot be computed (e.g. the arms' geometry differs); says why."""


def roi_frame_label(roi: ROI) -> str:
    """The label an ROI has in the statistics: its label, or ``custom_<name>`` for custom ROIs."""
    if roi.label == ROI.Label.CUSTOM and roi.name:
        return "custom_" + slugify(roi.name).replace("-", "_")
    return roi.label


def pair_for_rois(case: Case, sequence: Sequence) -> dict[str, Series]:
    """Both arms of a case × sequence, refused unless both exist with the same geometry."""
    series = series_of(case, sequence)
    where = f"case {case.identifier} {sequence.key}"
    for arm in Arm.values:
        if arm not in series:
            raise ROIRefused(
                f"ROI statistics need both arms, but {where} has no {arm} series; "
                "import it or delete the ROIs of that pair."
            )
    differences = geometry_differences(series[Arm.CONVENTIONAL], series[Arm.ENHANCED])
    if differences:
        raise ROIRefused(
            f"The two arms of {where} do not share a geometry ({'; '.join(differences)}), so the "
            "same ROI cannot select the same pixels in both; fix the import of that pair."
        )
    return series


def _physical_slice(series: Series, index: int) -> np.ndarray:
    """One slice in physical units: stored value × RescaleSlope + RescaleIntercept."""
    stored = np.asarray(volume_load(series.storage_key)[index], dtype=np.float64)
    if series.rescale_slope != 1.0 or series.rescale_intercept != 0.0:
        stored = stored * series.rescale_slope + series.rescale_intercept
    return stored


def roi_stats(study: Study, *, rois=None, include_excluded: bool = False) -> list[dict]:
    """Mean, SD (n − 1) and pixel count of every ROI on both arms, from the same pixel mask.

    Parameters
    ----------
    study : Study
    rois : iterable of ROI, optional
        A subset (default: every ROI of the study).
    include_excluded : bool
        Also measure ROIs of excluded cases (default: no, like the ratings).

    Returns
    -------
    list of dict
        One row per ROI and arm (conventional first): ``roi, case, sequence, label, name,
        slice_index, shape, arm, mean, sd, n_pixels, snr`` where ``label`` is
        :func:`roi_frame_label` and ``snr`` the apparent SNR mean / SD (None when SD is 0).

    Raises
    ------
    ROIRefused
        When a pair lacks an arm or its arms' geometry differs, or an ROI lies off the volume.
    """
    if rois is None:
        rois = ROI.objects.filter(case__study=study)
        if not include_excluded:
            rois = rois.filter(case__excluded=False)
        rois = rois.select_related("case", "sequence").order_by(
            "case__identifier", "sequence__order", "sequence__key", "label", "slice_index", "pk"
        )
    pairs: dict[tuple[int, int], dict[str, Series]] = {}
    slices: dict[tuple[int, int], np.ndarray] = {}
    rows = []
    for roi in rois:
        key = (roi.case_id, roi.sequence_id)
        if key not in pairs:
            pairs[key] = pair_for_rois(roi.case, roi.sequence)
        pair = pairs[key]
        reference = pair[Arm.CONVENTIONAL]
        if roi.slice_index >= reference.slices:
            raise ROIRefused(
                f"ROI {roi.pk} of case {roi.case.identifier} {roi.sequence.key} is on slice "
                f"{roi.slice_index + 1}, but the series has {reference.slices} slices."
            )
        # One mask, computed once, for both arms: the same pixels by construction.
        mask = roi_mask(roi.shape, roi.points, reference.rows, reference.columns)
        for arm in Arm.values:
            series = pair[arm]
            slice_key = (series.pk, roi.slice_index)
            if slice_key not in slices:
                slices[slice_key] = _physical_slice(series, roi.slice_index)
            stats = roi_pixel_stats(slices[slice_key], mask)
            rows.append(
                {
                    "roi": roi.pk,
                    "case": roi.case.identifier,
                    "sequence": roi.sequence.key,
                    "label": roi_frame_label(roi),
                    "name": roi.name,
                    "slice_index": roi.slice_index,
                    "shape": roi.shape,
                    "arm": arm,
                    **stats,
                    "snr": (stats["mean"] / stats["sd"] if stats["sd"] else None),  # apparent SNR
                }
            )
    return rows
