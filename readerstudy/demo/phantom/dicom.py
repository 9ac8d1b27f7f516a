"""Write phantom cases as DICOM MR series, the way a hospital export would look, plus a manifest.

Each case x sequence x arm becomes one MR Image Storage series, one Explicit VR Little Endian file
per slice. Headers carry fake PHI, as real exports do, and the enhanced series carry every tell
that DL post-processing software leaves in its output (`ENHANCED_TELLS`), so the ingest and
blinding code can be tested against them. Everything, UIDs included, follows from the seed:
rerunning with the same arguments writes byte-identical files. Pure pydicom: no Django here.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

from readerstudy.demo.phantom.cases import (
    ARMS,
    BITS_STORED,
    DEFAULT_NOISE_SIGMA,
    RECONSTRUCTIONS,
    SEQUENCES,
    PhantomCase,
    make_case,
)

__all__ = [
    "ARMS",
    "CONVENTIONAL_UID_ROOT",
    "ENHANCED_TELLS",
    "ENHANCED_UID_ROOT",
    "MANIFEST_COLUMNS",
    "SEQUENCES",
    "find_tells",
    "series_datasets",
    "write_study_dicom",
]

# Sub-roots of pydicom's UID root; the enhanced series' UIDs come from the "DL vendor's" root.
CONVENTIONAL_UID_ROOT = "1.2.826.0.1.3680043.8.498.101."
ENHANCED_UID_ROOT = "1.2.826.0.1.3680043.8.498.202."
MANIFEST_COLUMNS = ("case", "site", "sequence", "arm", "series_uid", "path")

DL_SOFTWARE = "DeepRecon 2.1"
DL_SERIES_SUFFIX = " DL"
DL_PROTOCOL_SUFFIX = "_DL"
DL_SERIES_NUMBER_OFFSET = 100
DL_PROCESSING_DELAY = timedelta(minutes=14)  # DL runs on a server after the exam
PRIVATE_GROUP = 0x0011
PRIVATE_CREATOR = "DLRECON_VENDOR"

ENHANCED_TELLS: dict[str, str] = {
    "SeriesDescription": f'ends with "{DL_SERIES_SUFFIX}"',
    "ProtocolName": f'ends with "{DL_PROTOCOL_SUFFIX}"',
    "ImageType": "DERIVED\\SECONDARY (conventional: ORIGINAL\\PRIMARY)",
    "SoftwareVersions": f'an extra value "{DL_SOFTWARE}" after the scanner software',
    "DerivationDescription": "present, describing the DL reconstruction",
    "ImageComments": "present, naming the DL software and its denoising level",
    "SeriesNumber": f"the conventional series number + {DL_SERIES_NUMBER_OFFSET}",
    "SeriesTime": "later than the conventional series (processed after the exam)",
    "ContentTime": "later than the conventional images",
    "InstanceCreationTime": "later than the conventional images",
    "SourceImageSequence": "references the conventional slice's SOPInstanceUID",
    "SeriesInstanceUID": f"under the DL vendor's UID root {ENHANCED_UID_ROOT}",
    "SOPInstanceUID": f"under the DL vendor's UID root {ENHANCED_UID_ROOT}",
    "WindowCenter": "a different default window center",
    "WindowWidth": "a different default window width",
    "0x00110010": f'private creator "{PRIVATE_CREATOR}" in group 0011',
    "0x00111001": "private element: DL model name",
    "0x00111002": "private element: denoising strength",
}


@dataclass(frozen=True)
class Protocol:
    description: str
    protocol_name: str
    series_number: int
    scanning_sequence: str
    sequence_variant: str
    repetition_time: float
    echo_time: float
    inversion_time: float | None
    flip_angle: float
    echo_train_length: int
    minutes_into_exam: int
    contrast: bool


PROTOCOLS: dict[str, Protocol] = {
    "T2W": Protocol(
        description="Ax T2 FSE",
        protocol_name="AX T2 FSE",
        series_number=3,
        scanning_sequence="SE",
        sequence_variant="SK",
        repetition_time=4500.0,
        echo_time=98.0,
        inversion_time=None,
        flip_angle=150.0,
        echo_train_length=16,
        minutes_into_exam=4,
        contrast=False,
    ),
    "FLAIR": Protocol(
        description="Ax T2 FLAIR",
        protocol_name="AX T2 FLAIR",
        series_number=4,
        scanning_sequence="SE\\IR",
        sequence_variant="SK\\SP",
        repetition_time=9000.0,
        echo_time=81.0,
        inversion_time=2500.0,
        flip_angle=150.0,
        echo_train_length=16,
        minutes_into_exam=9,
        contrast=False,
    ),
    "T1CE": Protocol(
        description="Ax T1 SE +C",
        protocol_name="AX T1 SE POST",
        series_number=8,
        scanning_sequence="SE",
        sequence_variant="SK",
        repetition_time=550.0,
        echo_time=9.0,
        inversion_time=None,
        flip_angle=90.0,
        echo_train_length=1,
        minutes_into_exam=22,
        contrast=True,
    ),
}


@dataclass(frozen=True)
class Scanner:
    manufacturer: str
    model: str
    software: str
    field_strength: float


# Each site gets one scanner, chosen by a stable hash of the site name.
SCANNERS = (
    Scanner("SIEMENS", "Skyra", "syngo MR E11", 3.0),
    Scanner("Philips Medical Systems", "Ingenia", "5.7.1", 3.0),
    Scanner("GE MEDICAL SYSTEMS", "DISCOVERY MR750w", "DV26.0_R03", 3.0),
)
_LARMOR_MHZ_PER_T = 42.577


def _stable_hash(*parts: object) -> int:
    """Reproducible across processes (unlike hash()), so headers stay deterministic."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def _uid(root: str, seed: int, *parts: object) -> str:
    return generate_uid(prefix=root, entropy_srcs=[str(seed), *map(str, parts)])


