"""Pair checks: both arms of a case × sequence, same geometry, and the header tells between them.

A pair is readable only when both arms exist and have the same rows, columns and slice count and,
where known, the same spacing, orientation and position within tolerance. The DL version is
computed from the conventional one, so real pairs match; a mismatch means a wrong mapping.

The header diff lists attributes that differ between the arms and would give the DL version away
(Park et al. 2025 practice; PS3.15 Annex E de-identification keeps most of them). Readers never
receive any of them (see ``blinding``); the list shows the coordinator what was hidden.
"""

from __future__ import annotations

import re

from django.db import transaction

from readerstudy.imaging.models import Arm, PairCheck, Series, SeriesProvenance
from readerstudy.studies.models import Case, Sequence
from readerstudy.studies.vocabulary import CONVENTIONAL, ENHANCED

SPACING_TOLERANCE_MM = 0.01
ORIENTATION_TOLERANCE = 1e-3
POSITION_TOLERANCE_MM = 0.1

# Attributes whose difference between the arms reveals the DL version.
TELL_ATTRIBUTES = (
    "SeriesDescription",
    "ProtocolName",
    "ImageType",
    "SoftwareVersions",
    "DerivationDescription",
    "DerivationCodeSequence",
    "ImageComments",
    "SeriesNumber",
    "SOPClassUID",
    "Manufacturer",
    "ManufacturerModelName",
    "SeriesDate",
    "SeriesTime",
    "ContentDate",
    "ContentTime",
    "AcquisitionTime",
    "InstanceCreationDate",
    "InstanceCreationTime",
    "WindowCenter",
    "WindowWidth",
    "WindowCenterWidthExplanation",
    "SourceImageSequence",
    "ReferencedImageSequence",
    "BurnedInAnnotation",
    "LossyImageCompression",
    "ImplementationVersionName",
    "SourceApplicationEntityTitle",
    "BitsStored",
)
UID_ATTRIBUTES = ("SeriesInstanceUID", "SOPInstanceUID", "StudyInstanceUID", "FrameOfReferenceUID")
_PRIVATE_CREATOR = re.compile(r"^\(([0-9A-F]{4}),00[1-9A-F][0-9A-F]\) private creator$")
_PRIVATE_ELEMENT = re.compile(r"^\([0-9A-F]{3}[13579BDF],[0-9A-F]{4}\) (?!private creator$)")


# Organisation roots seen in MR exports; the component after the root usually names the product
# or the generating system, which is what tells a DL server's UIDs from the scanner's.
KNOWN_UID_ROOTS = (
    "1.2.826.0.1.3680043.8.498",  # pydicom
    "1.2.826.0.1.3680043",  # Medical Connections (dcm4che, others)
    "1.2.840.113619",  # GE
    "1.3.12.2.1107.5",  # Siemens
    "1.3.46.670589",  # Philips
    "1.2.392.200036.9116",  # Canon / Toshiba
    "1.2.840.113704",  # Philips (ex-Marconi/Picker)
    "1.2.840.10008",  # DICOM standard
)


def uid_root(value: str) -> str:
    """The root of a UID plus its next component, by registration patterns (a heuristic)."""
    parts = value.split(".")
    if value.startswith("2.25."):
        return "2.25"  # UUID-derived: everything after the root is random
    for root in KNOWN_UID_ROOTS:
        if value.startswith(root + "."):
            depth = root.count(".") + 2
            return ".".join(parts[: min(depth, len(parts) - 1)])
    if value.startswith("1.3.6.1.4.1.") and len(parts) > 8:
        return ".".join(parts[:8])  # IANA private enterprise number + one component
    return ".".join(parts[: min(len(parts) - 1, 5)])


def private_creators(headers: dict) -> list[str]:
    return sorted(
        f"{value} ({match.group(1)})"
        for key, value in headers.items()
        if (match := _PRIVATE_CREATOR.match(key))
    )


