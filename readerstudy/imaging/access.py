"""Access helpers of the imaging app: one per resource, used by every view that touches it."""

from __future__ import annotations

from django.http import Http404

from readerstudy.imaging.models import ImportJob
from readerstudy.studies.access import get_study_for_coordinator


def get_import_job_for_coordinator(user, slug: str, job_id: int) -> ImportJob:
    """The import job ``job_id`` of the study ``slug`` if ``user`` coordinates it; else 404."""
    study = get_study_for_coordinator(user, slug)
    job = ImportJob.objects.filter(pk=job_id, study=study).select_related("study").first()
    if job is None:
        raise Http404("No such import.")
    return job