def _time(moment: datetime) -> str:
    return moment.strftime("%H%M%S")


def _window(volume: np.ndarray) -> tuple[int, int]:
    """Scanner-style default window: covers the bulk of the brain's signal."""
    high = float(np.percentile(volume, 99.5))
    return round(high / 2), max(round(high), 1)


@dataclass(frozen=True)
class _CaseHeader:
    """What every series of one case shares: patient, study, scanner, frame of reference."""

    case_id: str
    site: str
    seed: int
    study_start: datetime
    scanner: Scanner

    @property
    def study_uid(self) -> str:
        return _uid(CONVENTIONAL_UID_ROOT, self.seed, self.site, self.case_id, "study")

    @property
    def frame_uid(self) -> str:
        return _uid(CONVENTIONAL_UID_ROOT, self.seed, self.site, self.case_id, "frame")

    def series_uid(self, sequence: str, arm: str) -> str:
        return _uid(_root(arm), self.seed, self.site, self.case_id, sequence, arm, "series")

    def sop_uid(self, sequence: str, arm: str, index: int) -> str:
        return _uid(_root(arm), self.seed, self.site, self.case_id, sequence, arm, "sop", index)


def _root(arm: str) -> str:
    return ENHANCED_UID_ROOT if arm == "enhanced" else CONVENTIONAL_UID_ROOT


def _case_header(case_id: str, site: str, seed: int) -> _CaseHeader:
    h = _stable_hash(seed, site, case_id)
    day = date(2023, 1, 2) + timedelta(days=h % 360)
    start = datetime(day.year, day.month, day.day, 7, 30) + timedelta(minutes=(h >> 9) % 540)
    scanner = SCANNERS[_stable_hash(site) % len(SCANNERS)]
    return _CaseHeader(case_id, site, seed, start, scanner)


