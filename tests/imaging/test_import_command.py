"""python manage.py import_dicom: progress on stderr, a report on stdout, an exit status."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from readerstudy.imaging.management.commands.import_dicom import TqdmProgress
from readerstudy.imaging.models import Series
from tests.imaging.dicom_factory import write_series

PAIR = "case,site,sequence,arm,path\nC1,NYU,T2W,conventional,conv\nC1,NYU,T2W,enhanced,dl\n"


@pytest.fixture
def export(tmp_path):
    write_series(tmp_path / "export" / "conv", seed=1)
    write_series(tmp_path / "export" / "dl", seed=2)
    (tmp_path / "manifest.csv").write_text(PAIR)
    return tmp_path / "export", tmp_path / "manifest.csv"


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dicom", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_and_prints_the_report(study, export):
    root, manifest = export
    out, _ = run("glioma", str(root), "--manifest", str(manifest), "--no-progress")

    assert "Imported: 2 series" in out
    assert "Skipped (already there, unchanged): 0 series" in out
    assert "Rejected: 0 series" in out
    assert "Pairs incomplete or mismatched: 0" in out
    assert Series.objects.count() == 2


def test_a_second_run_is_a_no_op_that_says_so(study, export):
    root, manifest = export
    run("glioma", str(root), "--manifest", str(manifest), "--no-progress")
    out, _ = run("glioma", str(root), "--manifest", str(manifest), "--no-progress")

    assert "Imported: 0 series" in out
    assert "Nothing new was imported: 2 series were already there, unchanged." in out


def test_a_dry_run_stores_nothing(study, export):
    root, manifest = export
    out, _ = run("glioma", str(root), "--manifest", str(manifest), "--dry-run", "--no-progress")

    assert out.startswith("Dry run: nothing was stored.")
    assert "Would import: 2 series" in out
    assert not Series.objects.exists()


def test_it_fails_when_nothing_could_be_imported(study, export, tmp_path):
    root, _ = export
    bad = tmp_path / "bad.csv"
    bad.write_text("case,site,sequence,arm,path\nC1,NYU,T2W,conventional,nowhere\n")

    with pytest.raises(CommandError) as error:
        run("glioma", str(root), "--manifest", str(bad), "--no-progress")

    assert str(error.value) == "Nothing could be imported; see the reasons above."


def test_a_refused_import_is_a_clear_error(study, export, tmp_path):
    root, _ = export
    bad = tmp_path / "bad.csv"
    bad.write_text("case,site,sequence,arm,path\nC1,NYU,T2W,dl,conv\n")

    with pytest.raises(CommandError) as error:
        run("glioma", str(root), "--manifest", str(bad))

    assert str(error.value) == (
        "Import refused: Manifest row 1 (line 2): unknown arm 'dl'; use 'conventional' or "
        "'enhanced'."
    )


def test_an_unknown_study_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError) as error:
        run("nope", str(tmp_path))
    assert str(error.value) == "There is no study with the slug 'nope'."


def test_the_progress_bar_restarts_for_each_stage():
    stream = io.StringIO()
    progress = TqdmProgress(stream=stream)
    for done in range(1, 4):
        progress(done, 3, "Reading files")
    progress(0, 2, "Importing series")
    progress(2, 2, "Importing series")
    progress.close()

    text = stream.getvalue()
    assert "Reading files: 100%" in text and "3/3" in text
    assert "Importing series: 100%" in text and "2/2" in text
