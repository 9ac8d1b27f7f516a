"""Background work of the imaging app: running an uploaded import (django-tasks)."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path

from django.utils import timezone
from django_tasks import task

from readerstudy.imaging.models import ImportJob
from readerstudy.imaging.services.intake import ImportRefused, import_dicom

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.5  # at most two progress writes per second


class JobProgress:
    """Writes done/total/stage to the job row as the import goes, without flooding the database."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = 0.0
        self.stage = ""

    def __call__(self, done: int, total: int, stage: str) -> None:
        now = time.monotonic()
        if stage == self.stage and done < total and now - self.last < PROGRESS_INTERVAL_S:
            return
        self.last, self.stage = now, stage
        ImportJob.objects.filter(pk=self.job_id).update(done=done, total=total, stage=stage)


def _copy_to(field_file, folder: Path, name: str) -> Path:
    """Copy a stored file to a local path: storage may be remote, pydicom wants real files."""
    target = folder / name
    with field_file.open("rb") as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink, 1024 * 1024)
    return target


def _safe_name(name: str, default: str) -> str:
    name = Path(name).name
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or default


@task()
def import_job_run(*, job_id: int) -> None:
    """Run the import of an uploaded zip (+ optional manifest) and store the report on the job."""
    job = ImportJob.objects.select_related("study", "created_by").get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING)
    status, report, error = ImportJob.Status.FAILED, {}, ""
    try:
        with tempfile.TemporaryDirectory(prefix="readerstudy-upload-") as folder:
            zip_path = _copy_to(job.upload, Path(folder), _safe_name(job.source_name, "upload.zip"))
            manifest = (
                _copy_to(job.manifest, Path(folder), "manifest.csv") if job.manifest else None
            )
            result = import_dicom(
                study=job.study,
                path=zip_path,
                manifest=manifest,
                actor=job.created_by,
                progress=JobProgress(job_id),
            )
        status, report = ImportJob.Status.DONE, result.as_dict()
    except ImportRefused as refused:
        error = str(refused)
    except Exception as unexpected:
        logger.exception("Import job %s failed", job_id)
        error = f"The import stopped because of an unexpected error ({type(unexpected).__name__})."
    ImportJob.objects.filter(pk=job_id).update(
        status=status, report=report, error=error, finished_at=timezone.now()
    )
    if status == ImportJob.Status.DONE and job.upload:
        # The volumes and provenance hold what is needed; do not keep a second copy of the PHI.
        job.upload.delete(save=False)
        ImportJob.objects.filter(pk=job_id).update(upload="")
