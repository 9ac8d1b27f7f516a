"""The fast native header reader gives exactly what the pydicom path gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom.data
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ImplicitVRLittleEndian

from readerstudy.demo.phantom.dicom import write_study_dicom
from readerstudy.imaging.dicom.fast import fast_slice_header
from readerstudy.imaging.dicom.header import FileSkipped
from readerstudy.imaging.dicom.read import read_file_headers
from tests.imaging.dicom_factory import enhanced_mr_dataset, mr_dataset, write_series

WHEEL = Path(pydicom.data.__file__).parent / "test_files"


def pydicom_headers(path: Path):
    try:
        return read_file_headers(str(path), path.name, fast=False)
    except FileSkipped as skipped:
        return str(skipped)


@pytest.mark.parametrize("path", sorted(WHEEL.glob("*.dcm")), ids=lambda p: p.name)
def test_every_wheel_file_reads_the_same_both_ways(path):
    fast = fast_slice_header(str(path), path.name)
    if fast is not None:
        assert [fast] == pydicom_headers(path)


def test_the_fast_path_takes_plain_files(tmp_path):
    write_series(tmp_path / "a", slices=2)
    write_series(tmp_path / "b", slices=2, seed=3, transfer_syntax=ImplicitVRLittleEndian)
    write_study_dicom(tmp_path / "phantom", cases=[("C1", "NYU")], seed=1, matrix=32, slices=2)
    files = [p for p in sorted(tmp_path.rglob("*")) if p.is_file() and p.suffix != ".csv"]
    assert len(files) == 16
    for path in files:
        fast = fast_slice_header(str(path), path.name)
        assert fast is not None, path
        assert [fast] == pydicom_headers(path), path


def test_nested_and_undefined_length_sequences_are_skipped(tmp_path):
    ds = mr_dataset(series_uid="1.2.3", pixels=np.ones((4, 4), np.uint16), position=(0, 0, 1))
    inner = Dataset()
    inner.CodeValue = "121322"
    item = Dataset()
    item.ReferencedSOPInstanceUID = "1.2.3.4"
    item.PurposeOfReferenceCodeSequence = DicomSequence([inner])
    ds.SourceImageSequence = DicomSequence([item, item])
    ds.SourceImageSequence.is_undefined_length = True
    item.is_undefined_length_sequence_item = True
    block = ds.private_block(0x0029, "VENDOR CSA", create=True)
    block.add_new(0x10, "OB", b"\x01" * 3000)
    ds.save_as(tmp_path / "f", enforce_file_format=True)

    fast = fast_slice_header(str(tmp_path / "f"), "f")

    assert fast is not None and fast.position == (0.0, 0.0, 1.0)
    assert [fast] == pydicom_headers(tmp_path / "f")


def test_truncated_pixel_data_is_reported_the_same_way(tmp_path):
    write_series(tmp_path, slices=1)
    path = next(tmp_path.iterdir())
    path.write_bytes(path.read_bytes()[:-20])

    fast = fast_slice_header(str(path), path.name)

    assert fast.problem == (
        "corrupt or truncated DICOM file (the pixel data ends early: 76 of 96 bytes are there)"
    )
    assert [fast] == pydicom_headers(path)


def test_unusual_files_are_left_to_pydicom(tmp_path):
    ds, _, _ = enhanced_mr_dataset(frames=2)
    ds.save_as(tmp_path / "multi", enforce_file_format=True)
    korean = mr_dataset(series_uid="1.2.3", pixels=np.ones((2, 2), np.uint16), position=(0, 0, 0))
    korean.SpecificCharacterSet = "ISO_IR 192"
    korean.PatientName = "홍^길동"
    korean.save_as(tmp_path / "korean", enforce_file_format=True)
    (tmp_path / "text").write_text("not dicom")

    assert fast_slice_header(str(tmp_path / "multi"), "multi") is None
    assert fast_slice_header(str(tmp_path / "korean"), "korean") is None
    assert fast_slice_header(str(tmp_path / "text"), "text") is None
    [header] = read_file_headers(str(tmp_path / "korean"), "korean")
    assert header.patient_name == "홍^길동"
