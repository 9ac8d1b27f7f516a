"""From slices to a 16-bit volume: per-slice rescale, MONOCHROME1, and refusing lossy storage.

Reference values come from pydicom: ``pixel_array`` then ``apply_rescale``.
"""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.dataset import FileMetaDataset
from pydicom.pixels import apply_rescale

from readerstudy.imaging.dicom.header import FileSkipped
from readerstudy.imaging.dicom.read import read_file_frames, read_file_headers
from readerstudy.imaging.intake.assembly import assemble
from readerstudy.imaging.intake.stacking import VolumeRejected, stack_volume
from tests.imaging.dicom_factory import mr_dataset, write_series


def stack_of(folder):
    headers = [
        h
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        for h in read_file_headers(str(path), path.relative_to(folder).as_posix())
    ]
    [stack] = assemble(headers)
    return stack


def pydicom_volume(stack) -> np.ndarray:
    slices = []
    for header in stack.slices:
        ds = pydicom.dcmread(header.path)
        slices.append(apply_rescale(ds.pixel_array, ds))
    return np.stack(slices)


def test_rescale_that_varies_per_slice_is_applied_per_slice(tmp_path):
    per_slice = [
        {"RescaleSlope": 1, "RescaleIntercept": -1024},
        {"RescaleSlope": 2, "RescaleIntercept": 0},  # both must be present, as pydicom requires
        {"RescaleSlope": 1, "RescaleIntercept": 10},
    ]
    write_series(tmp_path, slices=3, per_slice=per_slice)
    stack = stack_of(tmp_path)

    volume = stack_volume(stack.slices)

    assert volume.dtype == "int16"
    assert np.array_equal(volume.array, pydicom_volume(stack))
    assert (volume.slope, volume.intercept) == (1.0, 0.0)


def test_values_beyond_int16_are_stored_as_uint16(tmp_path):
    write_series(tmp_path, slices=2, bits_stored=16, RescaleSlope=1, RescaleIntercept=40000)
    stack = stack_of(tmp_path)

    volume = stack_volume(stack.slices)

    assert volume.dtype == "uint16"
    assert np.array_equal(volume.array, pydicom_volume(stack))


def test_a_uniform_non_integer_rescale_keeps_the_stored_integers_and_records_it(tmp_path):
    _, stored = write_series(tmp_path, slices=3, RescaleSlope=0.37, RescaleIntercept=1.5)
    stack = stack_of(tmp_path)

    volume = stack_volume(stack.slices)

    assert np.array_equal(volume.array, stored)
    assert (volume.slope, volume.intercept) == (0.37, 1.5)
    assert np.allclose(volume.array * volume.slope + volume.intercept, pydicom_volume(stack))
    assert volume.warnings == [
        "its rescaled values are not 16-bit integers (RescaleSlope 0.37, RescaleIntercept 1.5); "
        "the stored integers were kept and the rescale recorded on the series"
    ]


def test_a_non_integer_rescale_that_varies_per_slice_is_refused(tmp_path):
    per_slice = [
        {"RescaleSlope": 0.5, "RescaleIntercept": 0},
        {"RescaleSlope": 0.25, "RescaleIntercept": 0},
    ]
    write_series(tmp_path, slices=2, per_slice=per_slice)
    stack = stack_of(tmp_path)

    with pytest.raises(VolumeRejected) as rejected:
        stack_volume(stack.slices)

    assert str(rejected.value) == (
        "its rescale slope or intercept differs between slices and gives values that are not "
        "integers, so it cannot be stored as 16-bit integers without loss"
    )


def test_values_that_fit_no_16_bit_type_are_refused(tmp_path):
    write_series(
        tmp_path,
        slices=2,
        bits_stored=16,
        per_slice=[
            {"RescaleSlope": 30, "RescaleIntercept": 0},
            {"RescaleSlope": 30, "RescaleIntercept": -40000},
        ],
    )
    stack = stack_of(tmp_path)

    with pytest.raises(VolumeRejected) as rejected:
        stack_volume(stack.slices)

    assert str(rejected.value).startswith("its rescaled values run from ")
    assert str(rejected.value).endswith(
        "which fits neither int16 nor uint16, so it cannot be stored without loss"
    )


