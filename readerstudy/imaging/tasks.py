"""Background work of the imaging app: running an uploaded import (django-tasks)."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from django.utils import timezone
from django_tasks import task

from readerstudy.imaging.intake.workdir import work_folder
from readerstudy.imaging.models import ImportJob
from readerstudy.imaging.services.inbox import inbox_import
from readerstudy.imaging.services.intake import ImportRefused, import_dicom
from readerstudy.imaging.services.uploads import upload_chunks_delete, upload_chunks_join

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


def _run(job: ImportJob, inbox: bool, chunks: list[str] | None):
    with work_folder() as folder:
        manifest = _copy_to(job.manifest, folder, "manifest.csv") if job.manifest else None
        if inbox:
            return inbox_import(
                study=job.study,
                manifest=manifest,
                actor=job.created_by,
                progress=JobProgress(job.pk),
            )
        zip_path = folder / _safe_name(job.source_name, "upload.zip")
        if chunks is not None:
            upload_chunks_join(chunks, zip_path)
        else:
            _copy_to(job.upload, folder, zip_path.name)
        return import_dicom(
            study=job.study,
            path=zip_path,
            manifest=manifest,
            actor=job.created_by,
            progress=JobProgress(job.pk),
        )


@task()
def import_job_run(*, job_id: int, inbox: bool = False, chunks: list[str] | None = None) -> None:
    """Run an import job and store its report on the job.

    The job imports its uploaded zip (or, with ``inbox``, the study's inbox; with ``chunks``,
    a zip uploaded in resumable chunks), with the job's manifest when it has one.
    """
    job = ImportJob.objects.select_related("study", "created_by").get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING)
    status, report, error = ImportJob.Status.FAILED, {}, ""
    try:
        result = _run(job, inbox, chunks)
        status, report = ImportJob.Status.DONE, result.as_dict()
    except ImportRefused as refused:
        error = str(refused)
    except Exception as unexpected:
        logger.exception("Import job %s failed", job_id)
        error = f"The import stopped because of an unexpected error ({type(unexpected).__name__})."
    ImportJob.objects.filter(pk=job_id).update(
        status=status, report=report, error=error, finished_at=timezone.now()
    )
    if status == ImportJob.Status.DONE and chunks:
        upload_chunks_delete(chunks)
    if status == ImportJob.Status.DONE and job.upload:
        # The volumes and provenance hold what is needed; do not keep a second copy of the PHI.
        job.upload.delete(save=False)
        ImportJob.objects.filter(pk=job_id).update(upload="")
