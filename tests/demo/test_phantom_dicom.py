"""The phantom's DICOM writer: readable MR series, deterministic UIDs, the DL tells, a manifest."""

import csv
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage

from readerstudy.demo.phantom.cases import make_case
from readerstudy.demo.phantom.dicom import (
    ARMS,
    CONVENTIONAL_UID_ROOT,
    ENHANCED_TELLS,
    ENHANCED_UID_ROOT,
    MANIFEST_COLUMNS,
    SEQUENCES,
    find_tells,
    write_study_dicom,
)

CASES = [("C001", "NYU"), ("C002", "SNUH")]
PARAMS = {"seed": 21, "matrix": 64, "slices": 4}


def _manifest(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _series(root: Path, row: dict[str, str]) -> list:
    """The series' slices, ordered along the slice normal (never by file name)."""
    datasets = [dcmread(p) for p in (root / row["path"]).glob("*.dcm")]
    return sorted(datasets, key=lambda ds: float(ds.ImagePositionPatient[2]))


def _slice_pairs(series):
    """(conventional, enhanced) datasets of the same slice, over every case and sequence."""
    for case_id, _site in CASES:
        for sequence in SEQUENCES:
            yield from zip(
                series[case_id, sequence, "conventional"],
                series[case_id, sequence, "enhanced"],
                strict=True,
            )


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("study")
    manifest = write_study_dicom(root, cases=CASES, **PARAMS)
    rows = _manifest(manifest)
    series = {(r["case"], r["sequence"], r["arm"]): _series(root, r) for r in rows}
    return root, manifest, rows, series


def test_the_manifest_lists_every_case_sequence_and_arm(study):
    root, manifest, rows, _ = study
    assert manifest == root / "manifest.csv"
    assert tuple(rows[0]) == MANIFEST_COLUMNS
    keys = {(r["case"], r["site"], r["sequence"], r["arm"]) for r in rows}
    assert keys == {(c, s, q, a) for c, s in CASES for q in SEQUENCES for a in ARMS}
    assert len(rows) == len(keys)
    assert len({r["series_uid"] for r in rows}) == len(rows)
    for row in rows:
        assert not Path(row["path"]).is_absolute()
        assert "\\" not in row["path"]


def test_each_manifest_row_points_at_its_series(study):
    _, _, rows, series = study
    for row in rows:
        slices = series[row["case"], row["sequence"], row["arm"]]
        assert len(slices) == PARAMS["slices"]
        assert {str(ds.SeriesInstanceUID) for ds in slices} == {row["series_uid"]}
        assert {ds.PatientID for ds in slices} == {row["case"]}
        assert {ds.InstitutionName for ds in slices} == {row["site"]}


def test_every_file_is_an_explicit_little_endian_mr_image_with_the_volume_as_pixels(study):
    _, _, _, series = study
    for number, (case_id, _site) in enumerate(CASES):
        case = make_case(number, **PARAMS)
        for sequence in SEQUENCES:
            for arm in ARMS:
                for index, ds in enumerate(series[case_id, sequence, arm]):
                    assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
                    assert ds.SOPClassUID == MRImageStorage
                    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
                    assert ds.Modality == "MR"
                    assert ds.InstanceNumber == index + 1
                    assert (ds.BitsAllocated, ds.BitsStored, ds.PixelRepresentation) == (16, 12, 0)
                    assert ds.PhotometricInterpretation == "MONOCHROME2"
                    assert (float(ds.RescaleSlope), float(ds.RescaleIntercept)) == (1.0, 0.0)
                    assert np.array_equal(ds.pixel_array, case.volumes[sequence, arm][index])


def test_slices_step_along_the_slice_normal_by_the_spacing(study):
    _, _, _, series = study
    for slices in series.values():
        ds = slices[0]
        row, col = (
            np.array(ds.ImageOrientationPatient[:3]),
            np.array(ds.ImageOrientationPatient[3:]),
        )
        normal = np.cross(row, col)
        positions = [float(np.dot(normal, np.array(s.ImagePositionPatient, float))) for s in slices]
        steps = np.diff(positions)
        assert np.allclose(steps, float(ds.SpacingBetweenSlices), atol=1e-3)
        assert float(ds.SliceThickness) <= float(ds.SpacingBetweenSlices)
        assert [s.InstanceNumber for s in slices] == list(range(1, len(slices) + 1))


def test_both_arms_share_study_frame_and_geometry(study):
    _, _, _, series = study
    for conventional, enhanced in _slice_pairs(series):
        for keyword in (
            "StudyInstanceUID",
            "FrameOfReferenceUID",
            "ImagePositionPatient",
            "ImageOrientationPatient",
            "PixelSpacing",
            "SliceThickness",
            "SpacingBetweenSlices",
            "Rows",
            "Columns",
            "AcquisitionTime",
            "PatientID",
        ):
            assert conventional[keyword].value == enhanced[keyword].value, keyword


def test_enhanced_files_carry_every_tell_and_conventional_files_none(study):
    _, _, _, series = study
    for conventional, enhanced in _slice_pairs(series):
        assert find_tells(enhanced, conventional) == set(ENHANCED_TELLS)
        assert find_tells(conventional, conventional) == set()
        # Each tell's key names a real attribute of the enhanced file.
        for key in ENHANCED_TELLS:
            assert key in enhanced, key


def test_the_tells_look_like_real_dl_products(study):
    _, _, _, series = study
    conventional = series["C001", "T2W", "conventional"][0]
    enhanced = series["C001", "T2W", "enhanced"][0]
    assert conventional.SeriesDescription == "Ax T2 FSE"
    assert enhanced.SeriesDescription == "Ax T2 FSE DL"
    assert list(conventional.ImageType) == ["ORIGINAL", "PRIMARY"]
    assert list(enhanced.ImageType) == ["DERIVED", "SECONDARY"]
    assert list(enhanced.SoftwareVersions) == [conventional.SoftwareVersions, "DeepRecon 2.1"]
    assert enhanced.SeriesNumber == conventional.SeriesNumber + 100
    assert enhanced.SeriesTime > conventional.SeriesTime
    assert enhanced.ContentTime > conventional.ContentTime
    source = enhanced.SourceImageSequence[0]
    assert source.ReferencedSOPInstanceUID == conventional.SOPInstanceUID
    assert source.ReferencedSOPClassUID == MRImageStorage
    assert enhanced["0x00110010"].value == "DLRECON_VENDOR"
    assert str(conventional.SeriesInstanceUID).startswith(CONVENTIONAL_UID_ROOT)
    assert str(enhanced.SOPInstanceUID).startswith(ENHANCED_UID_ROOT)
    assert (enhanced.WindowCenter, enhanced.WindowWidth) != (
        conventional.WindowCenter,
        conventional.WindowWidth,
    )
    for keyword in ("DerivationDescription", "ImageComments", "SourceImageSequence"):
        assert keyword not in conventional
    assert not any(element.tag.is_private for element in conventional)


def test_headers_carry_fake_phi_like_a_real_export(study):
    _, _, _, series = study
    ds = series["C002", "FLAIR", "conventional"][0]
    assert str(ds.PatientName).startswith("DOE^")
    assert "C002" in str(ds.PatientName)
    assert ds.PatientBirthDate and ds.AccessionNumber and ds.StudyDate
    assert ds.InversionTime  # FLAIR is an inversion-recovery sequence
    assert series["C002", "T1CE", "conventional"][0].ContrastBolusAgent


def _read_tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_rerunning_with_the_same_seed_writes_identical_bytes(study, tmp_path):
    root, *_ = study
    write_study_dicom(tmp_path, cases=CASES, **PARAMS)
    assert _read_tree(tmp_path) == _read_tree(root)


def test_a_different_seed_gives_different_uids_and_pixels(study, tmp_path):
    _, _, rows, series = study
    manifest = write_study_dicom(tmp_path, cases=CASES[:1], **{**PARAMS, "seed": 22})
    other = _manifest(manifest)
    assert not {r["series_uid"] for r in other} & {r["series_uid"] for r in rows}
    first = _series(tmp_path, other[0])[0]
    assert first.StudyInstanceUID != series["C001", "T2W", "conventional"][0].StudyInstanceUID
    assert not np.array_equal(
        first.pixel_array, series["C001", "T2W", "conventional"][0].pixel_array
    )


def test_it_reports_progress_after_each_case(tmp_path):
    calls = []
    write_study_dicom(
        tmp_path, cases=CASES, seed=1, matrix=32, slices=2, progress=lambda *a: calls.append(a)
    )
    assert calls == [(1, 2), (2, 2)]


def test_a_512_matrix_series_is_written(tmp_path):
    manifest = write_study_dicom(tmp_path, cases=[("BIG", "NYU")], seed=1, matrix=512, slices=2)
    ds = _series(tmp_path, _manifest(manifest)[0])[0]
    assert (ds.Rows, ds.Columns) == (512, 512)
    assert ds.pixel_array.shape == (512, 512)
    assert float(ds.PixelSpacing[0]) == pytest.approx(230.0 / 512)


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        ([("C1", "NYU"), ("../x", "NYU")], "Case 2: case '../x' cannot name a folder"),
        ([("C1", "")], "Case 1: site '' cannot name a folder"),
        ([("C1", "NYU"), ("C1", "NYU")], "Case 2: case 'C1' at site 'NYU' is listed twice"),
    ],
)
def test_it_refuses_case_and_site_names_that_cannot_be_folders(tmp_path, cases, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        write_study_dicom(tmp_path, cases=cases, seed=1, matrix=32, slices=2)
    assert not any(tmp_path.iterdir())  # nothing half-written
