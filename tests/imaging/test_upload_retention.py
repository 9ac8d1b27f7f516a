"""Uploads that may hold patient data are not kept forever: a failed import's zip and manifest,
and unfinished resumable uploads, are deleted after UPLOAD_RETENTION_DAYS by purge_uploads."""

import io
import os
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from readerstudy.audit.models import AuditEvent
from readerstudy.imaging.models import ImportJob
from readerstudy.imaging.services.retention import uploads_purge
from readerstudy.imaging.services.uploads import upload_chunk, upload_start


def _job(study, *, status, days_ago):
    job = ImportJob.objects.create(study=study, source_name="site.zip", status=status)
    job.upload.save("site.zip", ContentFile(b"PK" + b"x" * 1000), save=False)
    job.manifest.save("manifest.csv", ContentFile(b"case,site\n"), save=False)
    job.save()
    finished = timezone.now() - timedelta(days=days_ago)
    ImportJob.objects.filter(pk=job.pk).update(finished_at=finished, created_at=finished)
    job.refresh_from_db()
    return job


def test_a_failed_imports_upload_is_deleted_after_the_retention(study):
    old = _job(study, status=ImportJob.Status.FAILED, days_ago=8)
    recent = _job(study, status=ImportJob.Status.FAILED, days_ago=2)
    names = [old.upload.name, old.manifest.name]
    report = uploads_purge()
    assert report.jobs == [old.pk] and report.bytes >= 1000
    assert not any(default_storage.exists(n) for n in names)
    old.refresh_from_db()
    assert not old.upload and not old.manifest
    assert default_storage.exists(recent.upload.name)
    event = AuditEvent.objects.get(action="import.upload_purge")
    assert event.study == study and event.data["retention_days"] == 7


def test_the_purge_leaves_running_and_queued_jobs_alone(study):
    running = _job(study, status=ImportJob.Status.RUNNING, days_ago=30)
    queued = _job(study, status=ImportJob.Status.QUEUED, days_ago=30)
    assert uploads_purge().jobs == []
    assert default_storage.exists(running.upload.name) and default_storage.exists(
        queued.upload.name
    )


@override_settings(UPLOAD_RETENTION_DAYS=1)
def test_the_retention_is_a_setting(study):
    job = _job(study, status=ImportJob.Status.FAILED, days_ago=2)
    assert uploads_purge().jobs == [job.pk]


def test_an_unfinished_resumable_upload_is_deleted_after_the_retention(study):
    stale = upload_start(study_id=study.pk, name="big.zip", size=100)
    upload_chunk(study_id=study.pk, upload_id=stale.id, offset=0, data=b"y" * 10)
    fresh = upload_start(study_id=study.pk, name="new.zip", size=100)
    folder = f"chunked/{study.pk}/{stale.id}"
    old = time.time() - 8 * 86400
    for name in default_storage.listdir(folder)[1]:
        os.utime(default_storage.path(f"{folder}/{name}"), (old, old))
    report = uploads_purge()
    assert report.chunked == ["big.zip"]
    assert default_storage.listdir(folder)[1] == []
    assert default_storage.exists(f"chunked/{study.pk}/{fresh.id}/meta.json")


def test_purge_uploads_runs_with_no_arguments(study):
    _job(study, status=ImportJob.Status.FAILED, days_ago=10)
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert "Deleted the uploads of 1 failed import(s)" in out.getvalue()
    assert "retention 7 days" in out.getvalue()
