"""What the import knows about one image before it reads any pixels: ``SliceHeader``.

Both header readers (pydicom in ``dicom.read`` and the fast native parser in ``dicom.fast``)
fill it through ``header_fields``, so the two paths cannot disagree on a value's meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydicom.datadict import tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

NOT_DICOM = "not a DICOM file"


DICOMDIR = "a DICOMDIR index, not an image"


PIXEL_TAGS = {
    0x7FE00010: "PixelData",
    0x7FE00008: "FloatPixelData",
    0x7FE00009: "DoubleFloatPixelData",
}


# Explicit VRs whose length field is 4 bytes after 2 reserved bytes (PS3.5 7.1.2).
LONG_VRS = {
    b"OB",
    b"OD",
    b"OF",
    b"OL",
    b"OV",
    b"OW",
    b"SQ",
    b"SV",
    b"UC",
    b"UN",
    b"UR",
    b"UT",
    b"UV",
}


class FileSkipped(Exception):
    """A file that is not imported, with the reason the coordinator sees."""


def corrupt(detail: str) -> str:
    return f"corrupt or truncated DICOM file ({detail})"


@dataclass(slots=True)
class SliceHeader:
    """What the import needs to know about one image (one frame of a multi-frame file)."""

    path: str  # absolute path, for reading
    name: str  # path relative to the import root, for messages
    frame: int | None  # frame index in a multi-frame file, None for single-frame files
    series_uid: str
    sop_uid: str
    sop_class: str
    instance_number: int | None
    position: tuple[float, float, float] | None
    orientation: tuple[float, float, float, float, float, float] | None
    rows: int
    columns: int
    pixel_spacing: tuple[float, float] | None
    slice_thickness: float | None
    spacing_between_slices: float | None
    slope: float
    intercept: float
    photometric: str
    samples_per_pixel: int
    bits_allocated: int
    bits_stored: int
    pixel_representation: int
    transfer_syntax: str
    frames: int  # NumberOfFrames of the file
    pixel_keyword: str | None  # None when the file has no pixel data
    pixel_offset: int | None  # start of native little-endian pixel bytes (fast path), else None
    description: str
    patient_id: str
    patient_name: str
    accession_number: str
    study_id: str
    problem: str | None = None  # set when the file is known to be unusable (e.g. truncated)

    @property
    def has_pixels(self) -> bool:
        return self.pixel_keyword is not None


US_KEYWORDS = {
    "Rows",
    "Columns",
    "SamplesPerPixel",
    "BitsAllocated",
    "BitsStored",
    "PixelRepresentation",
}


_TAGS: dict[str, int] = {}


def element_value(ds: Dataset, keyword: str):
    """The value of ``keyword`` in ``ds``, skipping pydicom's value conversion when it can.

    Converting DS/IS/UI values through pydicom costs more than parsing the whole header; for the
    few attributes the import needs, plain ASCII bytes are split and returned as str (US as
    int). Non-ASCII text still goes through pydicom so the character set is honoured.
    """
    tag = _TAGS.get(keyword)
    if tag is None:
        tag = _TAGS[keyword] = int(tag_for_keyword(keyword))
    element = ds._dict.get(tag)
    if element is None:
        return None
    if not isinstance(element, RawDataElement) or element.value is None:
        return ds[tag].value
    raw = element.value
    if keyword in US_KEYWORDS:
        if len(raw) < 2:
            return None
        return int.from_bytes(raw[:2], "little" if element.is_little_endian else "big")
    if not raw.isascii():
        return ds[tag].value
    text = raw.decode("ascii").strip("\x00 ")
    return text.split("\\") if "\\" in text else text


def as_float(value, default: float | None = None) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def as_int(value, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def as_floats(value, count: int) -> tuple | None:
    try:
        numbers = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return numbers if len(numbers) == count else None


def rescale_of(get: Callable[[str], Any]) -> tuple[float, float]:
    """(slope, intercept); applied only when both are present, as pydicom's apply_rescale does."""
    slope, intercept = get("RescaleSlope"), get("RescaleIntercept")
    if slope is None or intercept is None:
        return 1.0, 0.0
    return as_float(slope, 1.0), as_float(intercept, 0.0)


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "\\".join(str(v).strip() for v in value)
    # Broken exports pad with NULs inside values; PostgreSQL's JSON cannot hold them.
    return str(value).replace("\x00", "").strip()


def header_fields(
    get: Callable[[str], Any],
    *,
    path: str,
    name: str,
    transfer_syntax: str,
    pixel_keyword: str | None,
    pixel_offset: int | None,
    problem: str | None = None,
) -> tuple[dict, dict]:
    """The SliceHeader fields of a file's top level: (per-file fields, per-slice fields).

    ``get(keyword)`` returns an attribute's value (str, list of str, int, or None); both the
    pydicom path and the fast native parser (``dicom_fast``) feed this one function.
    """
    frames = as_int(get("NumberOfFrames"), 1) or 1
    base = {
        "path": path,
        "name": name,
        "series_uid": as_text(get("SeriesInstanceUID")),
        "sop_uid": as_text(get("SOPInstanceUID")),
        "sop_class": as_text(get("SOPClassUID")),
        "rows": as_int(get("Rows"), 0),
        "columns": as_int(get("Columns"), 0),
        "photometric": as_text(get("PhotometricInterpretation")) or "MONOCHROME2",
        "samples_per_pixel": as_int(get("SamplesPerPixel"), 1),
        "bits_allocated": as_int(get("BitsAllocated"), 16),
        "bits_stored": as_int(get("BitsStored"), as_int(get("BitsAllocated"), 16)),
        "pixel_representation": as_int(get("PixelRepresentation"), 0),
        "transfer_syntax": transfer_syntax,
        "frames": frames,
        "pixel_keyword": pixel_keyword,
        "pixel_offset": pixel_offset,
        "description": as_text(get("SeriesDescription")) or as_text(get("ProtocolName")),
        "patient_id": as_text(get("PatientID")),
        "patient_name": as_text(get("PatientName")),
        "accession_number": as_text(get("AccessionNumber")),
        "study_id": as_text(get("StudyID")),
        "problem": problem,
    }
    top = {
        "instance_number": as_int(get("InstanceNumber")),
        "position": as_floats(get("ImagePositionPatient"), 3),
        "orientation": as_floats(get("ImageOrientationPatient"), 6),
        "pixel_spacing": as_floats(get("PixelSpacing"), 2),
        "slice_thickness": as_float(get("SliceThickness")),
        "spacing_between_slices": as_float(get("SpacingBetweenSlices")),
    }
    top["slope"], top["intercept"] = rescale_of(get)
    return base, top
