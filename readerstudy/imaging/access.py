"""Access helpers of the imaging app: one per resource, used by every view that touches it.

Each resource inside a study takes the study that ``get_study_for_coordinator`` returned, so a
coordinator of study X gets 404 for anything of study Y.
"""

from __future__ import annotations

from readerstudy.imaging.models import ROI, ImportJob, Series
from readerstudy.studies.access import in_study
from readerstudy.studies.models import Study


def get_import_job_for_coordinator(study: Study, job_id: int) -> ImportJob:
    return in_study(ImportJob.objects.select_related("study"), study=study, pk=job_id)


def get_series_for_coordinator(study: Study, series_id: int) -> Series:
    return in_study(
        Series.objects.select_related("case", "sequence"), case__study=study, pk=series_id
    )


def get_roi_for_coordinator(study: Study, roi_id: int) -> ROI:
    return in_study(ROI.objects.select_related("case__study"), case__study=study, pk=roi_id)
