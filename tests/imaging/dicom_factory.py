"""Small DICOM series written with pydicom for the import tests (tiny matrices, fast)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import (
    EnhancedMRImageStorage,
    ExplicitVRLittleEndian,
    MRImageStorage,
    generate_uid,
)


def mr_dataset(
    *,
    series_uid: str,
    pixels: np.ndarray,
    position=None,
    orientation=(1.0, 0.0, 0.0, 0.0, 1.0, 0.0),
    instance_number: int | None = 1,
    description: str = "T2 AX",
    patient_id: str = "P001",
    transfer_syntax: str = ExplicitVRLittleEndian,
    bits_stored: int = 12,
    spacing=(0.9, 0.9),
    **extra,
) -> Dataset:
    """One MR image (single frame) with the attributes the import reads."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    ds.file_meta.MediaStorageSOPClassUID = MRImageStorage
    sop_uid = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = series_uid
    ds.Modality = "MR"
    ds.PatientID = patient_id
    ds.PatientName = "Test^Patient"
    ds.SeriesDescription = description
    ds.SeriesNumber = 3
    if instance_number is not None:
        ds.InstanceNumber = instance_number
    if position is not None:
        ds.ImagePositionPatient = [float(v) for v in position]
    if orientation is not None:
        ds.ImageOrientationPatient = [float(v) for v in orientation]
    ds.PixelSpacing = list(spacing)
    ds.SliceThickness = 2.0
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if pixels.dtype.kind == "i" else 0
    for keyword, value in extra.items():
        setattr(ds, keyword, value)
    ds.PixelData = pixels.astype(pixels.dtype.newbyteorder("<")).tobytes()
    return ds


def write_series(
    folder: Path,
    *,
    slices: int = 4,
    rows: int = 8,
    columns: int = 6,
    series_uid: str | None = None,
    spacing: float = 2.0,
    orientation=(1.0, 0.0, 0.0, 0.0, 1.0, 0.0),
    seed: int = 0,
    shuffle: bool = True,
    signed: bool = False,
    per_slice: list[dict] | None = None,
    **extra,
) -> tuple[str, np.ndarray]:
    """Write a series of single-frame files and return (SeriesInstanceUID, stored volume in order).

    File names are shuffled against the anatomical order so that sorting by name would be wrong.
    """
    folder.mkdir(parents=True, exist_ok=True)
    series_uid = series_uid or generate_uid()
    rng = np.random.default_rng(seed)
    dtype = np.int16 if signed else np.uint16
    low = -500 if signed else 0
    volume = rng.integers(low, 3000, size=(slices, rows, columns)).astype(dtype)
    normal = np.cross(orientation[:3], orientation[3:])
    names = list(range(slices))
    if shuffle:
        random.Random(seed).shuffle(names)
    for index in range(slices):
        values = {
            "position": np.array([-10.0, 20.0, 5.0]) + normal * spacing * index,
            "orientation": orientation,
            "instance_number": index + 1,
            **extra,
        }
        if per_slice:
            values.update(per_slice[index])
        ds = mr_dataset(series_uid=series_uid, pixels=volume[index], **values)
        ds.save_as(folder / f"IM{names[index]:04d}", enforce_file_format=True)
    return series_uid, volume


def enhanced_mr_dataset(
    *,
    frames: int = 5,
    rows: int = 6,
    columns: int = 7,
    spacing: float = 3.0,
    order: list[int] | None = None,
    slopes: list[float] | None = None,
    intercepts: list[float] | None = None,
    seed: int = 1,
) -> tuple[Dataset, np.ndarray, list[int]]:
    """An Enhanced MR multi-frame image whose frames are stored in ``order`` (shuffled).

    Returns the dataset, the stored frames in file order, and ``order``: frame i of the file lies
    at anatomical position ``order[i]``. Position and rescale are per frame (PS3.3 C.7.6.16).
    """
    rng = np.random.default_rng(seed)
    order = order if order is not None else list(rng.permutation(frames))
    stored = rng.integers(0, 2000, size=(frames, rows, columns)).astype(np.uint16)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = EnhancedMRImageStorage
    sop_uid = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
    ds.SOPClassUID = EnhancedMRImageStorage
    ds.SOPInstanceUID = sop_uid
    ds.SeriesInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.Modality = "MR"
    ds.PatientID = "P-ENH"
    ds.SeriesDescription = "T1 enhanced multi-frame"
    ds.InstanceNumber = 1
    ds.NumberOfFrames = frames
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    shared = Dataset()
    orientation = Dataset()
    orientation.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 0.0, -1.0]  # coronal
    shared.PlaneOrientationSequence = DicomSequence([orientation])
    measures = Dataset()
    measures.PixelSpacing = [0.5, 0.5]
    measures.SliceThickness = spacing
    shared.PixelMeasuresSequence = DicomSequence([measures])
    ds.SharedFunctionalGroupsSequence = DicomSequence([shared])
    normal = np.cross([1.0, 0.0, 0.0], [0.0, 0.0, -1.0])
    items = []
    for index in range(frames):
        item = Dataset()
        plane = Dataset()
        plane.ImagePositionPatient = [float(v) for v in normal * spacing * order[index]]
        item.PlanePositionSequence = DicomSequence([plane])
        transform = Dataset()
        transform.RescaleSlope = slopes[index] if slopes else 1
        transform.RescaleIntercept = intercepts[index] if intercepts else 0
        transform.RescaleType = "US"
        item.PixelValueTransformationSequence = DicomSequence([transform])
        content = Dataset()
        content.InStackPositionNumber = frames - index  # deliberately wrong: positions decide
        item.FrameContentSequence = DicomSequence([content])
        items.append(item)
    ds.PerFrameFunctionalGroupsSequence = DicomSequence(items)
    ds.PixelData = stored.tobytes()
    return ds, stored, order
