"""Coordinator pages of the imaging app: upload a DICOM zip, follow its import, read the report."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from readerstudy.audit.services import audit_record
from readerstudy.coordinator.forms.imports import ImportUploadForm, too_large_message
from readerstudy.imaging.access import get_import_job_for_coordinator
from readerstudy.imaging.intake.report import ImportReport
from readerstudy.imaging.models import ImportJob
from readerstudy.imaging.selectors import inbox_series
from readerstudy.imaging.tasks import import_job_run
from readerstudy.studies.gates import coordinator_page
from readerstudy.studies.models import Study

NOT_DRAFT = (
    "This study is {status}: DICOM can only be imported while a study is a draft, before it opens."
)


def _form_page(request, study: Study, form: ImportUploadForm, *, error: str = "", status=200):
    context = {
        "study": study,
        "form": form,
        "error": error,
        "not_draft": "" if study.is_draft else NOT_DRAFT.format(status=study.get_status_display()),
        "max_upload": settings.MAX_UPLOAD_BYTES,
        "jobs": ImportJob.objects.filter(study=study)[:20],
        "inbox": inbox_series(study),
        "listener_port": settings.DICOM_LISTEN_PORT,
    }
    return render(request, "imaging/import_new.html", context, status=status)


@coordinator_page
@csrf_exempt  # so the size check runs before Django reads the body; CSRF is checked below
def import_new(request, study: Study):
    """Upload page: a zip (+ optional manifest). The import runs as a background task."""
    if request.method != "POST":
        return _form_page(request, study, ImportUploadForm(study=study))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.MAX_UPLOAD_BYTES:
        # Refuse before parsing: the oversized body is never read into memory or temp files.
        form = ImportUploadForm(study=study)
        return _form_page(request, study, form, error=too_large_message(length), status=413)
    return _import_post(request, study)


@csrf_protect
def _import_post(request, study: Study):
    form = ImportUploadForm(request.POST, request.FILES, study=study)
    if not study.is_draft:
        return _form_page(request, study, form, status=409)
    if not form.is_valid():
        return _form_page(request, study, form, status=400)
    upload, manifest = form.cleaned_data["upload"], form.cleaned_data.get("manifest")
    with transaction.atomic():
        job = ImportJob.objects.create(
            study=study,
            created_by=request.user,
            source_name=upload.name[:255],
            upload=upload,
            manifest=manifest or "",
            stage="Waiting to start",
        )
        audit_record(
            action="import.upload",
            study=study,
            target=job,
            data={"source": job.source_name, "bytes": upload.size, "manifest": bool(manifest)},
            request=request,
        )
    result = import_job_run.enqueue(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    return redirect("coordinator:import_detail", slug=study.slug, job_id=job.pk)


@coordinator_page
@require_POST
def import_inbox(request, study: Study):
    """Import everything in the study's inbox as a background job (same import as a zip)."""
    if not study.is_draft:
        return _form_page(request, study, ImportUploadForm(study=study), status=409)
    with transaction.atomic():
        job = ImportJob.objects.create(
            study=study, created_by=request.user, source_name="inbox", stage="Waiting to start"
        )
        audit_record(action="import.inbox", study=study, target=job, data={}, request=request)
    result = import_job_run.enqueue(job_id=job.pk, inbox=True)
    ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    return redirect("coordinator:import_detail", slug=study.slug, job_id=job.pk)


@coordinator_page
def import_detail(request, study: Study, job_id: int):
    """Progress while the import runs, then its report."""
    job = get_import_job_for_coordinator(study, job_id)
    report = ImportReport.from_dict(job.report) if job.report else None
    percent = round(100 * job.done / job.total) if job.total else 0
    return render(
        request,
        "imaging/import_detail.html",
        {
            "study": job.study,
            "job": job,
            "report": report,
            "percent": percent,
            "finished": job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED),
        },
    )
