"""Series assembly: group slice headers into stacks and order them along the slice normal.

- Files are grouped by SeriesInstanceUID; a series that mixes orientations or matrices is split
  into one stack per orientation and matrix.
- Duplicate SOPInstanceUIDs (the same image exported twice) are dropped.
- Slices are ordered by the dot product of ImagePositionPatient with the slice normal, the cross
  product of the two ImageOrientationPatient vectors; InstanceNumber is only the fallback. File
  names and SliceLocation are never used.
- Uneven spacing and missing slices are reported as warnings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from readerstudy.imaging.dicom.header import SliceHeader

ORIENTATION_DECIMALS = 3
SPACING_TOLERANCE = 0.02  # relative deviation from the median spacing that counts as uneven


@dataclass
class Stack:
    """One candidate series: ordered slices with the same orientation and matrix."""

    series_uid: str
    slices: list[SliceHeader]
    warnings: list[str] = field(default_factory=list)
    problem: str | None = None  # why it cannot be imported, if it cannot
    part: str = ""  # "stack 2 of 3" when a series was split
    slice_spacing: float | None = None

    @property
    def first(self) -> SliceHeader:
        return self.slices[0]

    @property
    def description(self) -> str:
        return self.first.description

    @property
    def modalities(self) -> list[str]:
        return sorted({s.modality for s in self.slices})

    @property
    def files(self) -> list[str]:
        return sorted({s.name for s in self.slices})

    @property
    def folder(self) -> str:
        names = self.files
        common = os.path.commonpath(names) if names else ""
        if len(names) == 1:
            common = os.path.dirname(common)
        return common or "."

    @property
    def label(self) -> str:
        """How reports name the stack: where it is, what it is called, how big it is."""
        description = f"“{self.description}”" if self.description else "(no description)"
        count = len(self.files)
        text = f"{self.folder}/ {description}, {count} file{'s' if count != 1 else ''}"
        if any(s.frame is not None for s in self.slices):
            text += f", {len(self.slices)} frames"
        return f"{text}, {self.part}" if self.part else text

    @property
    def orientation(self) -> list[float]:
        return list(self.first.orientation or [])

    @property
    def origin(self) -> list[float]:
        return list(self.first.position or [])

    @property
    def pixel_spacing(self) -> tuple[float, float] | None:
        return self.first.pixel_spacing


def slice_normal(orientation: tuple[float, ...]) -> np.ndarray:
    row, column = np.asarray(orientation[:3]), np.asarray(orientation[3:])
    return np.cross(row, column)


def _split_key(header: SliceHeader) -> tuple:
    orientation = (
        tuple(round(v, ORIENTATION_DECIMALS) + 0.0 for v in header.orientation)
        if header.orientation
        else None
    )
    return (header.rows, header.columns, orientation)


def _without_duplicates(slices: list[SliceHeader]) -> tuple[list[SliceHeader], list[str]]:
    seen: dict[tuple, SliceHeader] = {}
    dropped = []
    for header in sorted(slices, key=lambda s: (s.name, s.frame or 0)):
        key = (header.sop_uid, header.frame) if header.sop_uid else (header.name, header.frame)
        if key in seen:
            dropped.append(header.name)
        else:
            seen[key] = header
    warnings = []
    if dropped:
        shown = ", ".join(dropped[:5]) + (" …" if len(dropped) > 5 else "")
        warnings.append(
            f"{len(dropped)} duplicate file(s) with an already seen SOPInstanceUID were dropped: "
            f"{shown}"
        )
    return list(seen.values()), warnings


def _spacing_warnings(distances: np.ndarray) -> tuple[float | None, list[str]]:
    """Median spacing and what is wrong with the gaps, given sorted positions along the normal."""
    gaps = np.diff(distances)
    if gaps.size == 0:
        return None, []
    # DS values carry ~16 significant digits; round away the float noise of the dot products.
    spacing = round(float(np.median(gaps)), 6)
    warnings = []
    tolerance = SPACING_TOLERANCE * spacing + 1e-3
    for index, gap in enumerate(gaps):
        if abs(gap - spacing) <= tolerance:
            continue
        ratio = gap / spacing if spacing > 0 else 0
        if ratio > 1.5 and abs(ratio - round(ratio)) * spacing <= tolerance:
            missing = round(ratio) - 1
            warnings.append(
                f"missing slices: a gap of {gap:.2f} mm between slices {index + 1} and "
                f"{index + 2} (about {missing} slice{'s' if missing != 1 else ''} missing at "
                f"{spacing:.2f} mm spacing)"
            )
        else:
            warnings.append(
                f"uneven slice spacing: {gap:.2f} mm between slices {index + 1} and {index + 2}, "
                f"where the usual spacing is {spacing:.2f} mm"
            )
    if len(warnings) > 5:
        warnings = [*warnings[:5], f"… and {len(warnings) - 5} more spacing irregularities"]
    return spacing, warnings


def order_stack(stack: Stack) -> None:
    """Order ``stack.slices`` in place along the slice normal (InstanceNumber as fallback)."""
    slices = stack.slices
    if len(slices) == 1:
        header = slices[0]
        stack.slice_spacing = header.spacing_between_slices or header.slice_thickness
        return
    if all(s.position and s.orientation for s in slices):
        normal = slice_normal(slices[0].orientation)
        distances = np.array([np.dot(normal, s.position) for s in slices])
        order = np.argsort(distances, kind="stable")
        stack.slices = [slices[i] for i in order]
        distances = distances[order]
        if np.any(np.diff(distances) < 1e-3):
            positions = len(np.unique(np.round(distances, 3)))
            stack.problem = (
                f"its {len(slices)} slices share positions ({positions} distinct positions): it "
                "holds several volumes (echoes, time points or stacks); export each as its own "
                "series"
            )
            return
        stack.slice_spacing, warnings = _spacing_warnings(distances)
        stack.warnings.extend(warnings)
        return
    if all(s.instance_number is not None for s in slices):
        stack.slices = sorted(slices, key=lambda s: (s.instance_number, s.frame or 0))
        numbers = [s.instance_number for s in stack.slices]
        if len(set(numbers)) != len(numbers):
            stack.problem = (
                "its slices have no ImagePositionPatient/ImageOrientationPatient and repeat "
                "InstanceNumbers, so their order cannot be known"
            )
            return
        header = stack.slices[0]
        stack.slice_spacing = header.spacing_between_slices or header.slice_thickness
        stack.warnings.append(
            "slices were ordered by InstanceNumber: ImagePositionPatient or "
            "ImageOrientationPatient is missing"
        )
        gaps = np.diff(numbers)
        if np.any(gaps > 1) and np.all(gaps >= 1):
            stack.warnings.append(
                f"missing slices: InstanceNumbers skip {int(np.sum(gaps - 1))} value(s)"
            )
        return
    stack.problem = (
        "its slices have neither ImagePositionPatient/ImageOrientationPatient nor "
        "InstanceNumber, so their order cannot be known"
    )


def assemble(slices: Iterable[SliceHeader]) -> list[Stack]:
    """Group slice headers into ordered stacks; problems and warnings are kept on each stack."""
    by_series: dict[str, list[SliceHeader]] = {}
    for header in slices:
        by_series.setdefault(header.series_uid, []).append(header)
    stacks: list[Stack] = []
    for series_uid, members in by_series.items():
        members, warnings = _without_duplicates(members)
        broken = list({s.name: s for s in members if s.problem}.values())
        if broken:
            reasons = "; ".join(f"{s.name}: {s.problem}" for s in broken[:3])
            more = f" (and {len(broken) - 3} more)" if len(broken) > 3 else ""
            stacks.append(Stack(series_uid, members, warnings, problem=reasons + more))
            continue
        with_pixels = [s for s in members if s.has_pixels]
        if not with_pixels:
            stacks.append(Stack(series_uid, members, warnings, problem="it has no pixel data"))
            continue
        if len(with_pixels) < len(members):
            warnings.append(
                f"{len(members) - len(with_pixels)} file(s) without pixel data were left out"
            )
        groups: dict[tuple, list[SliceHeader]] = {}
        for header in with_pixels:
            groups.setdefault(_split_key(header), []).append(header)
        ordered_groups = sorted(groups.values(), key=lambda g: (-len(g), g[0].name))
        for number, group in enumerate(ordered_groups, start=1):
            stack = Stack(series_uid, group, list(warnings))
            if len(ordered_groups) > 1:
                stack.part = f"stack {number} of {len(ordered_groups)}"
                stack.warnings.append(
                    f"the series mixes orientations or matrices and was split into "
                    f"{len(ordered_groups)} stacks"
                )
            order_stack(stack)
            stacks.append(stack)
    stacks.sort(key=lambda s: (s.folder, s.description, s.series_uid, s.part))
    return stacks
