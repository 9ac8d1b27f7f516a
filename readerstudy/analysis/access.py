"""Access helper of the analysis app: one per resource, used by every view that touches it."""

from __future__ import annotations

from django.http import Http404

from readerstudy.analysis.models import AnalysisRun
from readerstudy.studies.models import Study


def get_analysis_run_for_coordinator(study: Study, run_id: int) -> AnalysisRun:
    """Run ``run_id`` of ``study`` (already resolved by the coordinator gate); else 404."""
    run = AnalysisRun.objects.filter(pk=run_id, study=study).select_related("created_by").first()
    if run is None:
        raise Http404("No such analysis run.")
    return run
