"""Reading DICOM files in two passes: headers first (no pixels), pixels later, series by series.

The header pass keeps one small ``SliceHeader`` per image (per frame for multi-frame files) and
nothing else, so memory does not grow with the pixel data. For the common native little-endian
files it also notes where the pixel bytes start, so the pixel pass can read them straight from
the file without parsing the header a second time.
"""

from __future__ import annotations

import os
import struct
from functools import partial
from typing import BinaryIO

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import pixel_array
from pydicom.uid import (
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    MediaStorageDirectoryStorage,
)

from readerstudy.imaging.dicom import open_clamped, quiet_pydicom
from readerstudy.imaging.dicom.decoders import NATIVE_SYNTAXES, decode_problem, decoding_plugin
from readerstudy.imaging.dicom.header import (
    DICOMDIR,
    LONG_VRS,
    NOT_DICOM,
    PIXEL_TAGS,
    FileSkipped,
    Problems,
    SliceHeader,
    as_int,
    as_text,
    corrupt,
    element_value,
    expected_pixel_bytes,
    frame_count,
    header_fields,
    image_problem,
    native_length_problem,
    rescale_of,
)

_NATIVE_LE = {ExplicitVRLittleEndian, ImplicitVRLittleEndian}


def _looks_headerless(fp: BinaryIO) -> bool:
    """A DICOM stream without the 128-byte preamble usually starts with group 0002 or 0008."""
    fp.seek(0)
    start = fp.read(8)
    return len(start) == 8 and start[:2] in (b"\x02\x00", b"\x08\x00")


def _peek_pixel_element(fp: BinaryIO, implicit: bool, little: bool) -> tuple[int, int, int] | None:
    """(tag, value length, value offset) of the element at the file position, None at the end."""
    start = fp.tell()
    head = fp.read(12)
    if len(head) < 8:
        return None
    order = "<" if little else ">"
    group, element = struct.unpack(order + "HH", head[:4])
    tag = group << 16 | element
    if implicit:
        (length,) = struct.unpack(order + "L", head[4:8])
        return tag, length, start + 8
    if head[4:6] in LONG_VRS:
        if len(head) < 12:
            return None
        (length,) = struct.unpack(order + "L", head[8:12])
        return tag, length, start + 12
    (length,) = struct.unpack(order + "H", head[6:8])
    return tag, length, start + 8


def _read_dataset(fp: BinaryIO) -> Dataset:
    try:
        return pydicom.dcmread(fp, stop_before_pixels=True)
    except InvalidDicomError:
        if not _looks_headerless(fp):
            raise FileSkipped(NOT_DICOM) from None
        fp.seek(0)
        try:
            return pydicom.dcmread(fp, stop_before_pixels=True, force=True)
        except Exception:
            raise FileSkipped(NOT_DICOM) from None
    except RecursionError:
        raise FileSkipped(corrupt(TOO_DEEP)) from None
    except Exception:
        raise FileSkipped(corrupt("the header cannot be parsed")) from None


TOO_DEEP = "its sequences are nested too deeply to read"
_ITEM, _SEQUENCE_END = 0xFFFEE000, 0xFFFEE0DD


def _fragments(fp: BinaryIO, start: int, size: int, little: bool) -> tuple[int, str | None]:
    """(fragment count, problem) of encapsulated pixel data whose first item is at ``start``.

    Only the 8-byte item headers are read (PS3.5 A.4): the basic offset table is not counted.
    """
    order = "<" if little else ">"
    position, items = start, 0
    while True:
        fp.seek(position)
        head = fp.read(8)
        if len(head) < 8:
            return max(items - 1, 0), corrupt("the compressed pixel data ends early")
        group, element, length = struct.unpack(order + "HHL", head)
        tag = group << 16 | element
        if tag == _SEQUENCE_END:
            return max(items - 1, 0), None
        if tag != _ITEM or length == 0xFFFFFFFF:
            return max(items - 1, 0), corrupt("the compressed pixel data is not a list of items")
        position += 8 + length
        if position > size:
            return max(items - 1, 0), corrupt("the compressed pixel data ends early")
        items += 1


def _pixel_check(
    fp: BinaryIO, ds: Dataset, implicit: bool, little: bool, native: bool
) -> tuple[str | None, str | None, int | None]:
    """(pixel keyword, problem, offset of native little-endian bytes) of a non-deflated file."""
    element = _peek_pixel_element(fp, implicit, little)
    if element is None or element[0] not in PIXEL_TAGS:
        return None, None, None
    tag, length, value_offset = element
    keyword = PIXEL_TAGS[tag]
    get = partial(element_value, ds)
    if image_problem(get) is not None:
        return keyword, None, None  # header_fields words it
    size = os.fstat(fp.fileno()).st_size
    if length == 0xFFFFFFFF:
        if native:
            return keyword, corrupt("native pixel data has an undefined length"), None
        fragments, problem = _fragments(fp, value_offset, size, little)
        frames = frame_count(get("NumberOfFrames")) or 1
        if problem is None and fragments < frames:
            problem = (
                f"its NumberOfFrames {frames} is more than the {fragments} compressed "
                "fragments its pixel data holds"
            )
        return keyword, problem, None
    if not native and keyword == "PixelData":
        # Compressed syntaxes encapsulate PixelData (PS3.5 A.4); a defined length is wrong.
        return keyword, corrupt("compressed pixel data has a defined length"), None
    expected = expected_pixel_bytes(get) if keyword == "PixelData" else 0
    if keyword != "PixelData":
        return keyword, None, None  # float pixel data: refused later with its reason
    problem = native_length_problem(length, max(0, size - value_offset), expected)
    return keyword, problem, value_offset if problem is None else None


