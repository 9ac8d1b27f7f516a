"""Background work of the analysis app: one analysis run (django-tasks).

The outputs go to Django's default storage under the run's opaque prefix, so the app server that
serves them need not be the machine that computed them. ``write_outputs`` writes into a local
scratch folder first (it is the same function the command line uses); the folder is removed
once its files are stored.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from readerstudy.analysis.models import AnalysisRun

logger = logging.getLogger(__name__)

# Stages in the order they happen, with the percent shown when each starts.
STAGES = {
    "Reading ratings and ROIs": 5,
    "Computing statistics": 20,
    "Rendering the report": 70,
    "Storing the outputs": 90,
}


def _stage(run_id: int, stage: str) -> None:
    AnalysisRun.objects.filter(pk=run_id).update(stage=stage, progress=STAGES[stage])


def _store(prefix: str, written: dict[str, Path]) -> dict[str, str]:
    """Save every output under ``prefix``; on any failure remove what was saved, then raise."""
    files: dict[str, str] = {}
    try:
        for name, path in written.items():
            with open(path, "rb") as handle:
                files[name] = default_storage.save(f"{prefix}{name}", File(handle, name=name))
    except BaseException:
        for key in files.values():
            default_storage.delete(key)
        raise
    return files


def analysis_execute(*, run_id: int) -> None:
    """Compute one run and store its outputs; any failure ends up in ``run.error``, not raised."""
    from readerstudy.analysis.report.outputs import write_outputs
    from readerstudy.analysis.selectors import analysis_inputs, study_analysis
    from readerstudy.analysis.stats.io import AnalysisInputError

    run = AnalysisRun.objects.select_related("study").get(pk=run_id)
    AnalysisRun.objects.filter(pk=run_id).update(
        status=AnalysisRun.Status.RUNNING, started_at=timezone.now()
    )
    update = {"status": AnalysisRun.Status.FAILED}
    try:
        _stage(run_id, "Reading ratings and ROIs")
        inputs = analysis_inputs(run.study)
        _stage(run_id, "Computing statistics")
        results, frames = study_analysis(
            run.study, margin=run.margin, adjust=run.adjust, inputs=inputs
        )
        _stage(run_id, "Rendering the report")
        with tempfile.TemporaryDirectory(prefix="readerstudy-analysis-") as folder:
            written = write_outputs(results, frames, folder)
            _stage(run_id, "Storing the outputs")
            files = _store(run.storage_prefix, written)
        meta = results["meta"]
        update = {
            "status": AnalysisRun.Status.DONE,
            "stage": "Done",
            "progress": 100,
            "files": files,
            "summary": {
                key: meta[key] for key in ("n_scores", "n_readers", "n_cases", "n_sites", "scale")
            }
            | {"quantitative": bool(results["quantitative"])},
        }
    except AnalysisInputError as refused:
        update["error"] = f"The analysis could not run: {refused}"
    except Exception as unexpected:
        logger.exception("Analysis run %s failed", run_id)
        update["error"] = (
            "The analysis stopped because of an unexpected error "
            f"({type(unexpected).__name__}: {unexpected}). Nothing was stored; the server log "
            "has the details."
        )
    AnalysisRun.objects.filter(pk=run_id).update(finished_at=timezone.now(), **update)


@task()
def analysis_run_task(*, run_id: int) -> None:
    """Run the analysis of one :class:`AnalysisRun` (see :func:`analysis_execute`)."""
    analysis_execute(run_id=run_id)
