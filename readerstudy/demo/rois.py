"""Automatic ROIs on the demo phantom, placed from its own tissue masks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.imaging.models import ROI, Series
from readerstudy.studies.models import Case, Study

# Where each label's ROI goes: the phantom compartments that are homogeneous for that label (the
# lesion is rim + necrosis, two very different signals, so its ROI sits inside one of them).
_DEMO_TARGETS = {
    ROI.Label.LESION: ("NECROSIS", "ENHANCING_RIM"),
    ROI.Label.WHITE_MATTER: ("WHITE_MATTER",),
    ROI.Label.GRAY_MATTER: ("GRAY_MATTER",),
    ROI.Label.CSF: ("VENTRICLE", "CSF"),
    ROI.Label.BACKGROUND: ("AIR",),
}
# Pixels kept between an ROI's edge and its tissue's edge: the conventional arm's hard k-space
# truncation rings for a few pixels beyond every edge, and ringing is not noise.
DEMO_MARGIN_PX = 3
DEMO_MAX_RADIUS_MM = 12.0
DEMO_MIN_RADIUS_PX = 1.5


@dataclass
class DemoPlacement:
    placed: int = 0
    skipped_existing: int = 0  # case × sequence pairs that already had ROIs
    missing: list[str] = field(default_factory=list)  # labels with no room, or unknown cases


def _demo_anatomy(case_index: int, *, seed: int, matrix: int, slices: int) -> np.ndarray:
    """The phantom's compartment map of one demo case, without synthesising its images.

    ``make_case`` draws anatomy from the first of four streams spawned from (seed, case index);
    taking only that stream gives the same anatomy ~10x faster (a test checks they agree).
    """
    from readerstudy.demo.phantom.anatomy import Geometry, build_anatomy

    anatomy_seed = np.random.SeedSequence([seed, case_index]).spawn(4)[0]
    geometry = Geometry.axial(matrix=matrix, slices=slices)
    return build_anatomy(np.random.default_rng(anatomy_seed), geometry).compartments


def demo_roi_circles(
    compartments: np.ndarray, *, pixel_spacing_mm: float, margin_px: int = DEMO_MARGIN_PX
) -> dict[str, tuple[int, float, float, float]]:
    """label → (slice, cx, cy, radius): a circle inside each label's eroded tissue.

    The circle is centred on the deepest pixel of the tissue (the maximum of the Euclidean
    distance transform of its mask, over all slices; ties go to the slice nearest the middle),
    with radius distance − 1 − margin, capped at ``DEMO_MAX_RADIUS_MM``; every pixel centre in it
    is then at least ``margin_px`` pixels inside the tissue, and a capped circle sits even deeper
    (further from the edges' truncation ringing). Background ROIs are kept to rows with no head
    in them, because motion and pulsation ghosts run along the phase-encoding direction (the
    rows through the head).
    """
    from readerstudy.demo.phantom.anatomy import Compartment

    n_slices = compartments.shape[0]
    middle = (n_slices - 1) / 2
    cap = DEMO_MAX_RADIUS_MM / pixel_spacing_mm
    # Middle slices first: then a slice further out only wins with strictly more room.
    order = sorted(range(n_slices), key=lambda i: (abs(i - middle), i))
    circles = {}
    for label, names in _DEMO_TARGETS.items():
        best = None  # (distance, slice, x, y)
        for name in names:
            masks = compartments == Compartment[name]
            if label == ROI.Label.BACKGROUND:
                masks &= ~(compartments != Compartment.AIR).any(axis=2)[:, :, None]
            counts = masks.sum(axis=(1, 2))
            for index in order:
                # A disc whose centre is d from the edge holds >= pi (d - 1)^2 pixels, so a slice
                # with too few pixels cannot beat the best so far: skip its transform.
                bound = math.sqrt(counts[index] / math.pi) + 1.0
                if counts[index] == 0 or (best is not None and bound <= best[0]):
                    continue
                distance, y, x = _deepest_pixel(masks[index])
                if best is None or distance > best[0]:
                    best = (distance, index, float(x), float(y))
        if best is None:
            continue
        radius = min(best[0] - 1.0 - margin_px, cap)
        if radius >= DEMO_MIN_RADIUS_PX:
            # Rounded down, so the stored radius never exceeds the room measured.
            circles[label] = (best[1], best[2], best[3], math.floor(radius * 100) / 100)
    return circles


def _deepest_pixel(mask: np.ndarray) -> tuple[float, int, int]:
    """(distance to the nearest pixel outside, row, column) of the deepest pixel of a 2-D mask;
    the image edge counts as outside. The transform runs on the mask's bounding box only."""
    from scipy.ndimage import distance_transform_edt

    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, left = rows[0], columns[0]
    box = mask[top : rows[-1] + 1, left : columns[-1] + 1]
    distance = distance_transform_edt(np.pad(box, 1))[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
    return float(distance[y, x]), int(top + y), int(left + x)


@transaction.atomic
def roi_place_demo(
    *,
    study: Study,
    seed: int,
    matrix: int,
    slices: int,
    cases: list[str] | None = None,
    actor=None,
) -> DemoPlacement:
    """Place lesion, white-matter, gray-matter, CSF and background ROIs on every demo case.

    The phantom's tissue masks are regenerated from the same seed and case numbers the demo was
    written with (``make_demo_study``: case number = position in ``demo_cases(count)``), and each
    label gets the circle of :func:`demo_roi_circles` on every sequence of the case. A case ×
    sequence that already has ROIs is left alone, so running this again changes nothing.

    Parameters
    ----------
    study : Study
    seed, matrix, slices : int
        The phantom parameters the study's DICOM was written with.
    cases : list of str, optional
        Case identifiers in the order they were written (case number = position). Default:
        ``demo_cases(n)`` for the study's n cases.
    actor : User, optional
        Recorded as the ROIs' author and in the audit event ``roi.place_demo`` (written only
        when ROIs were placed).
    """
    from readerstudy.demo.cases import demo_cases
    from readerstudy.demo.phantom.anatomy import FIELD_OF_VIEW_MM

    study_cases = {c.identifier: c for c in Case.objects.filter(study=study)}
    order = cases if cases is not None else [i for i, _ in demo_cases(len(study_cases))]
    numbers = {identifier: number for number, identifier in enumerate(order)}
    sequences = list(study.sequences.all())
    with_rois = set(
        ROI.objects.filter(case__study=study).values_list("case_id", "sequence_id").distinct()
    )
    available = set(
        Series.objects.filter(case__study=study).values_list("case_id", "sequence_id").distinct()
    )
    result = DemoPlacement()
    creator = actor if actor is not None and actor.is_authenticated else None
    for identifier, case in sorted(study_cases.items()):
        if identifier not in numbers:
            result.missing.append(f"case {identifier} is not a demo case")
            continue
        todo = [
            s
            for s in sequences
            if (case.pk, s.pk) in available and (case.pk, s.pk) not in with_rois
        ]
        result.skipped_existing += sum(1 for s in sequences if (case.pk, s.pk) in with_rois)
        if not todo:
            continue
        compartments = _demo_anatomy(numbers[identifier], seed=seed, matrix=matrix, slices=slices)
        circles = demo_roi_circles(compartments, pixel_spacing_mm=FIELD_OF_VIEW_MM / matrix)
        result.missing += [
            f"case {identifier}: no room for {label}"
            for label in _DEMO_TARGETS
            if label not in circles
        ]
        new = [
            ROI(
                case=case,
                sequence=sequence,
                label=label,
                slice_index=index,
                shape=ROI.Shape.ELLIPSE,
                points=[[x, y], [radius, radius]],
                created_by=creator,
            )
            for sequence in todo
            for label, (index, x, y, radius) in circles.items()
        ]
        ROI.objects.bulk_create(new)
        result.placed += len(new)
    if not result.placed:  # nothing changed: nothing to audit (a re-run is a no-op)
        return result
    audit_record(
        action="roi.place_demo",
        actor=actor,
        study=study,
        data={"seed": seed, "matrix": matrix, "slices": slices, "placed": result.placed},
    )
    return result
