"""ROIs: drawing, CSV import, per-arm pixel statistics and automatic placement on the phantom.

An ROI belongs to a case × sequence and applies to both arms: the DL series is computed from the
conventional one, so the two share their geometry and the same mask selects the same pixels.
``roi_stats`` checks that before it reads a pixel. Coordinates are pixel coordinates with pixel
centres on integers, x = column and y = row; an ellipse is ``[[cx, cy], [rx, ry]]`` (centre and
semi-axes), a polygon ``[[x, y], ...]`` (at least three vertices). The format is in docs/rois.md.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from readerstudy.analysis.roi import ellipse_mask, polygon_mask, roi_pixel_stats
from readerstudy.audit.services import audit_record
from readerstudy.imaging.models import ROI, Arm, Series
from readerstudy.imaging.pairing import geometry_differences
from readerstudy.imaging.volumes import volume_load
from readerstudy.studies.models import Case, Sequence, Study

CSV_COLUMNS = ("case", "sequence", "label", "slice", "shape", "points")
MAX_POLYGON_POINTS = 1000
LABELS = tuple(ROI.Label.values)
SHAPES = tuple(ROI.Shape.values)


class ROIRefused(ValueError):
    """The ROI statistics cannot be computed (e.g. the arms' geometry differs); says why."""


class ROIImportError(ValueError):
    """A ROI CSV was rejected; ``problems`` lists every bad line. Nothing was imported."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# -- Geometry of one ROI ------------------------------------------------------------------------


def parse_points(value) -> list[list[float]]:
    """Points from JSON (``[[x, y], ...]``) or from text ``"x y; x y; ..."`` (commas allowed)."""
    if isinstance(value, list | tuple):
        raw = value
    else:
        text = str(value).strip()
        if text.startswith("["):
            try:
                raw = json.loads(text)
            except json.JSONDecodeError:
                raise ValueError("is not valid JSON") from None
        else:
            raw = [re.split(r"[\s,]+", part.strip()) for part in text.split(";") if part.strip()]
    points = []
    for point in raw:
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise ValueError("needs pairs of numbers (x y)")
        try:
            x, y = (float(v) for v in point)
        except (TypeError, ValueError):
            raise ValueError("needs pairs of numbers (x y)") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError("needs finite numbers")
        points.append([x, y])
    return points


def roi_mask(shape: str, points: list, rows: int, columns: int) -> np.ndarray:
    """The (rows, columns) boolean mask of an ROI's pixels on its slice."""
    if shape == ROI.Shape.ELLIPSE:
        (cx, cy), (rx, ry) = points
        return ellipse_mask((rows, columns), cy, cx, ry, rx)
    return polygon_mask((rows, columns), points)


def _check_geometry(shape: str, points: list, slice_index: int, series: Series) -> list[str]:
    """Sentences saying what is wrong with an ROI on this series' grid; empty when it is fine."""
    rows, columns = series.rows, series.columns
    if not 0 <= slice_index < series.slices:
        return [f"slice {slice_index + 1} is outside 1–{series.slices}"]
    if shape == ROI.Shape.ELLIPSE:
        if len(points) != 2:
            return ["an ellipse needs its centre and its radii: cx cy; rx ry"]
        (cx, cy), (rx, ry) = points
        if rx <= 0 or ry <= 0:
            return ["the ellipse radii must be positive"]
        if not (0 <= cx <= columns - 1 and 0 <= cy <= rows - 1):
            return [f"the ellipse centre ({cx:g}, {cy:g}) is outside the {columns}×{rows} image"]
    else:
        if not 3 <= len(points) <= MAX_POLYGON_POINTS:
            return [f"a polygon needs 3 to {MAX_POLYGON_POINTS} points"]
        outside = [p for p in points if not (0 <= p[0] <= columns - 1 and 0 <= p[1] <= rows - 1)]
        if outside:
            x, y = outside[0]
            return [f"the point ({x:g}, {y:g}) is outside the {columns}×{rows} image"]
    n_pixels = int(roi_mask(shape, points, rows, columns).sum())
    if n_pixels < 2:
        return [f"it covers {n_pixels} pixel{'s' if n_pixels != 1 else ''}; an ROI needs 2 or more"]
    return []


def _series_of(case: Case, sequence: Sequence) -> dict[str, Series]:
    return {s.arm: s for s in Series.objects.filter(case=case, sequence=sequence)}


def _reference_series(case: Case, sequence: Sequence) -> Series:
    series = _series_of(case, sequence)
    reference = series.get(Arm.CONVENTIONAL) or series.get(Arm.ENHANCED)
    if reference is None:
        raise ValidationError(f"Case {case.identifier} has no {sequence.key} series imported.")
    return reference


def _round_points(points: list[list[float]]) -> list[list[float]]:
    # A browser reports coordinates like 101.49999999; two decimals are far below a pixel.
    return [[round(x, 2), round(y, 2)] for x, y in points]


# -- Services -----------------------------------------------------------------------------------


@transaction.atomic
def roi_create(
    *,
    case: Case,
    sequence: Sequence,
    label: str,
    slice_index: int,
    shape: str,
    points,
    name: str = "",
    actor=None,
    request=None,
) -> ROI:
    """Validate and store one ROI of ``case`` × ``sequence``; audited as ``roi.create``.

    Raises
    ------
    ValidationError
        With one sentence naming the bad field.
    """
    if label not in LABELS:
        raise ValidationError(f'Label "{label}" is not one of {", ".join(LABELS)}.')
    if shape not in SHAPES:
        raise ValidationError(f'Shape "{shape}" is not "ellipse" or "polygon".')
    if sequence.study_id != case.study_id:
        raise ValidationError(f"Sequence {sequence.key} is not a sequence of this study.")
    try:
        parsed = parse_points(points)
    except ValueError as error:
        raise ValidationError(f'The field "points" {error}.') from None
    name = (name or "").strip()[:60]
    problems = _check_geometry(shape, parsed, slice_index, _reference_series(case, sequence))
    if problems:
        raise ValidationError(f"The ROI is not valid: {problems[0]}.")
    roi = ROI.objects.create(
        case=case,
        sequence=sequence,
        label=label,
        name=name,
        slice_index=slice_index,
        shape=shape,
        points=_round_points(parsed),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        action="roi.create",
        actor=actor,
        study=case.study,
        target=roi,
        data=_audit_data(roi),
        request=request,
    )
    return roi


@transaction.atomic
def roi_delete(*, roi: ROI, actor=None, request=None) -> None:
    """Delete an ROI; audited as ``roi.delete`` with everything needed to redraw it."""
    data = _audit_data(roi)
    study = roi.case.study
    audit_record(
        action="roi.delete", actor=actor, study=study, target=roi, data=data, request=request
    )
    roi.delete()


def _audit_data(roi: ROI) -> dict:
    return {
        "case": roi.case.identifier,
        "sequence": roi.sequence.key,
        "label": roi.label,
        "name": roi.name,
        "slice_index": roi.slice_index,
        "shape": roi.shape,
        "points": roi.points,
    }


@dataclass
class ROIImportReport:
    created: int = 0
    skipped: int = 0  # identical ROIs already present (a re-run imports nothing twice)
    lines: int = 0
    notes: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        lines = f"{self.lines} line{'s' if self.lines != 1 else ''}"
        return (
            f"{self.created} ROI{'s' if self.created != 1 else ''} imported, "
            f"{self.skipped} already present, from {lines}."
        )


def _read_csv_text(csv_text_or_path: str | Path) -> tuple[str, str]:
    """(text, name for messages). A Path, or a string naming an existing .csv file, is read."""
    if isinstance(csv_text_or_path, Path) or (
        "\n" not in str(csv_text_or_path)
        and str(csv_text_or_path).lower().endswith(".csv")
        and Path(csv_text_or_path).is_file()
    ):
        path = Path(csv_text_or_path)
        try:
            return path.read_text(encoding="utf-8-sig"), path.name
        except UnicodeDecodeError:
            raise ROIImportError([f"{path.name}: the file is not UTF-8 text."]) from None
    return str(csv_text_or_path).lstrip("\ufeff"), "rois.csv"


@transaction.atomic
def rois_import_csv(*, study: Study, csv_text_or_path: str | Path, actor=None) -> ROIImportReport:
    """Import ROIs from CSV (columns :data:`CSV_COLUMNS`, optional ``name``), all or nothing.

    ``slice`` is 1-based, as the viewer shows it; ``points`` are pixel coordinates (x = column,
    y = row, 0-based pixel centres) as JSON ``[[x, y], ...]`` or text ``"x y; x y; ..."``; an
    ellipse is ``"cx cy; rx ry"``. An ROI identical to one already stored is skipped.

    Raises
    ------
    ROIImportError
        Listing every bad line as ``rois.csv, line N: ...`` (the header is line 1).
    """
    text, source = _read_csv_text(csv_text_or_path)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ROIImportError(
            [
                f"{source}: missing column(s): {', '.join(missing)}. "
                f"Required: {', '.join(CSV_COLUMNS)} (optional: name)."
            ]
        )
    reader.fieldnames = header
    cases = {c.identifier: c for c in Case.objects.filter(study=study)}
    sequences = {s.key.lower(): s for s in study.sequences.all()}
    keys = ", ".join(s.key for s in sequences.values())
    references: dict[tuple[int, int], Series | None] = {}
    problems: list[str] = []
    valid: list[tuple[int, ROI]] = []
    report = ROIImportReport()
    for row in reader:
        number = reader.line_num  # physical line (blank lines are skipped but counted)
        report.lines += 1
        row = {k: (v or "").strip() for k, v in row.items() if k is not None}

        def bad(message: str, line: int = number) -> None:
            problems.append(f"{source}, line {line}: {message}")

        empty = [c for c in CSV_COLUMNS if not row.get(c)]
        if empty:
            bad(f'column "{empty[0]}" is empty.')
            continue
        case, sequence = cases.get(row["case"]), sequences.get(row["sequence"].lower())
        if case is None:
            bad(f'column "case" is "{row["case"]}", not a case of study "{study.slug}".')
        if sequence is None:
            bad(f'column "sequence" is "{row["sequence"]}"; expected one of {keys}.')
        label, shape = row["label"].lower(), row["shape"].lower()
        if label not in LABELS:
            bad(f'column "label" is "{row["label"]}"; expected one of {", ".join(LABELS)}.')
        if shape not in SHAPES:
            bad(f'column "shape" is "{row["shape"]}"; expected "ellipse" or "polygon".')
        try:
            slice_number = int(row["slice"])
        except ValueError:
            bad(f'column "slice" is "{row["slice"]}", not a whole number (1 = first slice).')
            slice_number = None
        try:
            points = parse_points(row["points"])
        except ValueError as error:
            bad(f'column "points" {error}: "{row["points"]}".')
            points = None
        if case is None or sequence is None or label not in LABELS or shape not in SHAPES:
            continue
        if slice_number is None or points is None:
            continue
        key = (case.pk, sequence.pk)
        if key not in references:
            series = _series_of(case, sequence)
            references[key] = series.get(Arm.CONVENTIONAL) or series.get(Arm.ENHANCED)
        reference = references[key]
        if reference is None:
            bad(f"case {case.identifier} has no {sequence.key} series imported.")
            continue
        geometry = _check_geometry(shape, points, slice_number - 1, reference)
        if geometry:
            bad(f"the ROI is not valid: {geometry[0]}.")
            continue
        roi = ROI(
            case=case,
            sequence=sequence,
            label=label,
            name=row.get("name", "")[:60],
            slice_index=slice_number - 1,
            shape=shape,
            points=_round_points(points),
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        valid.append((number, roi))
    if report.lines == 0:
        problems.append(f"{source}: no rows after the header.")
    if problems:
        raise ROIImportError(problems)

    existing = {
        _identity(r)
        for r in ROI.objects.filter(case__study=study).select_related("case", "sequence")
    }
    for _, roi in valid:
        identity = _identity(roi)
        if identity in existing:
            report.skipped += 1
            continue
        existing.add(identity)
        roi.save()
        report.created += 1
    audit_record(
        action="roi.import",
        actor=actor,
        study=study,
        data={"source": source, "created": report.created, "skipped": report.skipped},
    )
    return report


def _identity(roi: ROI) -> tuple:
    return (
        roi.case_id,
        roi.sequence_id,
        roi.label,
        roi.name,
        roi.slice_index,
        roi.shape,
        json.dumps(roi.points),
    )


# -- Statistics ---------------------------------------------------------------------------------


def roi_frame_label(roi: ROI) -> str:
    """The label an ROI has in the statistics: its label, or ``custom_<name>`` for custom ROIs."""
    if roi.label == ROI.Label.CUSTOM and roi.name:
        return "custom_" + slugify(roi.name).replace("-", "_")
    return roi.label


def pair_for_rois(case: Case, sequence: Sequence) -> dict[str, Series]:
    """Both arms of a case × sequence, refused unless both exist with the same geometry."""
    series = _series_of(case, sequence)
    where = f"case {case.identifier} {sequence.key}"
    for arm in Arm.values:
        if arm not in series:
            raise ROIRefused(
                f"ROI statistics need both arms, but {where} has no {arm} series; "
                "import it or delete the ROIs of that pair."
            )
    differences = geometry_differences(series[Arm.CONVENTIONAL], series[Arm.ENHANCED])
    if differences:
        raise ROIRefused(
            f"The two arms of {where} do not share a geometry ({'; '.join(differences)}), so the "
            "same ROI cannot select the same pixels in both; fix the import of that pair."
        )
    return series


def _physical_slice(series: Series, index: int) -> np.ndarray:
    """One slice in physical units: stored value × RescaleSlope + RescaleIntercept."""
    stored = np.asarray(volume_load(series.storage_key)[index], dtype=np.float64)
    if series.rescale_slope != 1.0 or series.rescale_intercept != 0.0:
        stored = stored * series.rescale_slope + series.rescale_intercept
    return stored


def roi_stats(study: Study, *, rois=None, include_excluded: bool = False) -> list[dict]:
    """Mean, SD (n − 1) and pixel count of every ROI on both arms, from the same pixel mask.

    Parameters
    ----------
    study : Study
    rois : iterable of ROI, optional
        A subset (default: every ROI of the study).
    include_excluded : bool
        Also measure ROIs of excluded cases (default: no, like the ratings).

    Returns
    -------
    list of dict
        One row per ROI and arm (conventional first): ``roi, case, sequence, label, name,
        slice_index, shape, arm, mean, sd, n_pixels, snr`` where ``label`` is
        :func:`roi_frame_label` and ``snr`` the apparent SNR mean / SD (None when SD is 0).

    Raises
    ------
    ROIRefused
        When a pair lacks an arm or its arms' geometry differs, or an ROI lies off the volume.
    """
    if rois is None:
        rois = ROI.objects.filter(case__study=study)
        if not include_excluded:
            rois = rois.filter(case__excluded=False)
        rois = rois.select_related("case", "sequence").order_by(
            "case__identifier", "sequence__order", "sequence__key", "label", "slice_index", "pk"
        )
    pairs: dict[tuple[int, int], dict[str, Series]] = {}
    slices: dict[tuple[int, int], np.ndarray] = {}
    rows = []
    for roi in rois:
        key = (roi.case_id, roi.sequence_id)
        if key not in pairs:
            pairs[key] = pair_for_rois(roi.case, roi.sequence)
        pair = pairs[key]
        reference = pair[Arm.CONVENTIONAL]
        if roi.slice_index >= reference.slices:
            raise ROIRefused(
                f"ROI {roi.pk} of case {roi.case.identifier} {roi.sequence.key} is on slice "
                f"{roi.slice_index + 1}, but the series has {reference.slices} slices."
            )
        # One mask, computed once, for both arms: the same pixels by construction.
        mask = roi_mask(roi.shape, roi.points, reference.rows, reference.columns)
        for arm in Arm.values:
            series = pair[arm]
            slice_key = (series.pk, roi.slice_index)
            if slice_key not in slices:
                slices[slice_key] = _physical_slice(series, roi.slice_index)
            stats = roi_pixel_stats(slices[slice_key], mask)
            rows.append(
                {
                    "roi": roi.pk,
                    "case": roi.case.identifier,
                    "sequence": roi.sequence.key,
                    "label": roi_frame_label(roi),
                    "name": roi.name,
                    "slice_index": roi.slice_index,
                    "shape": roi.shape,
                    "arm": arm,
                    **stats,
                    "snr": (stats["mean"] / stats["sd"] if stats["sd"] else None),  # apparent SNR
                }
            )
    return rows


# -- Automatic ROIs on the demo phantom ---------------------------------------------------------

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
    from readerstudy.imaging.phantom_anatomy import Geometry, build_anatomy

    anatomy_seed = np.random.SeedSequence([seed, case_index]).spawn(4)[0]
    geometry = Geometry.axial(matrix=matrix, slices=slices)
    return build_anatomy(np.random.default_rng(anatomy_seed), geometry).compartments


def demo_roi_circles(
    compartments: np.ndarray, *, pixel_spacing_mm: float, margin_px: int = DEMO_MARGIN_PX
) -> dict[str, tuple[int, float, float, float]]:
    """label → (slice, cx, cy, radius): the largest circle inside each label's eroded tissue.

    The circle is centred on the maximum of the Euclidean distance transform of the tissue mask
    over all slices (ties: nearest the middle slice), with radius distance − 1 − margin, capped
    at ``DEMO_MAX_RADIUS_MM``; every pixel centre in it is then at least ``margin_px`` pixels
    inside the tissue. Background ROIs are kept to rows with no head in them, because motion and
    pulsation ghosts run along the phase-encoding direction (the rows through the head).
    """
    from scipy.ndimage import distance_transform_edt

    from readerstudy.imaging.phantom_anatomy import Compartment

    n_slices = compartments.shape[0]
    middle = (n_slices - 1) / 2
    cap = DEMO_MAX_RADIUS_MM / pixel_spacing_mm
    circles = {}
    for label, names in _DEMO_TARGETS.items():
        best = None
        for name in names:
            value = Compartment[name]
            for index in range(n_slices):
                mask = compartments[index] == value
                if label == ROI.Label.BACKGROUND:
                    head_rows = (compartments[index] != Compartment.AIR).any(axis=1)
                    mask &= ~head_rows[:, None]
                if not mask.any():
                    continue
                # Pad with tissue-free border so the image edge counts as an edge.
                distance = distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
                y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
                score = (float(distance[y, x]), -abs(index - middle))
                if best is None or score > best[0]:
                    best = (score, index, float(x), float(y))
        if best is None:
            continue
        radius = min(best[0][0] - 1.0 - margin_px, cap)
        if radius >= DEMO_MIN_RADIUS_PX:
            # Rounded down, so the stored radius never exceeds the room measured.
            circles[label] = (best[1], best[2], best[3], math.floor(radius * 100) / 100)
    return circles


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
        Recorded as the ROIs' author and in the audit event ``roi.place_demo``.
    """
    from readerstudy.imaging.management.commands.make_demo_study import demo_cases
    from readerstudy.imaging.phantom_anatomy import FIELD_OF_VIEW_MM

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
    audit_record(
        action="roi.place_demo",
        actor=actor,
        study=study,
        data={"seed": seed, "matrix": matrix, "slices": slices, "placed": result.placed},
    )
    return result
