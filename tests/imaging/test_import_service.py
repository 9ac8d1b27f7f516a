"""import_dicom: bad input, idempotent re-runs, transactions, cases and sites, dry runs, audit."""

from __future__ import annotations

import shutil
from unittest import mock

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from readerstudy.audit.models import AuditEvent
from readerstudy.imaging.models import PairCheck, Series, SeriesProvenance
from readerstudy.imaging.services.intake import ImportRefused, import_dicom
from readerstudy.imaging.volumes import volume_load, volume_storage
from readerstudy.studies.models import Case, Site
from tests.imaging.dicom_factory import write_series

PAIR = "case,site,sequence,arm,path\nC1,NYU,T2W,conventional,conv\nC1,NYU,T2W,enhanced,dl\n"


def stored_keys() -> set[str]:
    storage = volume_storage()
    keys = set()
    for folder in storage.listdir("v")[0] if storage.exists("v") else []:
        keys.update(f"v/{folder}/{name}" for name in storage.listdir(f"v/{folder}")[1])
    return keys


@pytest.fixture
def pair_export(tmp_path):
    root = tmp_path / "export"
    _, conventional = write_series(root / "conv", seed=1, description="T2 AX")
    _, enhanced = write_series(root / "dl", seed=2, description="T2 AX DL")
    return root, conventional, enhanced


def test_it_imports_a_pair_in_anatomical_order_whatever_the_file_names(study, pair_export):
    root, conventional, enhanced = pair_export
    report = import_dicom(study=study, path=root, manifest=PAIR.encode())

    assert [e["arm"] for e in report.imported] == ["conventional", "enhanced"]
    series = {s.arm: s for s in Series.objects.filter(case__identifier="C1")}
    assert np.array_equal(volume_load(series["conventional"].storage_key), conventional)
    assert np.array_equal(volume_load(series["enhanced"].storage_key), enhanced)
    assert series["conventional"].slice_spacing == pytest.approx(2.0)
    assert PairCheck.objects.get(case__identifier="C1").status == "complete"


def test_re_running_the_same_import_changes_nothing_and_says_so(study, pair_export):
    root, _, _ = pair_export
    import_dicom(study=study, path=root, manifest=PAIR.encode())
    before = (Series.objects.count(), Case.objects.count(), stored_keys())

    report = import_dicom(study=study, path=root, manifest=PAIR.encode())

    assert report.imported == [] and len(report.skipped) == 2
    assert (Series.objects.count(), Case.objects.count(), stored_keys()) == before
    assert report.warnings == ["Nothing new was imported: 2 series were already there, unchanged."]
    assert "Skipped (already there, unchanged): 2 series" in report.as_text()
    assert not report.failed


def test_a_different_series_for_a_stored_slot_is_rejected_not_overwritten(study, tmp_path):
    write_series(tmp_path / "a" / "conv", seed=1)
    import_dicom(study=study, path=tmp_path / "a", manifest=PAIR.encode())
    original = Series.objects.get(arm="conventional")
    write_series(tmp_path / "b" / "conv", seed=99)

    report = import_dicom(study=study, path=tmp_path / "b", manifest=PAIR.encode())

    [rejected] = [r for r in report.rejected if r.get("arm") == "conventional"]
    assert rejected["reason"].startswith(
        "a different series is already stored as case C1 T2W conventional (imported "
    )
    assert rejected["reason"].endswith("it is never overwritten: delete it first to replace it")
    assert Series.objects.get(arm="conventional").content_sha256 == original.content_sha256


def test_non_dicom_files_are_skipped_with_a_reason(study, pair_export):
    root, _, _ = pair_export
    (root / "conv" / "notes.txt").write_text("scanned on the 3T")
    (root / "conv" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 200)

    report = import_dicom(study=study, path=root, manifest=PAIR.encode())

    assert report.files_skipped == [
        {"file": "conv/notes.txt", "reason": "not a DICOM file"},
        {"file": "conv/photo.jpg", "reason": "not a DICOM file"},
    ]
    assert len(report.imported) == 2
    assert "  - conv/notes.txt: not a DICOM file" in report.as_text()