def _patient_and_study(ds: Dataset, header: _CaseHeader) -> None:
    h = _stable_hash(header.seed, header.site, header.case_id, "patient")
    female = h % 2 == 0
    # Fake PHI on purpose: real exports carry it, and nothing downstream may show it to readers.
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientName = f"DOE^{'JANE' if female else 'JOHN'}-{header.case_id}"
    ds.PatientID = header.case_id
    ds.PatientBirthDate = f"{1945 + h % 50}{1 + (h >> 6) % 12:02d}{1 + (h >> 10) % 28:02d}"
    ds.PatientSex = "F" if female else "M"
    ds.PatientAge = f"{header.study_start.year - 1945 - h % 50:03d}Y"
    ds.StudyInstanceUID = header.study_uid
    ds.StudyDate = header.study_start.strftime("%Y%m%d")
    ds.StudyTime = _time(header.study_start)
    ds.StudyID = str(1 + h % 9000)
    ds.AccessionNumber = f"A{h % 10**8:08d}"
    ds.StudyDescription = "MRI BRAIN W/WO CONTRAST"
    ds.ReferringPhysicianName = "SMITH^ANNA"
    ds.InstitutionName = header.site
    ds.Manufacturer = header.scanner.manufacturer
    ds.ManufacturerModelName = header.scanner.model
    ds.StationName = f"MR{_stable_hash(header.site) % 10}"
    ds.FrameOfReferenceUID = header.frame_uid
    ds.PositionReferenceIndicator = ""


def _mr_acquisition(ds: Dataset, case: PhantomCase, protocol: Protocol, scanner: Scanner) -> None:
    g = case.geometry
    # Lines actually acquired: the conventional reconstruction uses all of them, zero-filled.
    acquired = round(g.matrix * RECONSTRUCTIONS["conventional"].k_fraction)
    ds.ScanningSequence = protocol.scanning_sequence
    ds.SequenceVariant = protocol.sequence_variant
    ds.ScanOptions = "FC" if protocol.contrast else ""
    ds.MRAcquisitionType = "2D"
    ds.SliceThickness = round(g.slice_thickness_mm, 4)
    ds.SpacingBetweenSlices = round(g.slice_spacing_mm, 4)
    ds.RepetitionTime = protocol.repetition_time
    ds.EchoTime = protocol.echo_time
    if protocol.inversion_time is not None:
        ds.InversionTime = protocol.inversion_time
    ds.NumberOfAverages = 1
    ds.ImagingFrequency = round(scanner.field_strength * _LARMOR_MHZ_PER_T, 6)
    ds.ImagedNucleus = "1H"
    ds.EchoNumbers = 1
    ds.MagneticFieldStrength = scanner.field_strength
    ds.EchoTrainLength = protocol.echo_train_length
    ds.PercentSampling = 100
    ds.PercentPhaseFieldOfView = 100
    ds.PixelBandwidth = 190
    ds.AcquisitionMatrix = [acquired, 0, 0, acquired]
    ds.InPlanePhaseEncodingDirection = "ROW"
    ds.FlipAngle = protocol.flip_angle
    ds.PatientPosition = "HFS"
    ds.BodyPartExamined = "BRAIN"
    if protocol.contrast:
        ds.ContrastBolusAgent = "GADOBUTROL"
        ds.ContrastBolusVolume = 7.5


