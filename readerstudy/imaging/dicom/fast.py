"""A fast header reader for the common case: single-frame, native little-endian DICOM files.

pydicom builds an element object for every attribute and costs about as much per file as the
whole baseline read. Hospital exports are mostly thousands of plain single-frame files, so this
module walks the element headers itself (PS3.5 7.1, 7.5), keeps the few attributes the import
needs, and notes where the pixel bytes start. Anything unusual (no preamble, another transfer
syntax, multi-frame, non-ASCII text, a malformed element, a DICOMDIR) returns None, and the
caller falls back to pydicom, which also words the reason for bad files. A test checks that both
paths give identical results on every file they both accept.
"""

from __future__ import annotations

import os
from struct import unpack_from

from pydicom.datadict import tag_for_keyword
from pydicom.uid import (
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    MediaStorageDirectoryStorage,
)

from readerstudy.imaging.dicom.header import (
    LONG_VRS,
    PIXEL_TAGS,
    SliceHeader,
    expected_pixel_bytes,
    header_fields,
    image_problem,
    native_length_problem,
)

HEAD_BYTES = 64 * 1024  # covers all but the largest vendor headers; more is read if needed
_US = {"Rows", "Columns", "SamplesPerPixel", "BitsAllocated", "BitsStored", "PixelRepresentation"}
_WANTED = (
    "SOPClassUID",
    "SOPInstanceUID",
    "Modality",
    "AccessionNumber",
    "SeriesDescription",
    "PatientName",
    "PatientID",
    "SliceThickness",
    "SpacingBetweenSlices",
    "ProtocolName",
    "StudyID",
    "SeriesInstanceUID",
    "InstanceNumber",
    "ImagePositionPatient",
    "ImageOrientationPatient",
    "SamplesPerPixel",
    "PhotometricInterpretation",
    "NumberOfFrames",
    "Rows",
    "Columns",
    "PixelSpacing",
    "BitsAllocated",
    "BitsStored",
    "PixelRepresentation",
    "RescaleIntercept",
    "RescaleSlope",
)
WANTED_TAGS = {int(tag_for_keyword(keyword)): keyword for keyword in _WANTED}
# Present at the top level, these send the file to pydicom (multi-frame, DICOMDIR, LUTs).
_FALLBACK_TAGS = {
    0x00041220,  # DirectoryRecordSequence
    0x00283000,  # ModalityLUTSequence
    0x52009229,  # SharedFunctionalGroupsSequence
    0x52009230,  # PerFrameFunctionalGroupsSequence
}
_ITEM, _ITEM_END, _SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD


class _NeedPydicom(Exception):
    """The file is not the plain case; pydicom reads it instead."""


def _element(data: bytes, pos: int, implicit: bool) -> tuple[int, bytes, int, int]:
    """(tag, VR or b"", value length, value position) of the element header at ``pos``."""
    if pos + 8 > len(data):
        raise _NeedPydicom
    group, element = unpack_from("<HH", data, pos)
    tag = group << 16 | element
    if implicit or group == 0xFFFE:  # item tags never carry a VR
        return tag, b"", unpack_from("<L", data, pos + 4)[0], pos + 8
    vr = data[pos + 4 : pos + 6]
    if vr in LONG_VRS:
        if pos + 12 > len(data):
            raise _NeedPydicom
        return tag, vr, unpack_from("<L", data, pos + 8)[0], pos + 12
    return tag, vr, unpack_from("<H", data, pos + 6)[0], pos + 8


MAX_DEPTH = 16  # sequences nested deeper than any real header go to pydicom, which words it


def _skip_undefined(data: bytes, pos: int, vr: bytes, implicit: bool, depth: int = 0) -> int:
    # An undefined-length UN holds implicit VR little endian content (PS3.5 6.2.2).
    if depth > MAX_DEPTH:
        raise _NeedPydicom
    return _skip_sequence(data, pos, implicit or vr == b"UN", depth + 1)


