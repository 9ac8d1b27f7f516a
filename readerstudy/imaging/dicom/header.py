"""What the import knows about one image before it reads any pixels: ``SliceHeader``.

Both header readers (pydicom in ``dicom.read`` and the fast native parser in ``dicom.fast``)
fill it through ``header_fields``, so the two paths cannot disagree on a value's meaning.
"""

from __future__ import annotations

import math
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
    modality: str = ""
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


class Problems:
    """Collects what is wrong with a file's values while they are parsed.

    A value that is missing or empty is simply absent; a value that is present but cannot be
    right (not a number, infinite, NaN, the wrong count) is a problem, so the file is refused
    with the reason instead of being imported with a guess.
    """

    def __init__(self, where: str = ""):
        self.where = where
        self.found: list[str] = []

    def _note(self, text: str) -> None:
        self.found.append(f"{self.where}{text}")

    def number(self, value, keyword: str) -> float | None:
        if _empty(value):
            return None
        if isinstance(value, list | tuple):
            if len(value) != 1:
                self._note(f"its {keyword} has {len(value)} values, not 1")
                return None
            value = value[0]
        return self._finite(value, keyword, value)

    def numbers(self, value, count: int, keyword: str) -> tuple | None:
        if _empty(value):
            return None
        values = list(value) if isinstance(value, list | tuple) else [value]
        if len(values) != count:
            self._note(f"its {keyword} has {len(values)} values, not {count}")
            return None
        numbers = tuple(self._finite(v, keyword, value) for v in values)
        return None if any(n is None for n in numbers) else numbers

    def _finite(self, value, keyword: str, whole) -> float | None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self._note(f"its {keyword} {_shown(whole)} is not a number")
            return None
        if not math.isfinite(number):
            self._note(f"its {keyword} {_shown(whole)} is not a finite number")
            return None
        return number

    @property
    def text(self) -> str | None:
        return "; ".join(dict.fromkeys(self.found)) if self.found else None


def _empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, list | tuple):
        return len(value) == 0 or all(str(v).strip() == "" for v in value)
    return str(value).strip() == ""


def _shown(value) -> str:
    if isinstance(value, list | tuple):
        value = "\\".join(str(v) for v in value)
    text = str(value)
    return "'" + text[:40] + ("…" if len(text) > 40 else "") + "'"


def frame_count(value) -> int | None:
    """NumberOfFrames as a positive integer (1 when absent), or None when it cannot be right."""
    if _empty(value):
        return 1
    if isinstance(value, list | tuple):
        return None
    text = str(value).strip()
    if not text.lstrip("+").isdigit():
        return None
    count = int(text)
    return count if count > 0 else None


def rescale_of(get: Callable[[str], Any], problems: Problems | None = None) -> tuple[float, float]:
    """(slope, intercept); applied only when both are present, as pydicom's apply_rescale does."""
    problems = problems if problems is not None else Problems()
    slope = problems.number(get("RescaleSlope"), "RescaleSlope")
    intercept = problems.number(get("RescaleIntercept"), "RescaleIntercept")
    if slope is None or intercept is None:
        return 1.0, 0.0
    return slope, intercept


GREYSCALE = ("MONOCHROME1", "MONOCHROME2")
BITS_ALLOCATED = (8, 16, 32)
MAX_FRAMES_PER_FILE = 20_000  # more than any enhanced MR holds; a bigger count is a header bomb


