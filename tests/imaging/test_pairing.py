"""Pair checks: geometry must match; header differences that reveal the DL arm are listed."""

from __future__ import annotations

from datetime import datetime

import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence

from readerstudy.imaging.dicom.headers import dataset_json
from readerstudy.imaging.models import PairCheck
from readerstudy.imaging.pairing import header_tells, uid_root
from readerstudy.imaging.services.intake import import_dicom
from tests.imaging.dicom_factory import write_series

PAIR = b"case,site,sequence,arm,path\nC1,NYU,T2W,conventional,conv\nC1,NYU,T2W,enhanced,dl\n"


def test_arms_with_different_slice_counts_are_a_mismatch_kept_out_of_reading(study, tmp_path):
    write_series(tmp_path / "conv", slices=4)
    write_series(tmp_path / "dl", slices=3, seed=2)

    report = import_dicom(study=study, path=tmp_path, manifest=PAIR)

    check = PairCheck.objects.get()
    assert check.status == "mismatch" and not check.is_readable
    assert check.reason == (
        "The arms do not share a geometry: slices differ: conventional 4, enhanced 3."
    )
    assert report.incomplete_pairs[0]["reason"] == check.reason


def test_arms_with_different_spacing_are_a_mismatch(study, tmp_path):
    write_series(tmp_path / "conv", spacing=2.0)
    write_series(tmp_path / "dl", spacing=2.5, seed=2)

    import_dicom(study=study, path=tmp_path, manifest=PAIR)

    assert PairCheck.objects.get().reason.startswith(
        "The arms do not share a geometry: slice spacing differs: conventional 2.0, enhanced 2.5"
    )


def dl_tells_dataset(conventional: Dataset) -> Dataset:
    """The conventional header with every known DL tell added (domain reference)."""
    enhanced = pydicom.Dataset()
    enhanced.update(conventional)
    enhanced.SeriesDescription = conventional.SeriesDescription + " DL"
    enhanced.ImageType = ["DERIVED", "SECONDARY"]
    enhanced.SoftwareVersions = ["VE11C", "DeepRecon 2.1"]
    enhanced.DerivationDescription = "Deep learning reconstruction"
    enhanced.SeriesNumber = conventional.SeriesNumber + 100
    enhanced.SeriesTime = "101500"
    enhanced.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture
    enhanced.SeriesInstanceUID = "2.25.1234567890"
    enhanced.WindowCenter = 700
    enhanced.WindowWidth = 1400
    source = Dataset()
    source.ReferencedSOPInstanceUID = conventional.SOPInstanceUID
    enhanced.SourceImageSequence = DicomSequence([source])
    block = enhanced.private_block(0x0011, "DLRECON_VENDOR", create=True)
    block.add_new(0x01, "LO", "denoise=high")
    return enhanced


def test_every_known_tell_is_listed_for_the_coordinator():
    conventional = pydicom.Dataset()
    conventional.SeriesDescription = "T2 AX"
    conventional.ImageType = ["ORIGINAL", "PRIMARY"]
    conventional.SoftwareVersions = "VE11C"
    conventional.SeriesNumber = 3
    conventional.SeriesTime = "100100"
    conventional.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    conventional.SOPInstanceUID = "1.3.12.2.1107.5.2.1.2"
    conventional.SeriesInstanceUID = "1.3.12.2.1107.5.2.1.1"
    conventional.WindowCenter = 600
    conventional.WindowWidth = 1200

    tells = header_tells(dataset_json(conventional), dataset_json(dl_tells_dataset(conventional)))

    attributes = [t["attribute"] for t in tells]
    assert attributes == [
        "SeriesDescription",
        "ImageType",
        "SoftwareVersions",
        "DerivationDescription",
        "SeriesNumber",
        "SOPClassUID",
        "SeriesTime",
        "WindowCenter",
        "WindowWidth",
        "SourceImageSequence",
        "private creators",
        "(0011,1001) DLRECON_VENDOR",
        "SeriesInstanceUID root",
    ]
    by_name = {t["attribute"]: t for t in tells}
    assert by_name["SeriesNumber"] == {
        "attribute": "SeriesNumber",
        "conventional": 3,
        "enhanced": 103,
    }
    assert by_name["private creators"]["enhanced"] == ["DLRECON_VENDOR (0011)"]
    assert by_name["SeriesInstanceUID root"] == {
        "attribute": "SeriesInstanceUID root",
        "conventional": "1.3.12.2.1107.5.2",
        "enhanced": "2.25",
    }


def test_the_import_stores_the_tells_on_the_pair_check(study, tmp_path):
    write_series(tmp_path / "conv", description="T2 AX", SoftwareVersions="VE11C")
    write_series(
        tmp_path / "dl",
        description="T2 AX DL",
        SoftwareVersions=["VE11C", "DeepRecon 2.1"],
        ContentTime=datetime(2024, 1, 1, 10, 14).strftime("%H%M%S"),
        seed=2,
    )

    import_dicom(study=study, path=tmp_path, manifest=PAIR)

    check = PairCheck.objects.get()
    assert check.status == "complete"
    assert [t["attribute"] for t in check.tells] == [
        "SeriesDescription",
        "SoftwareVersions",
        "ContentTime",
    ]


def test_uid_roots_follow_the_usual_registration_patterns():
    assert uid_root("1.2.840.113619.2.55.3.1") == "1.2.840.113619.2"
    assert uid_root("1.3.12.2.1107.5.2.30.25641.3001") == "1.3.12.2.1107.5.2"
    assert uid_root("1.2.826.0.1.3680043.8.498.101.77") == "1.2.826.0.1.3680043.8.498.101"
    assert uid_root("1.3.6.1.4.1.5962.1.3.4.1.2004") == "1.3.6.1.4.1.5962.1"
    assert uid_root("2.25.339178012439") == "2.25"