def _deflated_check(fp: BinaryIO) -> tuple[str | None, str | None]:
    """(pixel keyword, problem) of a deflated file: the file position says nothing inside it."""
    fp.seek(0)
    full = pydicom.dcmread(fp, force=True)
    keyword = next((k for k in PIXEL_TAGS.values() if k in full), None)
    if keyword != "PixelData":
        return keyword, None
    get = partial(element_value, full)
    if image_problem(get) is not None:
        return keyword, None
    length = len(full.PixelData)
    return keyword, native_length_problem(length, length, expected_pixel_bytes(get))


def read_file_headers(path: str, name: str, *, fast: bool = True) -> list[SliceHeader]:
    """The slice headers of one file (one per frame), without reading its pixels.

    Plain single-frame native files take the fast path (``dicom_fast``); everything else, and
    everything when ``fast`` is False, goes through pydicom. Raises ``FileSkipped`` with the
    reason for files that are not DICOM images. Declared sizes are checked against the pixel
    data before a record per frame is made, so a lying header cannot make the import allocate.
    """
    if fast:
        from readerstudy.imaging.dicom.fast import fast_slice_header

        header = fast_slice_header(path, name)
        if header is not None:
            return [header]
    try:
        with quiet_pydicom(), open_clamped(path) as fp:
            return _pydicom_headers(fp, path, name)
    except RecursionError:
        raise FileSkipped(corrupt(TOO_DEEP)) from None
    except FileSkipped:
        raise
    except OSError:
        raise
    except Exception as error:  # a malformed value pydicom cannot convert
        raise FileSkipped(corrupt(describe_error(error))) from None


def describe_error(error: BaseException) -> str:
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _pydicom_headers(fp: BinaryIO, path: str, name: str) -> list[SliceHeader]:
    ds = _read_dataset(fp)
    sop_class = as_text(
        element_value(ds, "SOPClassUID") or ds.file_meta.get("MediaStorageSOPClassUID")
    )
    if sop_class == MediaStorageDirectoryStorage or "DirectoryRecordSequence" in ds:
        raise FileSkipped(DICOMDIR)
    if "SeriesInstanceUID" not in ds:
        # pydicom stops quietly at the end of a cut file: a DICM file without the UID that
        # every image has was cut short (or is broken), anything else is not DICOM at all.
        if ds.preamble is not None:
            raise FileSkipped(corrupt("the header ends early: there is no SeriesInstanceUID"))
        raise FileSkipped(NOT_DICOM)
    transfer_syntax = as_text(ds.file_meta.get("TransferSyntaxUID")) if ds.file_meta else ""
    implicit, little = ds.original_encoding
    native = transfer_syntax in NATIVE_SYNTAXES or not transfer_syntax
    offset = None
    if transfer_syntax == pydicom.uid.DeflatedExplicitVRLittleEndian:
        keyword, problem = _deflated_check(fp)
    else:
        keyword, problem, offset = _pixel_check(fp, ds, bool(implicit), bool(little), native)
        if not (transfer_syntax in _NATIVE_LE or (not transfer_syntax and little)):
            offset = None
    if problem is None and keyword is not None:
        bits = as_int(element_value(ds, "BitsStored"), 16) or 16
        problem = decode_problem(transfer_syntax, bits)
    if problem is None and "ModalityLUTSequence" in ds:
        problem = "it uses a Modality LUT Sequence, which the import does not apply"
    return dataset_slice_headers(
        ds,
        path=path,
        name=name,
        transfer_syntax=transfer_syntax or (ImplicitVRLittleEndian if implicit else ""),
        pixel_keyword=keyword,
        pixel_offset=offset,
        problem=problem,
    )


def _functional_group(item: Dataset | None, shared: Dataset | None, keyword: str):
    """The first item of a functional group macro, per-frame first, then shared."""
    for source in (item, shared):
        if source is not None and keyword in source and len(source[keyword].value):
            return source[keyword].value[0]
    return None


