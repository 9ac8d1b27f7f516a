"""Writes of the analysis app: starting an analysis run."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from readerstudy.analysis.models import AnalysisRun
from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Study

# A queued or running run younger than this blocks a second one; an older one is taken to be
# stuck (a worker that died) and no longer blocks.
ACTIVE_RUN_BLOCKS_FOR = timedelta(minutes=15)


def _clean_margin(margin) -> float:
    try:
        value = float(margin)
    except (TypeError, ValueError):
        raise ValidationError(
            f"The non-inferiority margin must be a number of score points, not {margin!r}."
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise ValidationError(
            f"The non-inferiority margin must be a positive number of score points, not {margin}."
        )
    return value


@transaction.atomic
def _analysis_run_create(*, study: Study, actor, margin, adjust: str, request) -> AnalysisRun:
    # Serialize starts per study, so two clicks cannot queue two runs.
    Study.objects.select_for_update().filter(pk=study.pk).first()
    if adjust not in AnalysisRun.Adjust.values:
        raise ValidationError(
            f'Unknown multiplicity adjustment "{adjust}"; choose holm or bh (Benjamini–Hochberg).'
        )
    margin = _clean_margin(study.noninferiority_margin if margin is None else margin)
    busy = AnalysisRun.objects.filter(
        study=study,
        status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING],
        created_at__gte=timezone.now() - ACTIVE_RUN_BLOCKS_FOR,
    ).first()
    if busy is not None:
        raise ValidationError(
            f"An analysis of this study is already {busy.get_status_display().lower()} "
            f"(started {busy.created_at:%Y-%m-%d %H:%M} UTC); wait for it to finish."
        )
    run = AnalysisRun.objects.create(
        study=study,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        margin=margin,
        adjust=adjust,
        stage="Waiting to start",
        # Opaque: the key says nothing about the study, so a leaked URL of the storage says
        # nothing either, and runs never overwrite each other.
        storage_prefix=f"analysis/{secrets.token_hex(16)}/",
    )
    audit_record(
        action="analysis.run",
        actor=actor,
        study=study,
        target=run,
        data={"margin": margin, "adjust": adjust},
        request=request,
    )
    return run


def analysis_run(
    *,
    study: Study,
    actor,
    margin: float | None = None,
    adjust: str = "holm",
    request=None,
    background: bool = True,
) -> AnalysisRun:
    """Start an analysis of ``study``: record the run, then enqueue it as a background task.

    Parameters
    ----------
    study : Study
        The study to analyse (its submitted scores and ROI statistics).
    actor : User or None
        Who started it (None for a command-line run).
    margin : float, optional
        Non-inferiority margin in score points; default the study's margin.
    adjust : {"holm", "bh"}
        Multiplicity adjustment across sequences × criteria.
    request : HttpRequest, optional
        For the audit trail's address.
    background : bool
        False runs it in this process before returning (management commands).

    Returns
    -------
    AnalysisRun
        Queued (background) or finished (``background=False``).

    Raises
    ------
    ValidationError
        Bad margin or adjustment, or a run of this study is already under way.
    """
    from readerstudy.analysis.tasks import analysis_execute, analysis_run_task

    run = _analysis_run_create(
        study=study, actor=actor, margin=margin, adjust=adjust, request=request
    )
    if background:
        result = analysis_run_task.enqueue(run_id=run.pk)
        AnalysisRun.objects.filter(pk=run.pk, task_id="").update(task_id=str(result.id)[:64])
    else:
        analysis_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def analysis_export(
    *,
    study: Study,
    out,
    margin: float | None = None,
    adjust: str = "holm",
    icc_estimator: str = "anova",
    power_effect: float | None = None,
    actor=None,
) -> dict:
    """Analyse ``study`` and write ``results.json``, the CSV tables and ``report.html`` to ``out``.

    The command-line path (``manage.py analyze``): the same computation as a run, written to a
    local folder instead of the storage, and recorded in the audit trail. ``icc_estimator``
    (``"anova"``, the classic default, or ``"reml"``) and ``power_effect`` (default the
    margin) are the options a run through the web always takes at their defaults.

    Returns
    -------
    dict
        ``{"results": results.json dict, "written": {name: Path}}``.

    Raises
    ------
    ValidationError
        Bad margin, adjustment, ICC estimator or power effect.
    AnalysisInputError
        Nothing to analyse, or invalid stored data (the message says which).
    """
    from readerstudy.analysis.report.outputs import write_outputs
    from readerstudy.analysis.selectors import study_analysis
    from readerstudy.analysis.stats.icc import ICC_ESTIMATORS

    if adjust not in AnalysisRun.Adjust.values:
        raise ValidationError(
            f'Unknown multiplicity adjustment "{adjust}"; choose holm or bh (Benjamini–Hochberg).'
        )
    if icc_estimator not in ICC_ESTIMATORS:
        raise ValidationError(
            f'Unknown ICC estimator "{icc_estimator}"; choose anova (classic) or reml.'
        )
    margin = _clean_margin(study.noninferiority_margin if margin is None else margin)
    if power_effect is not None and not (math.isfinite(power_effect) and power_effect > 0):
        raise ValidationError(
            f"The difference for the power table must be a positive number of points, "
            f"not {power_effect}."
        )
    results, frames = study_analysis(
        study,
        margin=margin,
        adjust=adjust,
        icc_estimator=icc_estimator,
        power_effect=power_effect,
    )
    written = write_outputs(results, frames, out)
    audit_record(
        action="analysis.export",
        actor=actor,
        study=study,
        target=study,
        data={
            "via": "cli",
            "margin": margin,
            "adjust": adjust,
            "icc_estimator": icc_estimator,
            "power_effect": results["power"]["effect"],
            "n_scores": results["meta"]["n_scores"],
            "files": sorted(written),
        },
    )
    return {"results": results, "written": written}
