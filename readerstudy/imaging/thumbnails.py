"""Coordinator previews: the middle slice of a series as a small PNG, rendered with Pillow.

Both arms go through this same function (same percentile window, same resampling), so the
coordinator's side-by-side preview is a fair comparison. Never served to readers.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from readerstudy.imaging.models import Series
from readerstudy.imaging.volumes import volume_load

THUMBNAIL_SIZE = 160


def series_thumbnail_png(series: Series, *, size: int = THUMBNAIL_SIZE) -> bytes:
    volume = volume_load(series.storage_key)
    middle = np.asarray(volume[volume.shape[0] // 2], dtype=np.float32)
    low, high = float(series.intensity_low), float(series.intensity_high)
    if high <= low:
        high = low + 1.0
    grey = np.clip((middle - low) / (high - low) * 255.0, 0, 255).astype(np.uint8)
    image = Image.fromarray(grey, mode="L")
    # Non-square pixels would distort the preview; scale by the physical aspect ratio.
    row_mm = series.pixel_spacing_row or 1.0
    column_mm = series.pixel_spacing_column or 1.0
    height, width = grey.shape
    aspect = (height * row_mm) / (width * column_mm)
    target = (
        (size, max(1, round(size * aspect)))
        if aspect <= 1
        else (max(1, round(size / aspect)), size)
    )
    image = image.resize(target, Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
