"""Hostile and odd DICOM files for the hardening and fuzz tests, each made from a valid one.

Every builder writes one file into ``folder`` and returns its path. Values that pydicom would
refuse to write (``NumberOfFrames "abc"``) are written as raw bytes, as a broken exporter does.
"""

from __future__ import annotations

import contextlib
import struct
import warnings
from pathlib import Path

import numpy as np
from pydicom.config import IGNORE, settings
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.uid import generate_uid

from tests.imaging.dicom_factory import enhanced_mr_dataset, mr_dataset


@contextlib.contextmanager
def lax_writing():
    """Let pydicom write invalid values, as broken exporters do."""
    saved = settings.writing_validation_mode, settings.reading_validation_mode
    settings.writing_validation_mode = settings.reading_validation_mode = IGNORE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        settings.writing_validation_mode, settings.reading_validation_mode = saved


def valid_dataset(rows: int = 8, columns: int = 6, seed: int = 0, **extra):
    pixels = np.random.default_rng(seed).integers(0, 3000, (rows, columns)).astype(np.uint16)
    return mr_dataset(series_uid=generate_uid(), pixels=pixels, position=(0, 0, 0), **extra)


def write(ds, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with lax_writing():
        ds.save_as(path, enforce_file_format=True)
    return path


def with_values(path: Path, **values) -> Path:
    """A valid file with some attributes replaced by (possibly invalid) values.

    Text values are spliced in as raw bytes with the attribute's own VR, since pydicom refuses
    to hold "abc" as an IS.
    """
    ds = valid_dataset()
    raw = {}
    with lax_writing():
        for keyword, value in values.items():
            if isinstance(value, str | list):
                text = "\\".join(value) if isinstance(value, list) else value
                data = text.encode("ascii")
                raw[tag_for_keyword(keyword)] = data + b" " * (len(data) % 2)
                if keyword in ds:
                    del ds[keyword]
            else:
                setattr(ds, keyword, value)
    write(ds, path)
    content = path.read_bytes()
    for tag, data in sorted(raw.items()):
        content = splice(content, tag, dictionary_VR(tag), data)
    path.write_bytes(content)
    return path


def splice(content: bytes, tag: int, vr: str, data: bytes) -> bytes:
    """Insert an explicit VR little endian element at its place in a flat data set."""
    position = 132
    while position < len(content):
        group, element = struct.unpack_from("<HH", content, position)
        current = group << 16 | element
        element_vr = content[position + 4 : position + 6]
        if element_vr in (b"OB", b"OW", b"UN", b"SQ", b"UT", b"UC", b"UR", b"OF", b"OD", b"OL"):
            length, header = struct.unpack_from("<L", content, position + 8)[0], 12
        else:
            length, header = struct.unpack_from("<H", content, position + 6)[0], 8
        if current > tag and group != 0x0002:
            break
        position += header + length
    element = struct.pack("<HH", tag >> 16, tag & 0xFFFF) + vr.encode()
    element += struct.pack("<H", len(data)) + data
    return content[:position] + element + content[position:]


def nested_sequences(path: Path, depth: int) -> Path:
    """A valid file with ``depth`` nested undefined-length sequences before its pixel data."""
    write(valid_dataset(), path)
    data = path.read_bytes()
    tag = struct.pack("<HH", 0x0040, 0x0275) + b"SQ\0\0" + b"\xff\xff\xff\xff"
    item = struct.pack("<HHL", 0xFFFE, 0xE000, 0xFFFFFFFF)
    item_end = struct.pack("<HHL", 0xFFFE, 0xE00D, 0)
    sequence_end = struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    nested = (tag + item) * depth + (item_end + sequence_end) * depth
    pixel = data.index(struct.pack("<HH", 0x7FE0, 0x0010))
    path.write_bytes(data[:pixel] + nested + data[pixel:])
    return path


def unknown_vr(path: Path) -> Path:
    """A valid file whose SeriesDescription has the VR 'ZZ'."""
    write(valid_dataset(), path)
    data = bytearray(path.read_bytes())
    at = data.index(struct.pack("<HH", 0x0008, 0x103E) + b"LO")
    data[at + 4 : at + 6] = b"ZZ"
    path.write_bytes(bytes(data))
    return path


def huge_pixel_length(path: Path) -> Path:
    """The pixel data element declares far more bytes than the file holds."""
    write(valid_dataset(), path)
    data = bytearray(path.read_bytes())
    at = data.index(struct.pack("<HH", 0x7FE0, 0x0010))
    data[at + 8 : at + 12] = struct.pack("<L", 0x7FFFFFF0)
    path.write_bytes(bytes(data))
    return path


def bits_allocated_8_on_16_bit_data(path: Path) -> Path:
    return with_values(path, BitsAllocated=8, BitsStored=8, HighBit=7)


def crop(path: Path) -> Path:
    """Rows one less than the data holds."""
    return with_values(path, Rows=7)


def enhanced_with_nan_position(path: Path) -> Path:
    ds, _, _ = enhanced_mr_dataset(frames=3)
    with lax_writing():
        plane = ds.PerFrameFunctionalGroupsSequence[1].PlanePositionSequence[0]
        plane.ImagePositionPatient = ["0", "nan", "1"]
    return write(ds, path)


def frame_bomb(path: Path) -> Path:
    """NumberOfFrames 99,999,999 in a 10 KB file."""
    ds, _, _ = enhanced_mr_dataset(frames=2)
    with lax_writing():
        ds.NumberOfFrames = 99_999_999
    return write(ds, path)


HOSTILE = {
    # name: (builder, words the reason must contain)
    "rows0": (lambda p: with_values(p, Rows=0), "Rows 0"),
    "columns0": (lambda p: with_values(p, Columns=0), "Columns 0"),
    "nested": (lambda p: nested_sequences(p, 400), "nested too deeply"),
    "frames_bomb": (frame_bomb, "NumberOfFrames 99999999"),
    "frames_0": (lambda p: with_values(p, NumberOfFrames="0"), "NumberOfFrames '0'"),
    "frames_abc": (lambda p: with_values(p, NumberOfFrames="abc"), "NumberOfFrames 'abc'"),
    "frames_1.5": (lambda p: with_values(p, NumberOfFrames="1.5"), "NumberOfFrames '1.5'"),
    "frames_minus_1": (lambda p: with_values(p, NumberOfFrames="-1"), "NumberOfFrames '-1'"),
    "frames_2": (lambda p: with_values(p, NumberOfFrames="2"), "pixel data ends early"),
    "bits_8_on_16": (bits_allocated_8_on_16_bit_data, "more than the 48"),
    "bits_stored_0": (lambda p: with_values(p, BitsStored=0), "BitsStored 0"),
    "bits_stored_17": (lambda p: with_values(p, BitsStored=17), "BitsStored 17"),
    "bits_allocated_12": (lambda p: with_values(p, BitsAllocated=12), "BitsAllocated 12"),
    "pixel_representation_2": (
        lambda p: with_values(p, PixelRepresentation=2),
        "PixelRepresentation 2",
    ),
    "crop": (crop, "the header does not describe the data"),
    "slope_abc": (
        lambda p: with_values(p, RescaleSlope="abc", RescaleIntercept="0"),
        "RescaleSlope 'abc' is not a number",
    ),
    "slope_inf": (
        lambda p: with_values(p, RescaleSlope="inf", RescaleIntercept="0"),
        "RescaleSlope 'inf' is not a finite number",
    ),
    "position_nan": (
        lambda p: with_values(p, ImagePositionPatient=["0", "nan", "0"]),
        "ImagePositionPatient '0\\nan\\0' is not a finite number",
    ),
    "spacing_abc": (
        lambda p: with_values(p, PixelSpacing=["0.9", "x"]),
        "PixelSpacing '0.9\\x' is not a number",
    ),
    "enhanced_nan": (enhanced_with_nan_position, "frame 2: its ImagePositionPatient"),
    "palette": (
        lambda p: with_values(p, PhotometricInterpretation="PALETTE COLOR"),
        "PhotometricInterpretation is PALETTE COLOR",
    ),
    "ybr": (
        lambda p: with_values(p, PhotometricInterpretation="YBR_FULL"),
        "PhotometricInterpretation is YBR_FULL",
    ),
    "huge_length": (huge_pixel_length, "declares 2147483632 bytes but only"),
}
