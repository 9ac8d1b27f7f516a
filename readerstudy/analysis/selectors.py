"""Reads of the analysis app: what to analyse for a study, and its analysis runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from readerstudy.analysis.models import AnalysisRun
from readerstudy.studies.models import Criterion, Sequence, Study

if TYPE_CHECKING:  # pandas loads with the analysis, not with every page
    import pandas as pd


@dataclass
class AnalysisInputs:
    """Everything ``run_analysis`` needs from the database for one study.

    The scale is not among them: every row of the ratings frame carries its criterion's
    ``scale_min`` and ``scale_max``, exactly as the ratings export does.
    """

    ratings: pd.DataFrame
    roi_stats: pd.DataFrame | None
    sequences: list[str]
    criteria: list[str]
    labels: dict[str, str]
    noninferiority_criteria: list[str]
    margin: float


def analysis_inputs(study: Study) -> AnalysisInputs:
    """The study's submitted ratings, its ROI statistics when any ROI exists, and its protocol.

    Sequences and criteria come in the study's protocol order, so every table follows it, with
    their labels for the report; the criteria marked for non-inferiority are the ones tested.
    """
    from readerstudy.analysis.stats.io import AnalysisInputError
    from readerstudy.imaging.rois.stats import ROIRefused
    from readerstudy.imaging.selectors import roi_stats_frame
    from readerstudy.reading.selectors.frame import ratings_frame

    try:
        roi_stats = roi_stats_frame(study)
    except ROIRefused as refused:
        raise AnalysisInputError(f"The ROI statistics cannot be computed: {refused}") from None
    sequences = Sequence.objects.filter(study=study).order_by("order", "key")
    criteria = Criterion.objects.filter(study=study).order_by("order", "key")
    labels = dict(sequences.values_list("key", "label"))
    labels |= dict(criteria.values_list("key", "label"))
    return AnalysisInputs(
        ratings=ratings_frame(study),
        roi_stats=roi_stats if len(roi_stats) else None,
        sequences=_keys(sequences),
        criteria=_keys(criteria),
        labels={key: text for key, text in labels.items() if text},
        noninferiority_criteria=_keys(criteria.filter(noninferiority=True)),
        margin=float(study.noninferiority_margin),
    )


def _keys(queryset) -> list[str]:
    return list(queryset.order_by("order", "key").values_list("key", flat=True))


def latest_run(study: Study) -> AnalysisRun | None:
    """The study's most recent analysis run, whatever its status."""
    return AnalysisRun.objects.filter(study=study).select_related("created_by").first()


def latest_finished_run(study: Study) -> AnalysisRun | None:
    """The most recent run that produced a report."""
    return (
        AnalysisRun.objects.filter(study=study, status=AnalysisRun.Status.DONE)
        .select_related("created_by")
        .first()
    )


def recent_runs(study: Study, limit: int = 10) -> list[AnalysisRun]:
    return list(AnalysisRun.objects.filter(study=study).select_related("created_by")[:limit])


def study_analysis(
    study: Study,
    *,
    margin: float | None = None,
    adjust: str = "holm",
    icc_estimator: str = "anova",
    power_effect: float | None = None,
    inputs: AnalysisInputs | None = None,
) -> tuple[dict, dict[str, pd.DataFrame | None]]:
    """Run the analysis on a study's database contents (no files written).

    Returns the ``results.json`` dict and the frames :func:`write_outputs` draws its figures
    from. ``margin`` defaults to the study's non-inferiority margin, ``power_effect`` to the
    margin; ``inputs`` (default: read now) are the study's :func:`analysis_inputs`. Raises
    ``AnalysisInputError`` with a sentence a coordinator can act on when there is nothing to
    analyse yet.
    """
    from readerstudy.analysis.stats.io import AnalysisInputError
    from readerstudy.analysis.stats.results import run_analysis

    inputs = inputs or analysis_inputs(study)
    if inputs.ratings.empty:
        raise AnalysisInputError(
            f"The study '{study.slug}' has no submitted scores yet; the analysis needs at least "
            "one submitted task."
        )
    results = run_analysis(
        inputs.ratings,
        roi_stats=inputs.roi_stats,
        margin=inputs.margin if margin is None else margin,
        adjust=adjust,
        noninferiority_criteria=inputs.noninferiority_criteria,
        icc_estimator=icc_estimator,
        power_effect=power_effect,
        labels=inputs.labels,
        source=f"ratings of {study.slug}",
        roi_source=f"ROI statistics of {study.slug}",
        sequences=inputs.sequences,
        criteria=inputs.criteria,
    )
    return results, {"ratings": inputs.ratings, "roi_stats": inputs.roi_stats}