def image_problem(get: Callable[[str], Any]) -> str | None:
    """What in the image pixel module (PS3.3 C.7.6.3) cannot be right, checked before any pixels.

    Only files with pixel data are checked; the import refuses them with this reason.
    """
    rows, columns = as_int(get("Rows"), 0), as_int(get("Columns"), 0)
    if not rows or not columns:
        return f"it declares Rows {rows} and Columns {columns}: an image needs both above 0"
    photometric = as_text(get("PhotometricInterpretation")) or "MONOCHROME2"
    if photometric not in GREYSCALE:
        return (
            f"its PhotometricInterpretation is {photometric}; only greyscale images "
            "(MONOCHROME1 or MONOCHROME2) can be imported"
        )
    samples = as_int(get("SamplesPerPixel"), 1)
    if samples != 1:
        return f"it holds colour images (SamplesPerPixel {samples}); MR series must be greyscale"
    allocated = as_int(get("BitsAllocated"), 16)
    if allocated not in BITS_ALLOCATED:
        return f"its BitsAllocated {allocated} is not supported (only 8, 16 or 32)"
    stored = as_int(get("BitsStored"), allocated)
    if stored is None or not 0 < stored <= allocated:
        return f"its BitsStored {stored} is not between 1 and its BitsAllocated {allocated}"
    representation = as_int(get("PixelRepresentation"), 0)
    if representation not in (0, 1):
        return f"its PixelRepresentation {representation} is neither 0 (unsigned) nor 1 (signed)"
    frames = frame_count(get("NumberOfFrames"))
    if frames is None:
        return f"its NumberOfFrames {_shown(get('NumberOfFrames'))} is not a positive integer"
    if frames > MAX_FRAMES_PER_FILE:
        return f"its NumberOfFrames {frames} is more than the {MAX_FRAMES_PER_FILE} accepted"
    return None


def expected_pixel_bytes(get: Callable[[str], Any]) -> int:
    """Rows × Columns × frames × samples × BitsAllocated / 8 (after ``image_problem`` passed)."""
    rows, columns = as_int(get("Rows"), 0) or 0, as_int(get("Columns"), 0) or 0
    samples = as_int(get("SamplesPerPixel"), 1) or 1
    bits = as_int(get("BitsAllocated"), 16) or 16
    frames = frame_count(get("NumberOfFrames")) or 1
    return rows * columns * samples * frames * bits // 8


def native_length_problem(length: int, available: int, expected: int) -> str | None:
    """Native pixel data must hold exactly what the header implies, plus at most one pad byte.

    ``length`` is the element's declared value length, ``available`` the bytes that follow it
    in the file.
    """
    if length > available and available < expected:
        return corrupt(f"the pixel data ends early: {available} of {expected} bytes are there")
    if length > available:
        return corrupt(
            f"the pixel data element declares {length} bytes but only {available} follow in "
            "the file"
        )
    if length < expected:
        return corrupt(f"the pixel data ends early: {length} of {expected} bytes are there")
    if length > expected + 1:
        return (
            f"its pixel data holds {length} bytes, more than the {expected} that Rows × Columns "
            "× NumberOfFrames × BitsAllocated imply: the header does not describe the data"
        )
    return None


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
    pydicom path and the fast native parser (``dicom_fast``) feed this one function, so both
    refuse the same files for the same reasons.
    """
    if problem is None and pixel_keyword is not None:
        problem = image_problem(get)
    frames = frame_count(get("NumberOfFrames")) or 1
    base = {
        "path": path,
        "name": name,
        "series_uid": as_text(get("SeriesInstanceUID")),
        "sop_uid": as_text(get("SOPInstanceUID")),
        "sop_class": as_text(get("SOPClassUID")),
        "rows": as_int(get("Rows"), 0) or 0,
        "columns": as_int(get("Columns"), 0) or 0,
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
        "modality": as_text(get("Modality")),
        "problem": problem,
    }
    problems = Problems()
    top = geometry_fields(get, problems)
    top["instance_number"] = as_int(get("InstanceNumber"))
    if base["problem"] is None and pixel_keyword is not None:
        base["problem"] = problems.text
    if base["problem"] is not None:
        base["pixel_offset"] = None  # nothing of a refused file is read
    return base, top


def geometry_fields(get: Callable[[str], Any], problems: Problems) -> dict:
    """Position, orientation, spacing and rescale, each refused when present but not right."""
    values = {
        "position": problems.numbers(get("ImagePositionPatient"), 3, "ImagePositionPatient"),
        "orientation": problems.numbers(
            get("ImageOrientationPatient"), 6, "ImageOrientationPatient"
        ),
        "pixel_spacing": problems.numbers(get("PixelSpacing"), 2, "PixelSpacing"),
        "slice_thickness": problems.number(get("SliceThickness"), "SliceThickness"),
        "spacing_between_slices": problems.number(
            get("SpacingBetweenSlices"), "SpacingBetweenSlices"
        ),
    }
    values["slope"], values["intercept"] = rescale_of(get, problems)
    return values
