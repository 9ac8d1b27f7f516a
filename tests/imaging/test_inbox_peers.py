"""Real peers fill the inbox: dcmtk's storescu over C-STORE, the dicomweb-client package over
STOW-RS. The inbox then imports through the same path as a folder, with pixels equal to
pydicom's decoding of the files that were sent."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest
from django.core.management import call_command
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_rescale
from pydicom.uid import generate_uid
from rest_framework.authtoken.models import Token

from readerstudy.imaging.models import InboxInstance, Series
from readerstudy.imaging.services.inbox import inbox_import
from readerstudy.imaging.services.listener import inbox_listener
from readerstudy.imaging.volumes import volume_load


def dcmtk_tool(name: str) -> str | None:
    """dcmtk's program, not pynetdicom's console script of the same name."""
    for folder in [*os.environ.get("PATH", "").split(os.pathsep), "/usr/bin"]:
        path = shutil.which(name, path=folder)
        if path is None:
            continue
        with open(path, "rb") as head:
            if b"pynetdicom" in head.read(512):
                continue
        return path
    return None


STORESCU = dcmtk_tool("storescu")
# (wheel file, storescu option proposing its transfer syntax first)
SENT = [
    ("MR_small.dcm", "-xe"),
    ("MR_small_jp2klossless.dcm", "-xv"),
    ("MR_small_jpeg_ls_lossless.dcm", "-xt"),
    ("MR_small_RLE.dcm", "-xr"),
]
ARMS = ["conventional", "enhanced"]


def renamed_copies(folder: Path) -> list[tuple[Path, str]]:
    """Each wheel variant as its own series (new UIDs; pixel data untouched)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, _ in SENT:
        ds = pydicom.dcmread(get_testdata_file(name, download=False))
        ds.SeriesInstanceUID = generate_uid()
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        path = folder / name
        ds.save_as(path)
        files.append((path, ds.SeriesInstanceUID))
    return files


def manifest_for(files: list[tuple[Path, str]]) -> bytes:
    rows = ["case,site,sequence,arm,series_uid"]
    for number, (_, series_uid) in enumerate(files):
        rows.append(f"C{number // 2 + 1},NYU,T2W,{ARMS[number % 2]},{series_uid}")
    return ("\n".join(rows) + "\n").encode()


def assert_pixels_equal_pydicom(files: list[tuple[Path, str]]) -> None:
    for path, series_uid in files:
        ds = pydicom.dcmread(path)
        expected = apply_rescale(ds.pixel_array, ds)
        series = Series.objects.get(series_uid=series_uid)
        assert np.array_equal(volume_load(series.storage_key)[0], expected), path.name


@pytest.mark.skipif(STORESCU is None, reason="dcmtk's storescu is not installed")
@pytest.mark.django_db(transaction=True)
def test_storescu_sends_compressed_and_uncompressed_files_into_the_inbox(study, tmp_path):
    files = renamed_copies(tmp_path / "sent")
    scp = inbox_listener()
    _, port = scp.start("127.0.0.1", 0)
    try:
        for (path, _), (_, option) in zip(files, SENT, strict=True):
            result = subprocess.run(
                [STORESCU, "-aec", study.dicom_ae_title, option, "127.0.0.1", str(port), path],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0, result.stderr
        refused = subprocess.run(
            [STORESCU, "-aec", "NOT_A_STUDY", "127.0.0.1", str(port), files[0][0]],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        scp.stop()
    assert refused.returncode != 0
    assert "Called AE Title Not Recognized" in refused.stderr + refused.stdout
    assert InboxInstance.objects.filter(study=study).count() == 4
    syntaxes = set(InboxInstance.objects.values_list("transfer_syntax", flat=True))
    assert len(syntaxes) == 4, "each file kept the transfer syntax it was sent in"

    report = inbox_import(study=study, manifest=manifest_for(files))

    assert len(report.imported) == 4, report.as_text()
    assert_pixels_equal_pydicom(files)
    assert not InboxInstance.objects.filter(study=study).exists(), "imported instances leave"


def test_the_default_ae_title_is_the_slug_upper_cased(db):
    from readerstudy.studies.services import study_create

    assert study_create(slug="pacs").dicom_ae_title == "PACS"
    assert study_create(slug="glioma-dl-2025-multicentre").dicom_ae_title == "GLIOMA_DL_2025_M"


@pytest.mark.django_db(transaction=True)
def test_dicomweb_client_stores_via_stow_rs_and_the_inbox_imports(
    study, alice, live_server, tmp_path
):
    from dicomweb_client.api import DICOMwebClient

    files = renamed_copies(tmp_path / "sent")
    token = Token.objects.create(user=alice).key
    client = DICOMwebClient(
        url=f"{live_server.url}/api/studies/{study.slug}/dicomweb",
        headers={"Authorization": f"Token {token}"},
    )
    response = client.store_instances(datasets=[pydicom.dcmread(p) for p, _ in files])

    assert len(response.ReferencedSOPSequence) == 4
    assert "FailedSOPSequence" not in response
    assert InboxInstance.objects.filter(study=study).count() == 4

    out = io.StringIO()
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes(manifest_for(files))
    call_command("import_dicom", study.slug, inbox=True, manifest=str(manifest), stdout=out)
    assert "Imported: 4 series" in out.getvalue()
    assert_pixels_equal_pydicom(files)

    again = io.StringIO()
    call_command("import_dicom", study.slug, inbox=True, stdout=again)  # exits 0
    assert "The inbox is empty: nothing to import." in again.getvalue()