def test_monochrome1_is_inverted_over_the_bits_stored_range(tmp_path):
    _, stored = write_series(tmp_path, slices=2, PhotometricInterpretation="MONOCHROME1")
    stack = stack_of(tmp_path)

    volume = stack_volume(stack.slices)

    assert np.array_equal(volume.array, 4095 - stored.astype(np.int32))
    assert volume.warnings == ["MONOCHROME1 was inverted so that higher values are brighter"]


def test_signed_monochrome1_is_inverted_too(tmp_path):
    _, stored = write_series(
        tmp_path, slices=2, signed=True, bits_stored=16, PhotometricInterpretation="MONOCHROME1"
    )
    volume = stack_volume(stack_of(tmp_path).slices)
    assert np.array_equal(volume.array, -1 - stored.astype(np.int32))


def test_the_fast_native_read_equals_pydicom_even_with_garbage_in_unused_bits(tmp_path):
    pixels = np.array([[0xF005, 0x0FFF], [0x1234, 0x8001]], dtype=np.uint16)
    mr_dataset(series_uid="1.2.3", pixels=pixels, position=(0, 0, 0)).save_as(
        tmp_path / "u", enforce_file_format=True
    )
    signed = np.array([[-5, 2047], [-2048, 0]], dtype=np.int16) | np.int16(-0x8000 >> 3)
    mr_dataset(series_uid="1.2.4", pixels=signed, position=(0, 0, 0)).save_as(
        tmp_path / "s", enforce_file_format=True
    )
    for name in ("u", "s"):
        [header] = read_file_headers(str(tmp_path / name), name)
        assert header.pixel_offset is not None
        fast = read_file_frames(header)[0]
        assert np.array_equal(fast, pydicom.dcmread(tmp_path / name).pixel_array), name


def test_colour_images_are_refused(tmp_path):
    ds = mr_dataset(series_uid="1.2.3", pixels=np.zeros((4, 4), np.uint16), position=(0, 0, 0))
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "RGB"
    ds.PlanarConfiguration = 0
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelData = bytes(4 * 4 * 3)
    ds.save_as(tmp_path / "rgb", enforce_file_format=True)
    headers = read_file_headers(str(tmp_path / "rgb"), "rgb")

    with pytest.raises(VolumeRejected) as rejected:
        stack_volume(headers)

    assert str(rejected.value) == (
        "it holds colour images (SamplesPerPixel 3); MR series must be greyscale"
    )


def test_a_file_without_preamble_is_still_read(tmp_path):
    ds = mr_dataset(
        series_uid="1.2.3", pixels=np.arange(16, dtype=np.uint16).reshape(4, 4), position=(0, 0, 0)
    )
    ds.file_meta = FileMetaDataset()
    ds.save_as(tmp_path / "raw", implicit_vr=True, little_endian=True)  # no preamble, no meta
    assert (tmp_path / "raw").read_bytes()[:2] == b"\x08\x00"

    [header] = read_file_headers(str(tmp_path / "raw"), "raw")

    assert np.array_equal(stack_volume([header]).array[0], np.arange(16).reshape(4, 4))


def test_a_dicomdir_is_skipped_with_a_reason(tmp_path):
    from pydicom.data import get_testdata_file

    path = get_testdata_file("DICOMDIR", download=False)
    if path is None:  # the wheel keeps it under dicomdirtests/
        from pathlib import Path

        import pydicom.data as data

        path = str(Path(data.__file__).parent / "test_files" / "dicomdirtests" / "DICOMDIR")
    with pytest.raises(FileSkipped) as skipped:
        read_file_headers(path, "DICOMDIR")
    assert str(skipped.value) == "a DICOMDIR index, not an image"
