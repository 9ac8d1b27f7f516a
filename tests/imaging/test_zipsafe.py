"""Zip uploads: unsafe entries and zip bombs are refused before anything is extracted."""

from __future__ import annotations

import stat
import zipfile

import pytest
from django.test import override_settings

from readerstudy.imaging.intake.zipsafe import ZipRejected, zip_extract_safely
from readerstudy.imaging.services.intake import ImportRefused, import_dicom
from tests.imaging.dicom_factory import write_series

MANIFEST = b"case,site,sequence,arm,path\nC1,NYU,T2W,conventional,export/conv\n"


def make_zip(path, entries: dict[str, bytes], *, symlink: str | None = None):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def test_a_good_zip_is_extracted(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"x/1.dcm": b"1", "x/y/2.dcm": b"22"})
    count = zip_extract_safely(archive, tmp_path / "out", max_bytes=100)
    assert count == 2
    assert (tmp_path / "out" / "x" / "y" / "2.dcm").read_bytes() == b"22"


def test_an_absolute_path_is_rejected_before_extraction(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"ok.dcm": b"1", "/etc/cron.d/evil": b"2"})
    (tmp_path / "out").mkdir()
    with pytest.raises(ZipRejected) as rejected:
        zip_extract_safely(archive, tmp_path / "out", max_bytes=100)
    assert str(rejected.value) == (
        "The zip is rejected: entry '/etc/cron.d/evil' has an absolute path."
    )
    assert list((tmp_path / "out").iterdir()) == []


def test_a_dot_dot_entry_is_rejected_before_extraction(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"ok.dcm": b"1", "x/../../evil.dcm": b"2"})
    (tmp_path / "out").mkdir()
    with pytest.raises(ZipRejected) as rejected:
        zip_extract_safely(archive, tmp_path / "out", max_bytes=100)
    assert str(rejected.value) == (
        "The zip is rejected: entry 'x/../../evil.dcm' contains '..' and would be written outside "
        "the import folder."
    )
    assert list((tmp_path / "out").iterdir()) == []
    assert not (tmp_path / "evil.dcm").exists()


def test_a_symbolic_link_is_rejected(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"ok.dcm": b"1"}, symlink="link")
    with pytest.raises(ZipRejected) as rejected:
        zip_extract_safely(archive, tmp_path / "out", max_bytes=100)
    assert str(rejected.value) == "The zip is rejected: entry 'link' is a symbolic link."


def test_a_zip_bomb_is_rejected_before_it_is_inflated(tmp_path):
    archive = make_zip(tmp_path / "bomb.zip", {"zeros.dcm": b"\0" * 5_000_000})
    assert archive.stat().st_size < 20_000  # tiny on disk, 5 MB inflated
    (tmp_path / "out").mkdir()
    with pytest.raises(ZipRejected) as rejected:
        zip_extract_safely(archive, tmp_path / "out", max_bytes=1024 * 1024)
    assert str(rejected.value) == (
        "The zip is rejected: its files would take 4.8 MB uncompressed, more than the limit of "
        "1.0 MB. Nothing was extracted."
    )
    assert list((tmp_path / "out").iterdir()) == []


def test_a_zip_that_lies_about_its_sizes_is_stopped_while_extracting(tmp_path):
    archive = make_zip(tmp_path / "liar.zip", {"a.dcm": b"\0" * 50_000})
    data = bytearray(archive.read_bytes())
    # Patch the declared uncompressed size (local header and central directory) down to 10 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        data[start + offset : start + offset + 4] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    (tmp_path / "out").mkdir()
    damaged = []
    count = zip_extract_safely(archive, tmp_path / "out", max_bytes=1000, damaged=damaged)
    # zipfile stops at the declared size and the CRC check then fails; the entry is not kept.
    assert count == 0
    assert damaged == [
        {
            "file": "a.dcm",
            "reason": "damaged in the zip 'liar.zip', skipped (BadZipFile: Bad CRC-32 for file "
            "'a.dcm')",
        }
    ]
    assert list((tmp_path / "out").iterdir()) == []


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(ZipRejected) as rejected:
        zip_extract_safely(tmp_path / "x.zip", tmp_path / "out", max_bytes=100)
    assert str(rejected.value) == "The upload 'x.zip' is not a valid zip file."


def test_importing_a_zip_works_like_a_folder(study, tmp_path):
    write_series(tmp_path / "export" / "conv", slices=3)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted((tmp_path / "export").rglob("*")):
            zf.write(file, file.relative_to(tmp_path).as_posix())

    report = import_dicom(study=study, path=archive, manifest=MANIFEST)

    assert len(report.imported) == 1 and report.source == "export.zip"
    # Paths may also leave out the single top folder that "compress folder" adds.
    manifest = MANIFEST.replace(b"export/conv", b"conv")
    again = import_dicom(study=study, path=archive, manifest=manifest)
    assert len(again.skipped) == 1


@override_settings(MAX_ZIP_UNCOMPRESSED_BYTES=1000)
def test_the_import_refuses_a_zip_over_the_configured_limit(study, tmp_path):
    archive = make_zip(tmp_path / "big.zip", {"a.dcm": b"\0" * 2000})
    with pytest.raises(ImportRefused) as refused:
        import_dicom(study=study, path=archive, manifest=MANIFEST)
    assert str(refused.value) == (
        "The zip is rejected: its files would take 2.0 KB uncompressed, more than the limit of "
        "1000 bytes. Nothing was extracted."
    )


def test_the_import_refuses_a_zip_with_a_dot_dot_entry(study, tmp_path):
    archive = make_zip(tmp_path / "evil.zip", {"../evil.dcm": b"1"})
    with pytest.raises(ImportRefused) as refused:
        import_dicom(study=study, path=archive, manifest=MANIFEST)
    assert str(refused.value).startswith("The zip is rejected: entry '../evil.dcm' contains '..'")
