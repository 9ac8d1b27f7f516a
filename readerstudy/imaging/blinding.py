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


def display_defaults(volume: np.ndarray) -> dict[str, float]:
    """Window and intensity range derived from the pixels, by one rule for every series.

    The 1st and 99th percentiles over the non-background voxels give the range; the window spans
    it. Using the same rule for both arms (instead of each header's WindowCenter/Width, which DL
    software often changes) keeps the default view from giving the arm away.
    """
    sample = np.asarray(volume[:: max(1, volume.shape[0] // 16)], dtype=np.float32).ravel()
    if sample.size > 2_000_000:
        sample = sample[:: sample.size // 2_000_000 + 1]
    low_all, high_all = np.percentile(sample, [1, 99.5])
    # Drop air below 5% of the bright end so a large dark background does not pull the window down.
    foreground = sample[sample > low_all + 0.05 * (high_all - low_all)]
    if foreground.size < 16:
        foreground = sample
    low, high = (float(v) for v in np.percentile(foreground, [1, 99]))
    if high <= low:
        high = low + 1.0
    return {
        "window_center": (low + high) / 2,
        "window_width": high - low,
        "intensity_low": low,
        "intensity_high": high,
    }