def test_a_truncated_file_is_reported_and_the_import_goes_on(study, pair_export):
    root, _, _ = pair_export
    (root / "broken").mkdir()
    shutil.copy(get_testdata_file("MR_truncated.dcm", download=False), root / "broken" / "IM1")
    manifest = PAIR + "C2,NYU,T2W,conventional,broken\n"

    report = import_dicom(study=study, path=root, manifest=manifest.encode())

    assert len(report.imported) == 2
    [rejected] = report.rejected
    assert rejected["case"] == "C2"
    assert rejected["reason"] == (
        "broken/IM1: corrupt or truncated DICOM file (the pixel data ends early: 8130 of 8192 "
        "bytes are there)"
    )


def test_a_file_whose_header_is_cut_short_is_skipped_with_a_reason(study, pair_export):
    root, _, _ = pair_export
    data = (root / "conv" / "IM0000").read_bytes()
    (root / "conv" / "cut").write_bytes(data[:300])

    report = import_dicom(study=study, path=root, manifest=PAIR.encode())

    assert report.files_skipped == [
        {
            "file": "conv/cut",
            "reason": "corrupt or truncated DICOM file (the header ends early: there is no "
            "SeriesInstanceUID)",
        }
    ]
    assert len(report.imported) == 2


def test_a_series_without_pixel_data_is_rejected(study, pair_export):
    root, _, _ = pair_export
    (root / "nopix").mkdir()
    for index in range(2):
        ds = pydicom.dcmread(root / "conv" / f"IM{index:04d}")
        del ds.PixelData
        ds.SeriesInstanceUID = "1.2.3.4.5"
        ds.save_as(root / "nopix" / f"IM{index}")
    manifest = PAIR + "C2,NYU,T2W,conventional,nopix\n"

    report = import_dicom(study=study, path=root, manifest=manifest.encode())

    [rejected] = report.rejected
    assert rejected["reason"] == "it has no pixel data"
    assert rejected["case"] == "C2"
    assert not Case.objects.filter(identifier="C2").exists()


def test_series_not_in_the_manifest_are_listed_not_imported(study, pair_export):
    root, _, _ = pair_export
    write_series(root / "localizer", slices=2, description="Localizer", seed=5)

    report = import_dicom(study=study, path=root, manifest=PAIR.encode())

    [unmatched] = report.unmatched
    assert unmatched["reason"] == "not in the manifest"
    assert unmatched["source"] == "localizer/ “Localizer”, 2 files"


def test_a_manifest_path_that_finds_nothing_is_rejected_with_its_row(study, pair_export):
    root, _, _ = pair_export
    manifest = PAIR + "C2,NYU,T2W,enhanced,nowhere\n"
    report = import_dicom(study=study, path=root, manifest=manifest.encode())

    [rejected] = report.rejected
    assert rejected["source"] == "Manifest row 3 (line 4): path 'nowhere'"
    assert rejected["reason"] == "no DICOM images were found at that path"


def test_series_can_be_mapped_by_series_uid(study, tmp_path):
    uid, _ = write_series(tmp_path / "x" / "y", seed=3)
    manifest = f"case,site,sequence,arm,series_uid\nC9,SNUH,FLAIR,enhanced,{uid}\n"

    report = import_dicom(study=study, path=tmp_path, manifest=manifest.encode())

    assert report.imported[0]["series_uid"] == uid
    series = Series.objects.get(series_uid=uid)
    assert (series.case.identifier, series.case.site.name, series.sequence.key) == (
        "C9",
        "SNUH",
        "FLAIR",
    )


def test_new_cases_and_sites_are_created_and_reported(study, pair_export):
    root, _, _ = pair_export
    manifest = PAIR.replace("NYU", "Yonsei")

    report = import_dicom(study=study, path=root, manifest=manifest.encode())

    assert report.created_sites == ["Yonsei"]
    assert report.created_cases == ["C1"]
    assert Site.objects.get(study=study, name="Yonsei").cases.get().identifier == "C1"
    assert "New sites: Yonsei" in report.as_text()


def test_a_case_on_another_site_is_rejected(study, pair_export):
    root, _, _ = pair_export
    import_dicom(study=study, path=root, manifest=PAIR.encode())
    write_series(root / "flair", seed=8)
    manifest = "case,site,sequence,arm,path\nC1,SNUH,FLAIR,conventional,flair\n"

    report = import_dicom(study=study, path=root, manifest=manifest.encode())

    assert report.rejected[0]["reason"] == "case C1 is at site NYU in this study, not SNUH"


