"""The geometry of one ROI: parsing its points, its pixel mask, and whether it fits a series."""

from __future__ import annotations

import json
import math
import re

import numpy as np
from django.core.exceptions import ValidationError

from readerstudy.imaging.models import ROI, Arm, Series
from readerstudy.imaging.rois.masks import ellipse_mask, polygon_mask
from readerstudy.studies.models import Case, Sequence

MAX_POLYGON_POINTS = 1000
LABELS = tuple(ROI.Label.values)
SHAPES = tuple(ROI.Shape.values)


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


def check_geometry(shape: str, points: list, slice_index: int, series: Series) -> list[str]:
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


def series_of(case: Case, sequence: Sequence) -> dict[str, Series]:
    return {s.arm: s for s in Series.objects.filter(case=case, sequence=sequence)}


def reference_series(case: Case, sequence: Sequence) -> Series:
    series = series_of(case, sequence)
    reference = series.get(Arm.CONVENTIONAL) or series.get(Arm.ENHANCED)
    if reference is None:
        raise ValidationError(f"Case {case.identifier} has no {sequence.key} series imported.")
    return reference


def round_points(points: list[list[float]]) -> list[list[float]]:
    # A browser reports coordinates like 101.49999999; two decimals are far below a pixel.
    return [[round(x, 2), round(y, 2)] for x, y in points]