def series_datasets(
    case: PhantomCase, *, case_id: str, site: str, sequence: str, arm: str
) -> list[Dataset]:
    """One dataset (with file meta) per slice of the case's (sequence, arm) series."""
    header = _case_header(case_id, site, case.seed)
    protocol = PROTOCOLS[sequence]
    scanner = header.scanner
    enhanced = arm == "enhanced"
    g = case.geometry
    x0, y0, _ = g.first_voxel_position_mm()
    _, _, z = g.axes_mm()
    volume = case.volumes[sequence, arm]

    acquisition_start = header.study_start + timedelta(minutes=protocol.minutes_into_exam)
    series_start = acquisition_start
    content = series_start + timedelta(seconds=40)
    center, width = _window(case.volumes[sequence, "conventional"])
    if enhanced:
        series_start += DL_PROCESSING_DELAY
        content += DL_PROCESSING_DELAY
        # DL software writes its own window defaults.
        center, width = round(center * 1.1) + 1, round(width * 0.85) + 1

    datasets = []
    for index in range(g.slices):
        ds = Dataset()
        _patient_and_study(ds, header)
        ds.SOPClassUID = MRImageStorage
        ds.SOPInstanceUID = header.sop_uid(sequence, arm, index)
        ds.Modality = "MR"
        ds.SeriesInstanceUID = header.series_uid(sequence, arm)
        ds.SeriesNumber = protocol.series_number + (DL_SERIES_NUMBER_OFFSET if enhanced else 0)
        ds.SeriesDescription = protocol.description + (DL_SERIES_SUFFIX if enhanced else "")
        ds.ProtocolName = protocol.protocol_name + (DL_PROTOCOL_SUFFIX if enhanced else "")
        ds.ImageType = ["DERIVED", "SECONDARY"] if enhanced else ["ORIGINAL", "PRIMARY"]
        ds.SoftwareVersions = [scanner.software, DL_SOFTWARE] if enhanced else scanner.software
        ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = ds.StudyDate
        ds.InstanceCreationDate = ds.StudyDate
        ds.SeriesTime = _time(series_start)
        # Same acquisition for both arms, so the same acquisition time.
        ds.AcquisitionTime = _time(
            header.study_start + timedelta(minutes=protocol.minutes_into_exam)
        )
        ds.ContentTime = ds.InstanceCreationTime = _time(content)
        _mr_acquisition(ds, case, protocol, scanner)

        ds.InstanceNumber = index + 1
        ds.ImagePositionPatient = [round(x0, 4), round(y0, 4), round(float(z[index]), 4)]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceLocation = round(float(z[index]), 4)
        ds.PixelSpacing = [round(g.pixel_spacing_mm, 6)] * 2
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = ds.Columns = g.matrix
        ds.BitsAllocated = 16
        ds.BitsStored = BITS_STORED
        ds.HighBit = BITS_STORED - 1
        ds.PixelRepresentation = 0
        ds.RescaleIntercept = 0
        ds.RescaleSlope = 1
        ds.RescaleType = "US"
        ds.WindowCenter = center
        ds.WindowWidth = width
        if enhanced:
            _enhanced_tells(ds, header, sequence, index, case.noise_sigma)
        ds.PixelData = volume[index].astype("<u2").tobytes()

        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        datasets.append(ds)
    return datasets


def _enhanced_tells(
    ds: Dataset, header: _CaseHeader, sequence: str, index: int, sigma: dict[str, float]
) -> None:
    """What DL post-processing products typically add (see ENHANCED_TELLS)."""
    level = 1 - sigma["enhanced"] / sigma["conventional"]
    ds.DerivationDescription = f"{DL_SOFTWARE} deep learning reconstruction: denoising, sharpening"
    ds.ImageComments = f"{DL_SOFTWARE} denoising level {level:.2f}"
    source = Dataset()
    source.ReferencedSOPClassUID = MRImageStorage
    source.ReferencedSOPInstanceUID = header.sop_uid(sequence, "conventional", index)
    purpose = Dataset()
    purpose.CodeValue = "121322"
    purpose.CodingSchemeDesignator = "DCM"
    purpose.CodeMeaning = "Source image for image processing operation"
    source.PurposeOfReferenceCodeSequence = DicomSequence([purpose])
    ds.SourceImageSequence = DicomSequence([source])
    block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True)
    block.add_new(0x01, "LO", DL_SOFTWARE.split()[0])
    block.add_new(0x02, "DS", f"{level:.2f}")


