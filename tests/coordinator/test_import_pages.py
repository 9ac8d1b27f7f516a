"""Browser import: upload page, background task, progress endpoint and report, coordinators only."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from readerstudy.audit.models import AuditEvent
from readerstudy.imaging.models import ImportJob, Series
from tests.imaging.dicom_factory import write_series

MANIFEST = b"case,site,sequence,arm,path\nC1,NYU,T2W,conventional,conv\nC1,NYU,T2W,enhanced,dl\n"


@pytest.fixture
def export_zip(tmp_path) -> bytes:
    write_series(tmp_path / "conv", seed=1, description="T2 AX")
    write_series(tmp_path / "dl", seed=2, description="T2 AX DL")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(tmp_path.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(tmp_path).as_posix())
    return buffer.getvalue()


def new_url(slug="glioma"):
    return reverse("coordinator:import_new", args=[slug])


def upload(client, data: bytes, *, manifest: bytes | None = MANIFEST, name="export.zip"):
    files = {"upload": SimpleUploadedFile(name, data, content_type="application/zip")}
    if manifest is not None:
        files["manifest"] = SimpleUploadedFile("manifest.csv", manifest, content_type="text/csv")
    return client.post(new_url(), files)


def test_the_coordinator_sees_the_upload_form(client, alice, study):
    client.force_login(alice)
    response = client.get(new_url())
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content


@pytest.mark.parametrize("who", ["bob", "charlie", "dave"])
def test_everyone_else_gets_404(client, study, other_study, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(new_url()).status_code == 404
    job = ImportJob.objects.create(study=study, source_name="x.zip")
    detail = reverse("coordinator:import_detail", args=["glioma", job.pk])
    progress = reverse("coordinator_api:import_progress", args=["glioma", job.pk])
    assert client.get(detail).status_code == 404
    assert client.get(progress).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, study):
    response = client.get(new_url())
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    job = ImportJob.objects.create(study=study, source_name="x.zip")
    progress = reverse("coordinator_api:import_progress", args=["glioma", job.pk])
    assert client.get(progress).status_code in (401, 403)


def test_a_coordinator_cannot_see_another_studys_import(client, alice, study, other_study):
    job = ImportJob.objects.create(study=other_study, source_name="x.zip")
    client.force_login(alice)
    assert (
        client.get(reverse("coordinator:import_detail", args=["glioma", job.pk])).status_code == 404
    )
    assert (
        client.get(reverse("coordinator:import_detail", args=["other", job.pk])).status_code == 404
    )


def test_an_upload_runs_as_a_task_and_shows_its_report(client, alice, study, export_zip):
    client.force_login(alice)
    response = upload(client, export_zip)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coordinator:import_detail", args=["glioma", job.pk])
    assert job.status == "done" and job.task_id
    assert (job.done, job.total, job.stage) == (2, 2, "Importing series")
    assert job.report["summary"]["imported"] == 2
    assert not job.upload  # the uploaded PHI is not kept once imported
    assert Series.objects.count() == 2

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Series imported" in page.content
    assert b"T2 AX DL" in page.content  # the coordinator sees what was hidden
    assert b"<script>" not in page.content

    progress = client.get(
        reverse("coordinator_api:import_progress", args=["glioma", job.pk])
    ).json()
    assert progress == {
        "status": "done",
        "stage": "Importing series",
        "done": 2,
        "total": 2,
        "finished": True,
        "error": "",
        "report_url": response["Location"],
    }
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"import.upload", "import.run"} <= actions


def test_a_running_import_shows_a_progress_bar_driven_by_a_module(client, alice, study):
    job = ImportJob.objects.create(
        study=study, source_name="x.zip", status="running", done=3, total=10, stage="Reading files"
    )
    client.force_login(alice)

    page = client.get(
        reverse("coordinator:import_detail", args=["glioma", job.pk])
    ).content.decode()

    assert '<progress max="10" value="3"' in page
    assert 'data-progress-url="/api/studies/glioma/imports/' in page
    assert '<script type="module" src="/static/coordinator/import-progress.js">' in page


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, alice, study, export_zip):
    client.force_login(alice)
    response = upload(client, export_zip)

    assert response.status_code == 413
    assert "The upload is too large: " in response.content.decode()
    assert "and the limit is 1000 bytes." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_too_large_message_names_both_sizes():
    from readerstudy.coordinator.forms.imports import too_large_message

    with override_settings(MAX_UPLOAD_BYTES=4 * 1024**3):
        assert too_large_message(5 * 1024**3) == (
            "The upload is too large: 5.0 GB, and the limit is 4.0 GB. Split the export into "
            "several zips, or import it on the server with `manage.py import_dicom`."
        )


def test_a_file_that_is_not_a_zip_is_refused_on_the_form(client, alice, study):
    client.force_login(alice)
    response = upload(client, b"hello", name="scan.pdf")
    assert response.status_code == 400
    assert "&#x27;scan.pdf&#x27; is not a zip file." in response.content.decode()


def test_manifest_errors_are_shown_on_the_form_with_their_row(client, alice, study, export_zip):
    client.force_login(alice)
    bad = b"case,site,sequence,arm,path\nC1,NYU,T2W,conventional,conv\nC1,NYU,T3,enhanced,dl\n"
    response = upload(client, export_zip, manifest=bad)

    assert response.status_code == 400
    assert (
        "Manifest row 2 (line 3): unknown sequence &#x27;T3&#x27;; the study&#x27;s sequences "
        "are T2W, FLAIR, T1CE." in response.content.decode()
    )
    assert not ImportJob.objects.exists()


def test_an_unsafe_zip_fails_the_job_with_the_reason(client, alice, study):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/evil.dcm", b"x")
    client.force_login(alice)

    response = upload(client, buffer.getvalue())

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.error == (
        "The zip is rejected: entry '../../etc/evil.dcm' contains '..' and would be written "
        "outside the import folder."
    )
    page = client.get(response["Location"]).content.decode()
    assert "The import was refused: The zip is rejected" in page


def test_an_open_study_refuses_uploads_with_a_clear_message(client, alice, study, export_zip):
    study.status = "open"
    study.save()
    client.force_login(alice)

    page = client.get(new_url()).content.decode()
    response = upload(client, export_zip)

    message = (
        "This study is Open: DICOM can only be imported while a study is a draft, before it opens."
    )
    assert message in page
    assert response.status_code == 409 and message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_needs_a_csrf_token(alice, study, export_zip):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert upload(client, export_zip).status_code == 403
