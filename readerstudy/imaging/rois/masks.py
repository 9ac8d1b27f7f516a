"""Pure ROI helpers: masks for drawn ROIs and the statistics of the pixels inside them.

The imaging app draws ROIs and stores their statistics; these functions hold no state and know
nothing about storage, so the same ROI gives the same numbers on both arms (identical geometry).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["ellipse_mask", "polygon_mask", "roi_pixel_stats"]


def roi_pixel_stats(pixels: np.ndarray, mask: np.ndarray) -> dict:
    """Mean, sample SD and pixel count of the pixels under a mask.

    Parameters
    ----------
    pixels : ndarray
        Image (any shape), in stored units after rescale.
    mask : ndarray of bool
        Same shape as ``pixels``; True inside the ROI.

    Returns
    -------
    dict
        ``{"mean", "sd", "n_pixels"}``; SD uses n - 1 (None below two pixels), mean is None for
        an empty ROI.

    Raises
    ------
    ValueError
        If the shapes differ.
    """
    pixels = np.asarray(pixels)
    mask = np.asarray(mask, dtype=bool)
    if pixels.shape != mask.shape:
        raise ValueError(f"ROI mask shape {mask.shape} differs from image shape {pixels.shape}.")
    values = pixels[mask].astype(np.float64)
    n = int(values.size)
    return {
        "mean": float(values.mean()) if n else None,
        "sd": float(values.std(ddof=1)) if n > 1 else None,
        "n_pixels": n,
    }


def ellipse_mask(shape: tuple[int, int], cy: float, cx: float, ry: float, rx: float) -> np.ndarray:
    """Boolean mask of the pixels whose centres lie in an axis-aligned ellipse.

    Parameters
    ----------
    shape : (int, int)
        Image shape (rows, columns).
    cy, cx : float
        Centre in pixel coordinates (row, column); pixel centres sit on integers.
    ry, rx : float
        Semi-axes in pixels along rows and columns (> 0).

    Returns
    -------
    ndarray of bool, shape ``shape``
    """
    if ry <= 0 or rx <= 0:
        raise ValueError("Ellipse semi-axes must be positive.")
    rows, cols = shape
    mask = np.zeros(shape, dtype=bool)
    y0, y1 = max(int(np.ceil(cy - ry)), 0), min(int(np.floor(cy + ry)), rows - 1)
    x0, x1 = max(int(np.ceil(cx - rx)), 0), min(int(np.floor(cx + rx)), cols - 1)
    if y0 > y1 or x0 > x1:
        return mask
    y = np.arange(y0, y1 + 1, dtype=np.float64)[:, None]
    x = np.arange(x0, x1 + 1, dtype=np.float64)[None, :]
    mask[y0 : y1 + 1, x0 : x1 + 1] = ((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 <= 1.0
    return mask


def polygon_mask(shape: tuple[int, int], points: Sequence[tuple[float, float]]) -> np.ndarray:
    """Boolean mask of the pixels whose centres lie inside a polygon (even-odd rule).

    Parameters
    ----------
    shape : (int, int)
        Image shape (rows, columns).
    points : sequence of (x, y)
        Vertices as (column, row) pairs in pixel coordinates, as a canvas reports them; the
        polygon closes itself. At least three vertices.

    Returns
    -------
    ndarray of bool, shape ``shape``
    """
    vertices = np.asarray(points, dtype=np.float64)
    if vertices.ndim != 2 or vertices.shape[0] < 3 or vertices.shape[1] != 2:
        raise ValueError("A polygon ROI needs at least three (x, y) points.")
    rows, cols = shape
    mask = np.zeros(shape, dtype=bool)
    x0 = max(int(np.ceil(vertices[:, 0].min())), 0)
    x1 = min(int(np.floor(vertices[:, 0].max())), cols - 1)
    y0 = max(int(np.ceil(vertices[:, 1].min())), 0)
    y1 = min(int(np.floor(vertices[:, 1].max())), rows - 1)
    if y0 > y1 or x0 > x1:
        return mask
    y = np.arange(y0, y1 + 1, dtype=np.float64)[:, None]
    x = np.arange(x0, x1 + 1, dtype=np.float64)[None, :]
    inside = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=bool)
    xa, ya = vertices[:, 0], vertices[:, 1]
    xb, yb = np.roll(xa, -1), np.roll(ya, -1)
    for ax, ay, bx, by in zip(xa, ya, xb, yb, strict=True):
        if ay == by:
            continue  # a horizontal edge never crosses a horizontal ray
        crosses = (ay > y) != (by > y)
        x_at = ax + (y - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (x < x_at)
    mask[y0 : y1 + 1, x0 : x1 + 1] = inside
    return mask
