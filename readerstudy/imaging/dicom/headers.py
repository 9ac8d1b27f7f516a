"""DICOM headers as JSON for the coordinator-only provenance record.

Values become str, numbers or lists; pixel data and large binary values are dropped (their size
is kept); private elements are keyed "(gggg,eeee) creator" so the diff can show vendor tags.
Nothing here is reachable from reading code: only ``blinding`` builds what readers get.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import pydicom
from pydicom.datadict import dictionary_VR, keyword_for_tag
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag

from readerstudy.imaging.dicom import open_clamped

MAX_BINARY_BYTES = 64  # larger binary values are summarised by their size
MAX_TEXT_CHARS = 2000
MAX_SEQUENCE_ITEMS = 3  # per-frame functional groups can have hundreds of items
_BINARY_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}


def element_key(element: DataElement) -> str:
    tag = element.tag
    if tag.is_private:
        if tag.is_private_creator:
            return f"({tag.group:04X},{tag.element:04X}) private creator"
        creator = getattr(element, "private_creator", None) or "unknown creator"
        return f"({tag.group:04X},{tag.element:04X}) {creator}"
    return element.keyword or f"({tag.group:04X},{tag.element:04X})"


def _scalar(value: Any, vr: str) -> Any:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        if len(value) > MAX_BINARY_BYTES:
            return f"<{len(value)} bytes>"
        return value.hex()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    text = str(value).replace("\x00", "")  # PostgreSQL's JSON cannot hold NUL characters
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "…"


def element_value(element: DataElement) -> Any:
    vr = element.VR
    if vr == "SQ":
        items = [dataset_json(item) for item in element.value[:MAX_SEQUENCE_ITEMS]]
        if len(element.value) > MAX_SEQUENCE_ITEMS:
            items.append({"…": f"{len(element.value) - MAX_SEQUENCE_ITEMS} more items"})
        return items
    value = element.value
    if vr in _BINARY_VRS and isinstance(value, bytes | bytearray):
        return _scalar(value, vr)
    if isinstance(value, MultiValue | list | tuple):
        return [_scalar(v, vr) for v in value]
    return _scalar(value, vr)


_TEXT_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "PN", "SH", "TM", "UC", "UI"}
_LONG_TEXT_VRS = {"LT", "ST", "UT", "UR"}
_BINARY_NUMBERS = {"US": "H", "SS": "h", "UL": "L", "SL": "l", "FL": "f", "FD": "d"}
_SLOW = object()


def _number(text: str, vr: str):
    try:
        return int(text) if vr == "IS" else _scalar(float(text), vr) if vr == "DS" else text
    except ValueError:
        return text


def _raw_value(raw: RawDataElement):
    """A JSON value straight from the raw bytes for plain VRs, or _SLOW for pydicom to convert.

    Converting every element through pydicom cost more per series than reading its pixels.
    """
    value = raw.value
    vr = raw.VR or dictionary_VR(raw.tag)
    if value is None or not isinstance(value, bytes):
        return _SLOW
    if vr in _TEXT_VRS or vr in _LONG_TEXT_VRS:
        if not value.isascii():
            return _SLOW  # let pydicom honour the character set
        text = value.decode("ascii").rstrip("\x00 ").replace("\x00", "")
        if vr in _LONG_TEXT_VRS:
            return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "…"
        parts = [_number(part.strip(), vr) for part in text.split("\\")]
        return parts if len(parts) > 1 else parts[0] if text else ""
    code = _BINARY_NUMBERS.get(vr)
    if code is None:
        return _SLOW
    size = struct.calcsize(code)
    if len(value) % size:
        return _SLOW
    numbers = struct.unpack(
        ("<" if raw.is_little_endian else ">") + code * (len(value) // size), value
    )
    numbers = [_scalar(n, vr) for n in numbers]
    return numbers if len(numbers) != 1 else numbers[0]


def dataset_json(ds: Dataset) -> dict[str, Any]:
    """JSON-safe attributes of ``ds`` (and its file meta), without pixel data."""
    out: dict[str, Any] = {}
    meta = getattr(ds, "file_meta", None)
    for source in (meta, ds):
        if source is None:
            continue
        for tag in sorted(source._dict):
            if tag >> 16 == 0x7FE0 or tag == 0xFFFCFFFC:  # pixels, padding
                continue
            raw = source._dict[tag]
            if isinstance(raw, RawDataElement) and not BaseTag(tag).is_private:
                try:
                    value = _raw_value(raw)
                except KeyError:  # not in the dictionary
                    value = _SLOW
                if value is not _SLOW:
                    out[keyword_for_tag(tag) or f"({tag >> 16:04X},{tag & 0xFFFF:04X})"] = value
                    continue
            try:
                element = source[tag]
                out[element_key(element)] = element_value(element)
            except Exception as error:  # a malformed value must not lose the rest of the header
                out[f"({tag >> 16:04X},{tag & 0xFFFF:04X})"] = (
                    f"<unreadable: {type(error).__name__}>"
                )
    return out


def header_json(path: str) -> dict[str, Any]:
    """The JSON-safe header of the DICOM file at ``path``."""
    with open_clamped(path) as fp:
        ds = pydicom.dcmread(fp, stop_before_pixels=True, force=True)
    return dataset_json(ds)
