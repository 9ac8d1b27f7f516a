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

from readerstudy.imaging.dicom.decoders import decoding_plugin
from readerstudy.imaging.dicom.header import (
    DICOMDIR,
    LONG_VRS,
    NOT_DICOM,
    PIXEL_TAGS,
    FileSkipped,
    SliceHeader,
    as_float,
    as_floats,
    as_int,
    as_text,
    corrupt,
    element_value,
    header_fields,
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
    except Exception:
        raise FileSkipped(corrupt("the header cannot be parsed")) from None


def _frame_bytes(ds: Dataset) -> int:
    rows, columns = as_int(element_value(ds, "Rows"), 0), as_int(element_value(ds, "Columns"), 0)
    samples = as_int(element_value(ds, "SamplesPerPixel"), 1) or 1
    bits = as_int(element_value(ds, "BitsAllocated"), 16) or 16
    return rows * columns * samples * bits // 8


def read_file_headers(path: str, name: str, *, fast: bool = True) -> list[SliceHeader]:
    """The slice headers of one file (one per frame), without reading its pixels.

    Plain single-frame native files take the fast path (``dicom_fast``); everything else, and
    everything when ``fast`` is False, goes through pydicom. Raises ``FileSkipped`` with the
    reason for files that are not DICOM images.
    """
    if fast:
        from readerstudy.imaging.dicom.fast import fast_slice_header

        header = fast_slice_header(path, name)
        if header is not None:
            return [header]
    with open(path, "rb") as fp:
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
        problem = None
        if "ModalityLUTSequence" in ds:
            problem = "it uses a Modality LUT Sequence, which the import does not apply"
        transfer_syntax = as_text(ds.file_meta.get("TransferSyntaxUID")) if ds.file_meta else ""
        implicit, little = ds.original_encoding
        keyword, offset = None, None
        deflated = transfer_syntax == pydicom.uid.DeflatedExplicitVRLittleEndian
        if deflated:
            # The file position says nothing inside a deflated stream: check the inflated data.
            fp.seek(0)
            full = pydicom.dcmread(fp, force=True)
            keyword = next((k for k in PIXEL_TAGS.values() if k in full), None)
        else:
            element = _peek_pixel_element(fp, bool(implicit), bool(little))
            if element is not None and element[0] in PIXEL_TAGS:
                tag, length, value_offset = element
                keyword = PIXEL_TAGS[tag]
                if length != 0xFFFFFFFF:
                    size = os.fstat(fp.fileno()).st_size
                    expected = _frame_bytes(ds) * (
                        as_int(element_value(ds, "NumberOfFrames"), 1) or 1
                    )
                    if value_offset + length > size or length < expected:
                        have = min(length, max(0, size - value_offset))
                        problem = corrupt(
                            f"the pixel data ends early: {have} of {expected} bytes are there"
                        )
                    elif transfer_syntax in _NATIVE_LE or (not transfer_syntax and little):
                        offset = value_offset
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
    functional group sequences (PS3.3 C.7.6.16); classic files keep them at the top level.
    """
    frames = as_int(element_value(ds, "NumberOfFrames"), 1) or 1
    base, top = header_fields(
        lambda keyword: element_value(ds, keyword),
        path=path,
        name=name,
        transfer_syntax=transfer_syntax,
        pixel_keyword=pixel_keyword,
        pixel_offset=pixel_offset,
        problem=problem,
    )
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    shared_seq = ds.get("SharedFunctionalGroupsSequence")
    if frames == 1 and not per_frame:
        return [SliceHeader(frame=None, **base, **top)]
    shared = shared_seq[0] if shared_seq else None
    headers = []
    for index in range(frames):
        item = per_frame[index] if per_frame is not None and index < len(per_frame) else None
        plane = _functional_group(item, shared, "PlanePositionSequence")
        orient = _functional_group(item, shared, "PlaneOrientationSequence")
        measures = _functional_group(item, shared, "PixelMeasuresSequence")
        transform = _functional_group(item, shared, "PixelValueTransformationSequence")
        content = _functional_group(item, shared, "FrameContentSequence")
        values = dict(top)
        # Legacy multi-frame files have no per-frame position: keep the frame order instead.
        values["position"] = (
            as_floats(element_value(plane, "ImagePositionPatient"), 3) if plane else None
        )
        if orient is not None:
            values["orientation"] = as_floats(element_value(orient, "ImageOrientationPatient"), 6)
        if measures is not None:
            values["pixel_spacing"] = (
                as_floats(element_value(measures, "PixelSpacing"), 2) or top["pixel_spacing"]
            )
            values["slice_thickness"] = as_float(
                element_value(measures, "SliceThickness"), top["slice_thickness"]
            )
            values["spacing_between_slices"] = as_float(
                element_value(measures, "SpacingBetweenSlices"), top["spacing_between_slices"]
            )
        if transform is not None:
            values["slope"], values["intercept"] = rescale_of(partial(element_value, transform))
        stack_position = (
            as_int(element_value(content, "InStackPositionNumber")) if content else None
        )
        values["instance_number"] = stack_position if stack_position is not None else index + 1
        headers.append(SliceHeader(frame=index, **base, **values))
    return headers


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
    ds = pydicom.dcmread(header.path, force=True)
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
