"""Uploads that may hold patient data are not kept forever.

A successful import deletes its zip at once (the volumes and provenance keep what is needed). A
failed import keeps its zip and manifest for ``UPLOAD_RETENTION_DAYS`` (default 7), so the
coordinator can look into it or import again, and ``uploads_purge`` then deletes them; resumable
uploads that were never finished go the same way. ``manage.py purge_uploads`` runs it, and the
worker runs it once a day. Leftover extraction folders of killed imports are removed separately,
when the next import or worker starts (``imaging.intake.workdir``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from readerstudy.audit.services import audit_record
from readerstudy.imaging.models import ImportJob
from readerstudy.imaging.services.uploads import ROOT as CHUNKED_ROOT

FINISHED_UNSUCCESSFULLY = [ImportJob.Status.FAILED]


@dataclass
class PurgeReport:
    jobs: list[int] = field(default_factory=list)  # import jobs whose files were deleted
    chunked: list[str] = field(default_factory=list)  # unfinished resumable uploads deleted
    bytes: int = 0

    def as_text(self) -> str:
        return (
            f"Deleted the uploads of {len(self.jobs)} failed import(s) and "
            f"{len(self.chunked)} unfinished upload(s), {self.bytes / 1e6:.1f} MB."
        )


def retention() -> timedelta:
    return timedelta(days=int(getattr(settings, "UPLOAD_RETENTION_DAYS", 7)))


def _size(name: str) -> int:
    try:
        return default_storage.size(name)
    except (FileNotFoundError, OSError):
        return 0


def _purge_jobs(cutoff: datetime, report: PurgeReport) -> None:
    stale = ImportJob.objects.filter(status__in=FINISHED_UNSUCCESSFULLY).filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    for job in stale.exclude(upload="", manifest="").select_related("study"):
        names = [f.name for f in (job.upload, job.manifest) if f]
        if not names:
            continue
        removed = sum(_size(name) for name in names)
        for name in names:
            default_storage.delete(name)
        ImportJob.objects.filter(pk=job.pk).update(upload="", manifest="")
        audit_record(
            action="import.upload_purge",
            study=job.study,
            target=job,
            data={"files": len(names), "bytes": removed, "retention_days": retention().days},
        )
        report.jobs.append(job.pk)
        report.bytes += removed


def _purge_chunked(cutoff: datetime, report: PurgeReport) -> None:
    try:
        studies = default_storage.listdir(CHUNKED_ROOT)[0]
    except (FileNotFoundError, NotADirectoryError):
        return
    for study in studies:
        for upload in default_storage.listdir(f"{CHUNKED_ROOT}/{study}")[0]:
            folder = f"{CHUNKED_ROOT}/{study}/{upload}"
            names = [f"{folder}/{n}" for n in default_storage.listdir(folder)[1]]
            meta = f"{folder}/meta.json"
            try:
                touched = default_storage.get_modified_time(meta)
            except (FileNotFoundError, OSError):
                touched = None
            latest = max((default_storage.get_modified_time(n) for n in names), default=touched)
            if latest is None or latest >= cutoff:
                continue
            described = _describe(meta, upload)
            report.bytes += sum(_size(n) for n in names)
            for name in names:
                default_storage.delete(name)
            report.chunked.append(described)


def _describe(meta: str, upload: str) -> str:
    try:
        with default_storage.open(meta) as handle:
            return json.loads(handle.read()).get("name", upload)
    except (FileNotFoundError, OSError, ValueError):
        return upload


def uploads_purge(*, now: datetime | None = None) -> PurgeReport:
    """Delete the uploads of failed imports and unfinished resumable uploads past retention."""
    cutoff = (now or timezone.now()) - retention()
    report = PurgeReport()
    _purge_jobs(cutoff, report)
    _purge_chunked(cutoff, report)
    return report
