"""Reads of ROIs: one case × sequence with its ROIs and numbers (the coordinator's ROI page and
API), and the pooled ROI-statistics frame the analysis reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from readerstudy.imaging.models import ROI, Arm, Series
from readerstudy.imaging.rois.stats import ROIRefused, roi_stats
from readerstudy.studies.models import Case, Sequence, Study
from readerstudy.studies.vocabulary import ROI_COLUMNS

if TYPE_CHECKING:  # pandas loads with the analysis, not with every ROI page
    import pandas as pd


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


def roi_stats_frame(study: Study, *, include_excluded: bool = False) -> pd.DataFrame:
    """One row per case × sequence × label × arm: the ROI input of ``readerstudy.analysis``.

    Several ROIs with the same label on one case × sequence are pooled: ``n_pixels`` is their
    total, ``mean`` the pixel-weighted mean (the mean of all their pixels), and ``sd`` the pooled
    within-ROI SD, sqrt(sum((n_i - 1) s_i^2) / sum(n_i - 1)). Pooling the SD within ROIs keeps it
    a measure of noise: the SD of all pixels together would add the signal differences between
    ROIs (e.g. two white-matter ROIs on different slices) and understate the SNR. With one ROI per
    label, the row is that ROI's own mean, SD (n - 1) and pixel count. ROIs with fewer than two
    pixels (no SD) are left out.

    Parameters
    ----------
    study : Study
    include_excluded : bool
        Also use ROIs of excluded cases (default: no, like the ratings).

    Returns
    -------
    DataFrame
        Columns ``case, sequence, label, arm, mean, sd, n_pixels`` (:data:`ROI_COLUMNS`), ordered by
        case, sequence order, label, arm. Empty (with those columns) when the study has no ROIs.

    Raises
    ------
    readerstudy.imaging.rois.ROIRefused
        When a pair with ROIs lacks an arm or its arms' geometry differs.

    References
    ----------
    .. [1] Cohen J (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed.,
       section 2.5 (pooled within-group standard deviation).
    """
    import pandas as pd

    columns = list(ROI_COLUMNS)
    rows = [r for r in roi_stats(study, include_excluded=include_excluded) if r["n_pixels"] >= 2]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=_ROI_DTYPES[c]) for c in columns})
    frame = pd.DataFrame(rows)
    frame["_ss"] = (frame["n_pixels"] - 1) * frame["sd"] ** 2
    frame["_sum"] = frame["n_pixels"] * frame["mean"]
    keys = ["case", "sequence", "label", "arm"]
    pooled = frame.groupby(keys, sort=False, as_index=False).agg(
        _sum=("_sum", "sum"), _ss=("_ss", "sum"), n_pixels=("n_pixels", "sum"), _k=("roi", "size")
    )
    pooled["mean"] = pooled["_sum"] / pooled["n_pixels"]
    pooled["sd"] = (pooled["_ss"] / (pooled["n_pixels"] - pooled["_k"])) ** 0.5
    return pooled[columns].astype(_ROI_DTYPES).reset_index(drop=True)


_ROI_DTYPES = {
    "case": "object",
    "sequence": "object",
    "label": "object",
    "arm": "object",
    "mean": "float64",
    "sd": "float64",
    "n_pixels": "int64",
}


def inbox_series(study: Study) -> list[dict]:
    """What waits in the study's inbox, one row per series: instances, bytes, last arrival."""
    from django.db.models import Count, Max, Min, Sum

    from readerstudy.imaging.models import InboxInstance

    rows = (
        InboxInstance.objects.filter(study=study)
        .values("series_uid")
        .annotate(
            instances=Count("pk"),
            bytes=Sum("size"),
            first_received=Min("received_at"),
            last_received=Max("received_at"),
            source=Max("source"),
        )
        .order_by("-last_received")
    )
    return list(rows)