def header_tells(conventional: dict, enhanced: dict) -> list[dict]:
    """Attributes that differ between the arms' headers and would tell the DL version."""
    tells = []

    def add(attribute: str, a, b) -> None:
        if a != b:
            tells.append({"attribute": attribute, CONVENTIONAL: a, ENHANCED: b})

    for attribute in TELL_ATTRIBUTES:
        add(attribute, conventional.get(attribute), enhanced.get(attribute))
    creators_a, creators_b = private_creators(conventional), private_creators(enhanced)
    add("private creators", creators_a, creators_b)
    private = sorted(key for key in {*conventional, *enhanced} if _PRIVATE_ELEMENT.match(key))
    for key in private:
        add(key, conventional.get(key), enhanced.get(key))
    for attribute in UID_ATTRIBUTES:
        a, b = conventional.get(attribute), enhanced.get(attribute)
        if isinstance(a, str) and isinstance(b, str):
            add(f"{attribute} root", uid_root(a), uid_root(b))
    return tells


def _close(a, b, tolerance: float) -> bool:
    if a is None or b is None:
        return True  # not known for one arm: nothing to compare
    a, b = (list(a), list(b)) if isinstance(a, list | tuple) else ([a], [b])
    if not a or not b:
        return True
    return len(a) == len(b) and all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def geometry_differences(conventional: Series, enhanced: Series) -> list[str]:
    """Why the two arms do not share a geometry, as sentences; empty when they do."""
    problems = []
    for attribute in ("rows", "columns", "slices"):
        a, b = getattr(conventional, attribute), getattr(enhanced, attribute)
        if a != b:
            problems.append(f"{attribute} differ: conventional {a}, enhanced {b}")
    checks = [
        ("pixel spacing", "pixel_spacing_row", SPACING_TOLERANCE_MM),
        ("pixel spacing", "pixel_spacing_column", SPACING_TOLERANCE_MM),
        ("slice spacing", "slice_spacing", SPACING_TOLERANCE_MM),
        ("orientation", "orientation", ORIENTATION_TOLERANCE),
        ("position of the first slice", "origin", POSITION_TOLERANCE_MM),
    ]
    for label, attribute, tolerance in checks:
        a, b = getattr(conventional, attribute), getattr(enhanced, attribute)
        if not _close(a, b, tolerance) and not any(p.startswith(label) for p in problems):
            problems.append(f"{label} differs: conventional {a}, enhanced {b}")
    return problems


def _headers(series: Series) -> dict:
    try:
        return series.provenance.headers
    except SeriesProvenance.DoesNotExist:
        return {}


def pair_status(
    conventional: tuple[Series, dict] | None, enhanced: tuple[Series, dict] | None
) -> tuple[str, str, list[dict]]:
    """(status, reason, tells) of a pair, each arm given as (series, headers) or None."""
    if conventional is None or enhanced is None:
        missing = CONVENTIONAL if conventional is None else ENHANCED
        return PairCheck.Status.INCOMPLETE, f"The {missing} series is missing.", []
    tells = header_tells(conventional[1], enhanced[1])
    problems = geometry_differences(conventional[0], enhanced[0])
    if problems:
        reason = "The arms do not share a geometry: " + "; ".join(problems) + "."
        return PairCheck.Status.MISMATCH, reason, tells
    return PairCheck.Status.COMPLETE, "", tells


@transaction.atomic
def pair_check_update(*, case: Case, sequence: Sequence) -> PairCheck | None:
    """Recompute the pair check of one case × sequence from its stored series.

    Returns None (and deletes any old check) when neither arm exists.
    """
    arms = {
        s.arm: (s, _headers(s))
        for s in Series.objects.filter(case=case, sequence=sequence).select_related("provenance")
    }
    if not arms:
        PairCheck.objects.filter(case=case, sequence=sequence).delete()
        return None
    status, reason, tells = pair_status(arms.get(Arm.CONVENTIONAL), arms.get(Arm.ENHANCED))
    check, _ = PairCheck.objects.update_or_create(
        case=case, sequence=sequence, defaults={"status": status, "reason": reason, "tells": tells}
    )
    return check
