"""STOW-RS with tokens for every role, and resumable chunked uploads end to end."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from pydicom.data import get_testdata_file
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from readerstudy.imaging.models import ImportJob, InboxInstance, Series
from tests.imaging.dicom_factory import write_series

BOUNDARY = "frontier"


def stow_body(*parts: bytes) -> bytes:
    body = b""
    for part in parts:
        body += f"--{BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n".encode() + part + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


CONTENT_TYPE = f'multipart/related; type="application/dicom"; boundary={BOUNDARY}'


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def mr_small() -> bytes:
    with open(get_testdata_file("MR_small.dcm", download=False), "rb") as handle:
        return handle.read()


def test_a_coordinators_token_stores_instances_in_the_inbox(study, alice):
    response = token_client(alice).post(
        f"/api/studies/{study.slug}/dicomweb/studies",
        data=stow_body(mr_small()),
        content_type=CONTENT_TYPE,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/dicom+json"
    body = json.loads(response.content)
    assert len(body["00081199"]["Value"]) == 1  # ReferencedSOPSequence
    [instance] = InboxInstance.objects.filter(study=study)
    assert instance.source == "STOW-RS by alice"


def test_a_part_that_is_not_dicom_fails_alone_with_a_reason(study, alice):
    response = token_client(alice).post(
        f"/api/studies/{study.slug}/dicomweb/studies",
        data=stow_body(mr_small(), b"not dicom at all"),
        content_type=CONTENT_TYPE,
    )
    assert response.status_code == 202
    body = json.loads(response.content)
    [failed] = body["00081198"]["Value"]  # FailedSOPSequence
    assert failed["00081197"]["Value"] == [0xC000]  # FailureReason: cannot understand
    assert InboxInstance.objects.filter(study=study).count() == 1


@pytest.mark.parametrize("who", ["bob", "charlie", "dave"])
def test_readers_outsiders_and_other_coordinators_cannot_stow(
    study, other_study, bob, charlie, dave, who
):
    user = {"bob": bob, "charlie": charlie, "dave": dave}[who]
    response = token_client(user).post(
        f"/api/studies/{study.slug}/dicomweb/studies",
        data=stow_body(mr_small()),
        content_type=CONTENT_TYPE,
    )
    assert response.status_code == 404
    assert not InboxInstance.objects.exists()


def test_no_token_cannot_stow(study):
    response = APIClient().post(
        f"/api/studies/{study.slug}/dicomweb/studies",
        data=stow_body(mr_small()),
        content_type=CONTENT_TYPE,
    )
    assert response.status_code in (401, 403)
    assert not InboxInstance.objects.exists()


def test_a_body_that_is_not_multipart_related_is_refused(study, alice):
    response = token_client(alice).post(
        f"/api/studies/{study.slug}/dicomweb/studies", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 415


def test_a_chunked_upload_resumes_and_imports(study, alice, tmp_path):
    write_series(tmp_path / "export" / "conv", seed=1, description="T2 AX")
    write_series(tmp_path / "export" / "dl", seed=2, description="T2 AX DL")
    archive = shutil.make_archive(str(tmp_path / "site"), "zip", tmp_path / "export")
    with open(archive, "rb") as handle:
        data = handle.read()
    client = token_client(alice)
    base = f"/api/studies/{study.slug}/uploads"

    upload = client.post(base, {"name": "site.zip", "size": len(data)}, format="json").json()
    url = f"{base}/{upload['id']}"
    half = len(data) // 2
    first = client.put(f"{url}?offset=0", data=data[:half], content_type="application/octet-stream")
    assert first.json()["offset"] == half
    # A retried chunk at the wrong offset is refused with where the upload really is.
    again = client.put(f"{url}?offset=0", data=data[:half], content_type="application/octet-stream")
    assert again.status_code == 409 and again.json()["offset"] == half
    assert client.get(url).json()["offset"] == half  # what a resumed page asks
    early = client.post(f"{url}/complete")
    assert early.status_code == 409
    rest = client.put(
        f"{url}?offset={half}", data=data[half:], content_type="application/octet-stream"
    )
    assert rest.json()["offset"] == len(data)

    manifest = io.BytesIO(
        b"case,site,sequence,arm,path\nC1,NYU,T2W,conventional,conv\nC1,NYU,T2W,enhanced,dl\n"
    )
    manifest.name = "manifest.csv"
    done = client.post(f"{url}/complete", {"manifest": manifest}, format="multipart")

    assert done.status_code == 202
    job = ImportJob.objects.get(pk=done.json()["job"])
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.report["summary"]["imported"] == 2
    assert Series.objects.filter(case__study=study).count() == 2
    assert client.get(url).status_code == 404, "the chunks are gone once imported"


def test_the_inbox_button_imports_the_inbox(client, study, alice):
    token_client(alice).post(
        f"/api/studies/{study.slug}/dicomweb/studies",
        data=stow_body(mr_small()),
        content_type=CONTENT_TYPE,
    )
    client.force_login(alice)
    page = client.get(f"/studies/{study.slug}/imports/new/")
    assert b"GLIOMA" in page.content and b"Inbox" in page.content
    series = client.get(f"/api/studies/{study.slug}/inbox").json()
    assert series[0]["instances"] == 1

    response = client.post(f"/studies/{study.slug}/imports/inbox/")

    assert response.status_code == 302
    job = ImportJob.objects.get(source_name="inbox")
    # The study has neither rules nor a manifest here: the import says so, and nothing leaves.
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith("Without a manifest the study needs import rules")
    assert InboxInstance.objects.filter(study=study).count() == 1
