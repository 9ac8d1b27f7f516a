"""DICOM headers as JSON for the coordinator-only provenance record.

Values become str, numbers or lists; pixel data and large binary values are dropped (their size
is kept); private elements are keyed "(gggg,eeee) creator" so the diff can show vendor tags.
Nothing here is reachable from reading code: only ``blinding`` builds what readers get.
"""

from __future__ import annotations

import math
from typing import Any

import pydicom
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

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
    text = str(value)
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


def dataset_json(ds: Dataset) -> dict[str, Any]:
    """JSON-safe attributes of ``ds`` (and its file meta), without pixel data."""
    out: dict[str, Any] = {}
    meta = getattr(ds, "file_meta", None)
    elements = [*(meta or []), *ds]
    for element in elements:
        if element.tag.group == 0x7FE0 or element.tag in (0xFFFCFFFC,):  # pixels, padding
            continue
        try:
            out[element_key(element)] = element_value(element)
        except Exception as error:  # a malformed value must not lose the rest of the header
            out[element_key(element)] = f"<unreadable: {type(error).__name__}>"
    return out


def header_json(path: str) -> dict[str, Any]:
    """The JSON-safe header of the DICOM file at ``path``."""
    ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    return dataset_json(ds)
