"""No file can crash an import: every hostile file is refused with its name and reason, and the
valid files beside it still import."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from pydicom.data import get_testdata_file

from readerstudy.imaging.dicom.header import FileSkipped
from readerstudy.imaging.dicom.read import read_file_headers
from readerstudy.imaging.intake import workdir
from readerstudy.imaging.models import Series
from readerstudy.imaging.services.intake import import_dicom
from tests.imaging.dicom_factory import write_series
from tests.imaging.hostile import HOSTILE, unknown_vr, valid_dataset, write

PAIR = "case,site,sequence,arm,path\nC1,NYU,T2W,conventional,conv\nC1,NYU,T2W,enhanced,dl\n"


def reason_of(path: Path, fast: bool) -> str:
    try:
        headers = read_file_headers(str(path), path.name, fast=fast)
    except FileSkipped as skipped:
        return str(skipped)
    assert len(headers) == 1, "a refused file gives one header, whatever its frame count"
    return headers[0].problem or ""


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_is_refused_with_its_reason_by_both_readers(tmp_path, name):
    build, words = HOSTILE[name]
    path = build(tmp_path / "IM1")
    assert words in reason_of(path, fast=True)
    assert words in reason_of(path, fast=False)


def hostile_export(root: Path) -> str:
    """A valid pair plus every hostile file in its own folder; the manifest maps them all."""
    write_series(root / "conv", seed=1, description="T2 AX")
    write_series(root / "dl", seed=2, description="T2 AX DL")
    rows = [PAIR.rstrip("\n")]
    for number, name in enumerate(sorted(HOSTILE), start=2):
        HOSTILE[name][0](root / name / "IM1")
        rows.append(f"C{number},NYU,T2W,conventional,{name}")
    for number, name in enumerate(["JPGExtended.dcm", "examples_palette.dcm"], start=100):
        folder = root / name.removesuffix(".dcm")
        folder.mkdir()
        shutil.copy(get_testdata_file(name, download=False), folder / "IM1")
        rows.append(f"C{number},NYU,T2W,conventional,{folder.name}")
    return "\n".join(rows) + "\n"


def test_a_set_mixing_every_hostile_file_with_valid_ones_exits_0_with_its_report(
    study, tmp_path, capfd
):
    manifest = hostile_export(tmp_path / "export")
    (tmp_path / "manifest.csv").write_text(manifest)
    out = io.StringIO()

    call_command(
        "import_dicom",
        study.slug,
        str(tmp_path / "export"),
        manifest=str(tmp_path / "manifest.csv"),
        no_progress=True,
        stdout=out,
    )

    text = out.getvalue()
    assert "Imported: 2 series" in text
    assert f"Rejected: {len(HOSTILE) + 2} series" in text
    for name, (_, words) in HOSTILE.items():
        line = next(line for line in text.splitlines() if f"{name}/IM1" in line)
        assert words in line, line
    assert "JPEG Extended (12-bit) cannot be decoded here: needs pylibjpeg-libjpeg" in text
    assert "JPGExtended/IM1" in text
    assert "examples_palette/IM1: its PhotometricInterpretation is PALETTE COLOR" in text
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "pydicom" not in err.lower()


def test_a_file_with_an_unknown_vr_imports_and_its_header_keeps_the_rest(study, tmp_path):
    write_series(tmp_path / "conv", seed=1, description="T2 AX")
    unknown_vr(tmp_path / "dl" / "IM1")

    report = import_dicom(study=study, path=tmp_path, manifest=PAIR.encode())

    assert len(report.imported) == 2
    series = Series.objects.get(arm="enhanced")
    headers = series.provenance.headers
    assert headers["(0008,103E)"] == "<unreadable: NotImplementedError>"
    assert headers["PatientID"] == "P001"


def test_other_modalities_are_refused_by_a_study_of_mr(study, tmp_path):
    write_series(tmp_path / "conv", seed=1, description="T2 AX")
    write_series(tmp_path / "dl", seed=2, description="T2 AX DL", Modality="US")

    report = import_dicom(study=study, path=tmp_path, manifest=PAIR.encode())

    assert len(report.imported) == 1
    [rejected] = report.rejected
    assert rejected["reason"] == "its modality is US; this study accepts only MR"
    assert "dl/" in rejected["source"]


def test_a_study_that_accepts_any_modality_takes_them(study, tmp_path):
    study.modalities = []
    study.save()
    write_series(tmp_path / "conv", seed=1, description="T2 AX", Modality="CT")
    write_series(tmp_path / "dl", seed=2, description="T2 AX DL", Modality="CT")
    report = import_dicom(study=study, path=tmp_path, manifest=PAIR.encode())
    assert len(report.imported) == 2


def test_the_glioma_template_accepts_mr(study):
    assert study.modalities == ["MR"]


def damaged_zip(path: Path, root: Path) -> Path:
    """A zip of ``root`` whose entry 'bad/IM1' has a corrupt deflate stream."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(root.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(root).as_posix())
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("bad/IM1")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 20, start + 60):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def test_a_damaged_entry_of_a_zip_is_skipped_and_the_rest_imports(study, tmp_path):
    root = tmp_path / "export"
    write_series(root / "conv", seed=1, description="T2 AX")
    write_series(root / "dl", seed=2, description="T2 AX DL")
    write(valid_dataset(rows=64, columns=64), root / "bad" / "IM1")
    archive = damaged_zip(tmp_path / "site.zip", root)

    report = import_dicom(study=study, path=archive, manifest=PAIR.encode())

    assert len(report.imported) == 2
    [damaged] = [f for f in report.files_skipped if f["file"] == "bad/IM1"]
    assert damaged["reason"].startswith("damaged in the zip 'site.zip', skipped (")


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_work_folder_of_a_killed_import_is_removed_by_the_next_one(study, tmp_path, settings):
    settings.IMPORT_WORK_DIR = str(tmp_path / "work")
    root = workdir.work_root()
    dead = root / f"{workdir.PREFIX}{dead_pid()}-abc"
    (dead / "files").mkdir(parents=True)
    (dead / workdir.OWNER).write_text(
        json.dumps({"host": os.uname().nodename, "pid": dead_pid(), "start": None})
    )
    alive = root / f"{workdir.PREFIX}{os.getpid()}-def"
    (alive / "files").mkdir(parents=True)  # no owner file yet: the name says who owns it
    write_series(tmp_path / "conv", seed=1, description="T2 AX")
    shutil.make_archive(str(tmp_path / "upload"), "zip", tmp_path, "conv")

    import_dicom(study=study, path=tmp_path / "upload.zip", manifest=PAIR.encode())

    assert not dead.exists()
    assert alive.exists(), "a running import's folder is never touched, however old"
    assert [p.name for p in root.iterdir()] == [alive.name], "the import cleaned up its own"


def test_a_worker_start_removes_dead_imports_folders(tmp_path, settings):
    settings.IMPORT_WORK_DIR = str(tmp_path / "work")
    dead = workdir.work_root() / f"{workdir.PREFIX}{dead_pid()}-xyz"
    dead.mkdir()
    script = "import sys, django; sys.argv = ['manage.py', 'db_worker']; django.setup()"
    env = {**os.environ, "IMPORT_WORK_DIR": settings.IMPORT_WORK_DIR}
    env.setdefault("DJANGO_SETTINGS_MODULE", "readerstudy.settings_test")
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    assert not dead.exists()