def test_a_dry_run_stores_nothing_but_reports_what_would_happen(study, pair_export):
    root, _, _ = pair_export
    before = stored_keys()
    report = import_dicom(study=study, path=root, manifest=PAIR.encode(), dry_run=True)

    assert len(report.imported) == 2 and report.created_cases == ["C1"]
    assert [p["status"] for p in report.pairs] == ["complete"]
    assert report.pairs[0]["tells"][0]["attribute"] == "SeriesDescription"
    assert not Series.objects.exists() and not Case.objects.exists()
    assert stored_keys() == before
    assert report.as_text().startswith("Dry run: nothing was stored.")


def test_an_incomplete_pair_is_reported(study, pair_export):
    root, _, _ = pair_export
    manifest = "case,site,sequence,arm,path\nC1,NYU,T2W,conventional,conv\n"

    report = import_dicom(study=study, path=root, manifest=manifest.encode())

    assert report.incomplete_pairs == [
        {
            "case": "C1",
            "sequence": "T2W",
            "status": "incomplete",
            "reason": "The enhanced series is missing.",
            "tells": [],
        }
    ]
    assert "C1 T2W: incomplete: The enhanced series is missing." in report.as_text()


def test_a_failed_transaction_leaves_no_series_and_no_orphan_volume(study, pair_export):
    root, _, _ = pair_export
    before = stored_keys()
    with mock.patch.object(SeriesProvenance.objects, "create", side_effect=RuntimeError("disk")):
        report = import_dicom(study=study, path=root, manifest=PAIR.encode())

    assert report.imported == [] and len(report.rejected) == 2
    assert report.rejected[0]["reason"] == "it could not be stored (RuntimeError: disk)"
    assert not Series.objects.exists() and not Case.objects.exists()
    assert stored_keys() == before
    assert report.failed


def test_an_open_study_refuses_imports(study, pair_export):
    study.status = "open"
    study.save()
    root, _, _ = pair_export

    with pytest.raises(ImportRefused) as refused:
        import_dicom(study=study, path=root, manifest=PAIR.encode())

    assert str(refused.value) == (
        "The study 'glioma' is open; DICOM can only be imported while a study is a draft."
    )
    assert not Series.objects.exists()


def test_every_import_is_audited(study, alice, pair_export):
    root, _, _ = pair_export
    import_dicom(study=study, path=root, manifest=PAIR.encode(), actor=alice)

    event = AuditEvent.objects.get(action="import.run")
    assert event.actor == alice and event.study == study
    assert event.data["imported"] == 2 and event.data["source"] == "export"


def test_a_refused_import_is_audited_too(study, pair_export):
    root, _, _ = pair_export
    with pytest.raises(ImportRefused):
        import_dicom(study=study, path=root, manifest=b"case,site\n")

    event = AuditEvent.objects.get(action="import.run")
    assert event.data["refused"].startswith("The manifest has no")


def test_a_missing_path_is_refused(study, tmp_path):
    with pytest.raises(ImportRefused) as refused:
        import_dicom(study=study, path=tmp_path / "nope", manifest=PAIR.encode())
    assert str(refused.value) == f"'{tmp_path / 'nope'}' does not exist."


def test_progress_is_reported_for_files_and_series(study, pair_export):
    root, _, _ = pair_export
    calls = []
    import_dicom(
        study=study, path=root, manifest=PAIR.encode(), progress=lambda *a: calls.append(a)
    )

    assert calls[0] == (1, 8, "Reading files")
    assert (8, 8, "Reading files") in calls
    assert calls[-1] == (2, 2, "Importing series")


def test_manifest_paths_may_be_globs_or_single_files(study, tmp_path):
    write_series(tmp_path / "site" / "p1" / "t2_conv", seed=1)
    write_series(tmp_path / "site" / "p1" / "t2_dl", seed=2)
    uid, _ = write_series(tmp_path / "single", slices=1, seed=3)
    manifest = (
        "case,site,sequence,arm,path\n"
        "C1,NYU,T2W,conventional,*/p1/*_conv\n"
        "C1,NYU,T2W,enhanced,site/p1/t2_d?\n"
        "C2,NYU,FLAIR,conventional,single/IM0000\n"
    )

    report = import_dicom(study=study, path=tmp_path, manifest=manifest.encode())

    assert report.rejected == [] and len(report.imported) == 3
    assert Series.objects.get(case__identifier="C2").series_uid == uid
