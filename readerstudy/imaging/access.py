"""Access helpers of the imaging app: one per resource, used by every view that touches it.

Each resource inside a study takes the study that ``get_study_for_coordinator`` returned, so a
coordinator of study X gets 404 for anything of study Y.
"""

from __future__ import annotations

from django.http import Http404

from readerstudy.imaging.models import ROI, ImportJob, Series
from readerstudy.studies.access import get_study_for_coordinator, in_study
from readerstudy.studies.models import Study


def get_import_job_for_coordinator(user, slug: str, job_id: int) -> ImportJob:
    """The import job ``job_id`` of the study ``slug`` if ``user`` coordinates it; else 404."""
    study = get_study_for_coordinator(user, slug)
    job = ImportJob.objects.filter(pk=job_id, study=study).select_related("study").first()
    if job is None:
        raise Http404("No such import.")
    return job


def get_series_for_coordinator(study: Study, series_id: int) -> Series:
    return in_study(
        Series.objects.select_related("case", "sequence"), case__study=study, pk=series_id
    )


def get_roi_for_coordinator(study: Study, roi_id: int) -> ROI:
    return in_study(ROI.objects.select_related("case__study"), case__study=study, pk=roi_id)