def _skip_sequence(data: bytes, pos: int, implicit: bool, depth: int) -> int:
    """Position after an undefined-length sequence whose first item header is at ``pos``."""
    while True:
        tag, _, length, pos = _element(data, pos, True)
        if tag == _SEQUENCE_END:
            return pos
        if tag != _ITEM:
            raise _NeedPydicom
        pos = _skip_item(data, pos, implicit, depth) if length == 0xFFFFFFFF else pos + length


def _skip_item(data: bytes, pos: int, implicit: bool, depth: int) -> int:
    """Position after an undefined-length item whose first element is at ``pos``."""
    while True:
        tag, vr, length, pos = _element(data, pos, implicit)
        if tag == _ITEM_END:
            return pos
        if length == 0xFFFFFFFF:
            pos = _skip_undefined(data, pos, vr, implicit, depth)
        else:
            pos += length


def as_text(raw: bytes) -> str | list[str]:
    if not raw.isascii():
        raise _NeedPydicom  # the character set matters: pydicom decodes it
    text = raw.decode("ascii").strip("\x00 ")
    return text.split("\\") if "\\" in text else text


def _parse(data: bytes, file_size: int) -> tuple[dict, str, int, int, int]:
    """(values by keyword, transfer syntax, pixel tag, pixel length, pixel position)."""
    if len(data) < 144 or data[128:132] != b"DICM":
        raise _NeedPydicom
    pos, transfer_syntax, meta_sop_class = 132, "", ""
    while True:  # the file meta group is always explicit VR little endian
        tag, _, length, value = _element(data, pos, False)
        if tag >> 16 != 0x0002:
            break
        if tag == 0x00020010:
            transfer_syntax = as_text(data[value : value + length])
        elif tag == 0x00020002:
            meta_sop_class = as_text(data[value : value + length])
        pos = value + length
    if transfer_syntax == ExplicitVRLittleEndian:
        implicit = False
    elif transfer_syntax == ImplicitVRLittleEndian:
        implicit = True
    else:
        raise _NeedPydicom
    values: dict = {}
    while True:
        if pos >= file_size:
            raise _NeedPydicom  # no pixel data: pydicom says what the file is
        tag, vr, length, value = _element(data, pos, implicit)
        if tag in PIXEL_TAGS:
            if length == 0xFFFFFFFF:
                raise _NeedPydicom
            if meta_sop_class == MediaStorageDirectoryStorage:
                raise _NeedPydicom
            return values, transfer_syntax, tag, length, value
        if tag in _FALLBACK_TAGS:
            raise _NeedPydicom
        if length == 0xFFFFFFFF:
            pos = _skip_undefined(data, value, vr, implicit)
            continue
        pos = value + length
        keyword = WANTED_TAGS.get(tag)
        if keyword is not None:
            if pos > len(data):
                raise _NeedPydicom
            raw = data[value:pos]
            if keyword in _US:
                values[keyword] = unpack_from("<H", raw)[0] if len(raw) >= 2 else None
            else:
                values[keyword] = as_text(raw)


def fast_slice_header(path: str, name: str) -> SliceHeader | None:
    """The header of a plain single-frame native little-endian file, or None for pydicom."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        data = handle.read(HEAD_BYTES)
        try:
            values, syntax, tag, length, value = _parse(data, size)
        except _NeedPydicom:
            if len(data) == size or size > 16 * HEAD_BYTES:
                return None
            data += handle.read()  # a long vendor header: try once more with the whole file
            try:
                values, syntax, tag, length, value = _parse(data, size)
            except _NeedPydicom:
                return None
    if values.get("NumberOfFrames") not in (None, "", "1") or not values.get("SeriesInstanceUID"):
        return None  # multi-frame files and odd ones: pydicom
    problem, offset = None, value
    if PIXEL_TAGS[tag] != "PixelData":
        offset = None  # float pixel data: refused later with its reason
    elif image_problem(values.get) is None:
        expected = expected_pixel_bytes(values.get)
        problem = native_length_problem(length, max(0, size - value), expected)
        if problem is not None:
            offset = None
    base, top = header_fields(
        values.get,
        path=path,
        name=name,
        transfer_syntax=syntax,
        pixel_keyword=PIXEL_TAGS[tag],
        pixel_offset=offset,
        problem=problem,
    )
    return SliceHeader(frame=None, **base, **top)
