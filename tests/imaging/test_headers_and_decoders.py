"""Provenance headers are JSON-safe and keep private tags; decoder plugins are chosen on purpose."""

from __future__ import annotations

import json

import pydicom
from pydicom import uid
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence

from readerstudy.imaging.dicom.decoders import decoder_table, decoding_plugin
from readerstudy.imaging.dicom.headers import dataset_json, header_json
from tests.imaging.dicom_factory import enhanced_mr_dataset


def test_headers_are_json_safe_without_pixel_data():
    headers = header_json(get_testdata_file("MR_small.dcm", download=False))
    json.dumps(headers)
    assert "PixelData" not in headers
    assert headers["TransferSyntaxUID"] == uid.ExplicitVRLittleEndian
    assert headers["PixelSpacing"] == [0.3125, 0.3125]
    assert headers["Rows"] == 64
    assert isinstance(headers["PatientName"], str)


def test_private_tags_are_keyed_by_tag_and_creator():
    ds = Dataset()
    ds.PatientID = "X"
    block = ds.private_block(0x0011, "DLRECON_VENDOR", create=True)
    block.add_new(0x01, "LO", "denoise=high")
    block.add_new(0x02, "OB", b"\x00" * 500)

    headers = dataset_json(ds)

    assert headers["(0011,0010) private creator"] == "DLRECON_VENDOR"
    assert headers["(0011,1001) DLRECON_VENDOR"] == "denoise=high"
    assert headers["(0011,1002) DLRECON_VENDOR"] == "<500 bytes>"


def test_long_sequences_are_cut_to_a_few_items():
    ds, _, _ = enhanced_mr_dataset(frames=6)
    headers = dataset_json(ds)
    items = headers["PerFrameFunctionalGroupsSequence"]
    assert len(items) == 4 and items[-1] == {"…": "3 more items"}
    assert items[0]["PlanePositionSequence"][0]["ImagePositionPatient"]


def test_nested_sequences_become_lists_of_dicts():
    ds = Dataset()
    item = Dataset()
    item.ReferencedSOPInstanceUID = "1.2.3"
    ds.SourceImageSequence = DicomSequence([item])
    assert dataset_json(ds) == {"SourceImageSequence": [{"ReferencedSOPInstanceUID": "1.2.3"}]}


def test_numbers_stay_numbers():
    ds = pydicom.Dataset()
    ds.SeriesNumber = 103
    ds.RescaleSlope = "0.5"
    ds.WindowCenter = [40, 400]
    assert dataset_json(ds) == {"SeriesNumber": 103, "RescaleSlope": 0.5, "WindowCenter": [40, 400]}


def test_each_compressed_syntax_has_a_pinned_non_gpl_plugin():
    assert decoding_plugin(uid.JPEGLosslessSV1) == "gdcm"
    assert decoding_plugin(uid.JPEGLSLossless) == "pyjpegls"
    assert decoding_plugin(uid.JPEG2000Lossless) == "pylibjpeg"
    assert decoding_plugin(uid.HTJ2KLossless) == "pylibjpeg"
    assert decoding_plugin(uid.RLELossless) == "pydicom"
    assert decoding_plugin(uid.ExplicitVRLittleEndian) == ""


def test_the_decoder_table_lists_every_syntax_with_an_available_plugin():
    rows = {row["transfer_syntax"]: row for row in decoder_table()}
    assert len(rows) == 16
    for row in rows.values():
        assert row["plugin"] != "(none available)", row
        assert "GPL" not in row["licence"]
    htj2k = rows[uid.HTJ2KLossless.name]
    assert htj2k["plugin"] == "pylibjpeg" and "pylibjpeg" in htj2k["available"]


def test_nul_characters_never_reach_the_database(study, tmp_path):
    from readerstudy.imaging.models import SeriesProvenance
    from readerstudy.imaging.services.intake import import_dicom
    from tests.imaging.dicom_factory import write_series

    write_series(tmp_path / "a", slices=2, description="T2\x00AX", ImageComments="note\x00here")
    manifest = b"case,site,sequence,arm,path\nC1,NYU,T2W,conventional,a\n"

    report = import_dicom(study=study, path=tmp_path, manifest=manifest)

    assert report.rejected == []
    headers = SeriesProvenance.objects.get().headers
    assert headers["SeriesDescription"] == "T2AX" and headers["ImageComments"] == "notehere"