def dataset_slice_headers(
    ds: Dataset,
    *,
    path: str,
    name: str,
    transfer_syntax: str,
    pixel_keyword: str | None,
    pixel_offset: int | None,
    problem: str | None = None,
) -> list[SliceHeader]:
    """Slice headers from a dataset read without its pixels; multi-frame files give one per frame.

    Enhanced (multi-frame) MR keeps position, orientation, spacing and rescale per frame in the
    functional group sequences (PS3.3 C.7.6.16); classic files keep them at the top level. A
    file with a problem gives one header carrying it, whatever its frame count, so its reason
    is reported once.
    """
    base, top = header_fields(
        lambda keyword: element_value(ds, keyword),
        path=path,
        name=name,
        transfer_syntax=transfer_syntax,
        pixel_keyword=pixel_keyword,
        pixel_offset=pixel_offset,
        problem=problem,
    )
    frames = base["frames"]
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    shared_seq = ds.get("SharedFunctionalGroupsSequence")
    if base["problem"] is None and per_frame and len(per_frame) != frames:
        base["problem"] = (
            f"its NumberOfFrames {frames} does not match the {len(per_frame)} items of its "
            "PerFrameFunctionalGroupsSequence"
        )
    if base["problem"] is not None or (frames == 1 and not per_frame):
        return [SliceHeader(frame=None, **base, **top)]
    shared = shared_seq[0] if shared_seq else None
    headers = []
    for index in range(frames):
        item = per_frame[index] if per_frame and index < len(per_frame) else None
        values = _frame_values(item, shared, top, index, Problems(f"frame {index + 1}: "))
        if isinstance(values, str):
            base["problem"] = values
            return [SliceHeader(frame=None, **base, **top)]
        headers.append(SliceHeader(frame=index, **base, **values))
    return headers


def _frame_values(
    item: Dataset | None, shared: Dataset | None, top: dict, index: int, problems: Problems
) -> dict | str:
    """The per-slice fields of one frame, or the problem that refuses the file."""
    plane = _functional_group(item, shared, "PlanePositionSequence")
    orient = _functional_group(item, shared, "PlaneOrientationSequence")
    measures = _functional_group(item, shared, "PixelMeasuresSequence")
    transform = _functional_group(item, shared, "PixelValueTransformationSequence")
    content = _functional_group(item, shared, "FrameContentSequence")
    values = dict(top)
    # Legacy multi-frame files have no per-frame position: keep the frame order instead.
    values["position"] = (
        problems.numbers(element_value(plane, "ImagePositionPatient"), 3, "ImagePositionPatient")
        if plane
        else None
    )
    if orient is not None:
        values["orientation"] = problems.numbers(
            element_value(orient, "ImageOrientationPatient"), 6, "ImageOrientationPatient"
        )
    if measures is not None:
        get = partial(element_value, measures)
        values["pixel_spacing"] = (
            problems.numbers(get("PixelSpacing"), 2, "PixelSpacing") or top["pixel_spacing"]
        )
        thickness = problems.number(get("SliceThickness"), "SliceThickness")
        between = problems.number(get("SpacingBetweenSlices"), "SpacingBetweenSlices")
        values["slice_thickness"] = top["slice_thickness"] if thickness is None else thickness
        values["spacing_between_slices"] = (
            top["spacing_between_slices"] if between is None else between
        )
    if transform is not None:
        values["slope"], values["intercept"] = rescale_of(
            partial(element_value, transform), problems
        )
    if problems.text:
        return problems.text
    stack_position = as_int(element_value(content, "InStackPositionNumber")) if content else None
    values["instance_number"] = stack_position if stack_position is not None else index + 1
    return values


def _native_frames(header: SliceHeader) -> np.ndarray:
    """All frames of a native little-endian file, read straight from its pixel bytes."""
    kinds = {8: "u1", 16: "u2", 32: "u4"}
    kind = kinds.get(header.bits_allocated)
    if kind is None:
        raise ValueError(f"BitsAllocated {header.bits_allocated} is not supported")
    if header.pixel_representation == 1:
        kind = kind.replace("u", "i")
    count = header.frames * header.rows * header.columns
    array = np.fromfile(header.path, dtype="<" + kind, count=count, offset=header.pixel_offset)
    if array.size != count:
        raise ValueError(f"the pixel data ends early: {array.size} of {count} values are there")
    array = array.reshape(header.frames, header.rows, header.columns)
    unused = header.bits_allocated - header.bits_stored
    if unused > 0:
        # Ignore the unused high bits (PS3.5 8.1.1), sign-extending signed values, as pydicom does.
        np.left_shift(array, unused, out=array)
        np.right_shift(array, unused, out=array)
    return array


def read_file_frames(header: SliceHeader) -> np.ndarray:
    """The stored values (before rescale) of every frame in ``header``'s file: (frames, rows, cols).

    Native little-endian files are read straight from disk; big endian, deflated and compressed
    files go through pydicom with the decoder plugin chosen in ``imaging.dicom.decoders``.
    """
    if header.pixel_offset is not None:
        return _native_frames(header)
    with open_clamped(header.path) as fp:
        ds = pydicom.dcmread(fp, force=True)
    if "TransferSyntaxUID" not in ds.file_meta:
        # A file without meta information: pydicom guessed the encoding while reading.
        implicit, little = ds.original_encoding
        ds.file_meta.TransferSyntaxUID = (
            (ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian)
            if little
            else pydicom.uid.ExplicitVRBigEndian
        )
    array = pixel_array(ds, decoding_plugin=decoding_plugin(header.transfer_syntax))
    if array.ndim == 2:
        array = array[np.newaxis]
    return array