def find_tells(ds: Dataset, conventional: Dataset) -> set[str]:
    """The keys of `ENHANCED_TELLS` that `ds` shows, judged against its conventional slice.

    Pass the conventional slice itself as `ds` to check that it shows none.
    """

    def later(keyword: str) -> bool:
        return keyword in ds and str(ds[keyword].value) > str(conventional[keyword].value)

    def differs(keyword: str) -> bool:
        return keyword in ds and ds[keyword].value != conventional[keyword].value

    checks: dict[str, bool] = {
        "SeriesDescription": str(ds.get("SeriesDescription", "")).endswith(DL_SERIES_SUFFIX),
        "ProtocolName": str(ds.get("ProtocolName", "")).endswith(DL_PROTOCOL_SUFFIX),
        "ImageType": "DERIVED" in list(ds.get("ImageType", [])),
        "SoftwareVersions": DL_SOFTWARE in _values(ds.get("SoftwareVersions")),
        "DerivationDescription": "DerivationDescription" in ds,
        "ImageComments": DL_SOFTWARE in str(ds.get("ImageComments", "")),
        "SeriesNumber": int(ds.get("SeriesNumber", 0))
        == int(conventional.SeriesNumber) + DL_SERIES_NUMBER_OFFSET,
        "SeriesTime": later("SeriesTime"),
        "ContentTime": later("ContentTime"),
        "InstanceCreationTime": later("InstanceCreationTime"),
        "SourceImageSequence": any(
            item.get("ReferencedSOPInstanceUID") == conventional.SOPInstanceUID
            for item in ds.get("SourceImageSequence", [])
        ),
        "SeriesInstanceUID": str(ds.SeriesInstanceUID).startswith(ENHANCED_UID_ROOT),
        "SOPInstanceUID": str(ds.SOPInstanceUID).startswith(ENHANCED_UID_ROOT),
        "WindowCenter": differs("WindowCenter"),
        "WindowWidth": differs("WindowWidth"),
        "0x00110010": "0x00110010" in ds and ds["0x00110010"].value == PRIVATE_CREATOR,
        "0x00111001": "0x00111001" in ds,
        "0x00111002": "0x00111002" in ds,
    }
    return {key for key, shown in checks.items() if shown}


def _values(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]  # type: ignore[attr-defined]


def _check_names(cases: Sequence[tuple[str, str]]) -> None:
    seen = set()
    for row, (case_id, site) in enumerate(cases, start=1):
        for field, value in (("case", case_id), ("site", site)):
            if not value or any(c in value for c in "/\\:") or value in (".", ".."):
                raise ValueError(
                    f"Case {row}: {field} {value!r} cannot name a folder "
                    "(it must be non-empty and contain no '/', '\\' or ':')."
                )
        if (site, case_id) in seen:
            raise ValueError(f"Case {row}: case {case_id!r} at site {site!r} is listed twice.")
        seen.add((site, case_id))


def write_study_dicom(
    root: str | Path,
    *,
    cases: Sequence[tuple[str, str]],
    seed: int,
    matrix: int = 256,
    slices: int = 24,
    noise_sigma: float = DEFAULT_NOISE_SIGMA,
    artifacts: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write every (case, site) as 3 sequences x 2 arms of DICOM series; return the manifest.

    Layout: ``root/<site>/<case>/<sequence>_<arm>/IM0001.dcm`` ..., and ``root/manifest.csv`` with
    `MANIFEST_COLUMNS` (path = the series folder relative to root, with forward slashes).
    File and folder names are a convenience for people; software must use the manifest or the
    headers. `progress(done, total)` is called after each case.
    """
    _check_names(cases)
    root = Path(root)
    rows = []
    for number, (case_id, site) in enumerate(cases):
        case = make_case(
            number,
            seed=seed,
            matrix=matrix,
            slices=slices,
            noise_sigma=noise_sigma,
            artifacts=artifacts,
        )
        for sequence in SEQUENCES:
            for arm in ARMS:
                relative = f"{site}/{case_id}/{sequence}_{arm}"
                folder = root / relative
                folder.mkdir(parents=True, exist_ok=True)
                datasets = series_datasets(
                    case, case_id=case_id, site=site, sequence=sequence, arm=arm
                )
                for index, ds in enumerate(datasets, start=1):
                    dcmwrite(folder / f"IM{index:04d}.dcm", ds, enforce_file_format=True)
                series_uid = str(datasets[0].SeriesInstanceUID)
                rows.append((case_id, site, sequence, arm, series_uid, relative))
        if progress is not None:
            progress(number + 1, len(cases))

    manifest = root / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(MANIFEST_COLUMNS)
        writer.writerows(rows)
    return manifest
