"""The blinding whitelist: the ONLY way reading code gets anything from a series.

A reader may receive pixel values and the geometry the viewer needs, nothing else: no UID, no
description, no arm, no storage key, no header value. Display defaults (window, range) were
derived from the pixels by one rule for both arms at import, never read from the DICOM header.
"""

from __future__ import annotations

import numpy as np

from readerstudy.imaging.models import Series
from readerstudy.imaging.volumes import volume_slices

# Every key a reader-facing description of a series can have. Tests assert nothing else leaks.
READER_SERIES_KEYS = frozenset(
    {"rows", "columns", "slices", "pixel_spacing", "slice_spacing", "dtype", "window", "range"}
)


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def reader_series_view(series: Series) -> dict:
    """Everything the reading side may know about a series, built from the whitelist."""
    view = {
        "rows": int(series.rows),
        "columns": int(series.columns),
        "slices": int(series.slices),
        "pixel_spacing": [
            _rounded(series.pixel_spacing_row) or 1.0,
            _rounded(series.pixel_spacing_column) or 1.0,
        ],
        "slice_spacing": _rounded(series.slice_spacing),
        "dtype": "uint16" if series.dtype == "uint16" else "int16",
        "window": {
            "center": _rounded(series.window_center, 2),
            "width": _rounded(series.window_width, 2),
        },
        "range": {
            "low": _rounded(series.intensity_low, 2),
            "high": _rounded(series.intensity_high, 2),
        },
    }
    assert set(view) == READER_SERIES_KEYS
    return view


def reader_series_pixels(series: Series, start: int, stop: int) -> np.ndarray:
    """Pixel values of slices ``start..stop-1``: the only pixel access for reading code."""
    return volume_slices(series.storage_key, start, stop)


SAMPLE_SIZE = 1 << 19


def _percentiles_from_counts(cdf: np.ndarray, offset: int, quantiles: list[float]) -> list[float]:
    """Percentiles (numpy's default linear rule) from the cumulative counts of integer values."""
    count = int(cdf[-1])
    values = []
    for quantile in quantiles:
        rank = quantile / 100 * (count - 1)
        lower = int(np.floor(rank))
        # The k-th smallest value (0-based) is the first bin whose cumulative count exceeds k.
        a = int(np.searchsorted(cdf, lower, side="right"))
        b = int(np.searchsorted(cdf, min(lower + 1, count - 1), side="right"))
        values.append(offset + a + (rank - lower) * (b - a))
    return values


def _percentiles(sample: np.ndarray, quantiles: list[float]) -> list[float]:
    """Percentiles with numpy's default (linear) rule; integer data via counts, in O(n)."""
    if sample.dtype.kind not in "iu":
        return [float(v) for v in np.percentile(sample, quantiles)]
    offset = int(sample.min())
    cdf = np.cumsum(np.bincount((sample.astype(np.int64) - offset).ravel()))
    return _percentiles_from_counts(cdf, offset, quantiles)


def _window(low_all: float, high_all: float, low: float, high: float) -> dict[str, float]:
    if high <= low:
        high = low + 1.0
    return {
        "window_center": (low + high) / 2,
        "window_width": high - low,
        "intensity_low": low,
        "intensity_high": high,
    }


def display_defaults(volume: np.ndarray) -> dict[str, float]:
    """Window and intensity range derived from the pixels, by one rule for every series.

    The 1st and 99th percentiles over the non-background voxels give the range; the window spans
    it. Using the same rule for both arms (instead of each header's WindowCenter/Width, which DL
    software often changes) keeps the default view from giving the arm away. Background is what
    lies below 5% of the way from the 1st to the 99.5th percentile of all sampled voxels.
    """
    # Percentiles of ~half a million voxels from up to 16 slices are as good as of all of them.
    sample = np.asarray(volume[:: max(1, volume.shape[0] // 16)]).ravel()
    if sample.size > SAMPLE_SIZE:
        sample = sample[:: -(-sample.size // SAMPLE_SIZE)]
    if sample.dtype.kind not in "iu":
        low_all, high_all = _percentiles(sample, [1, 99.5])
        foreground = sample[sample > low_all + 0.05 * (high_all - low_all)]
        if foreground.size < 16:
            foreground = sample
        return _window(low_all, high_all, *_percentiles(foreground, [1, 99]))
    # Integer volumes (all stored volumes): one histogram serves both passes. Sorting 1.5 million
    # voxels per series was the slowest step of an import.
    offset = int(sample.min())
    counts = np.bincount(sample.astype(np.int64) - offset)
    low_all, high_all = _percentiles_from_counts(np.cumsum(counts), offset, [1, 99.5])
    threshold = low_all + 0.05 * (high_all - low_all)
    first_kept = int(np.floor(threshold - offset)) + 1  # bins above the threshold
    foreground = counts.copy()
    foreground[: max(first_kept, 0)] = 0
    cdf = np.cumsum(foreground)
    if cdf[-1] < 16:
        cdf = np.cumsum(counts)
    return _window(low_all, high_all, *_percentiles_from_counts(cdf, offset, [1, 99]))
