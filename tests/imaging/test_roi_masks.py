"""Pure ROI helpers: pixel statistics (SD with n - 1) and masks."""

import numpy as np
import pytest
from matplotlib.path import Path

from readerstudy.imaging.rois.masks import ellipse_mask, polygon_mask, roi_pixel_stats


def test_pixel_stats_use_the_sample_sd():
    pixels = np.arange(16, dtype=np.int16).reshape(4, 4)
    mask = np.zeros((4, 4), dtype=bool)
    mask[1, 1:3] = True  # values 5 and 6
    assert roi_pixel_stats(pixels, mask) == {
        "mean": 5.5, "sd": pytest.approx(np.sqrt(0.5)), "n_pixels": 2
    }  # fmt: skip


def test_pixel_stats_of_tiny_rois_and_bad_shapes():
    pixels = np.ones((3, 3))
    one = np.zeros((3, 3), dtype=bool)
    one[0, 0] = True
    assert roi_pixel_stats(pixels, one) == {"mean": 1.0, "sd": None, "n_pixels": 1}
    assert roi_pixel_stats(pixels, np.zeros((3, 3), dtype=bool))["mean"] is None
    with pytest.raises(ValueError, match="differs from image shape"):
        roi_pixel_stats(pixels, np.ones((2, 2), dtype=bool))


def test_an_ellipse_mask_covers_about_pi_r_squared():
    mask = ellipse_mask((200, 200), 100, 100, 40, 20)
    assert mask.sum() == pytest.approx(np.pi * 40 * 20, rel=0.01)
    assert mask[100, 100] and mask[140, 100] and not mask[100, 121]
    assert not ellipse_mask((10, 10), -50, -50, 3, 3).any()
    with pytest.raises(ValueError):
        ellipse_mask((10, 10), 5, 5, 0, 3)


def test_a_polygon_mask_matches_matplotlib_point_in_polygon():
    points = [(10.3, 5.2), (60.7, 12.9), (45.1, 70.4), (20.2, 40.6), (30.5, 25.5)]
    mask = polygon_mask((80, 80), points)
    rows, cols = np.mgrid[0:80, 0:80]
    centres = np.column_stack([cols.ravel(), rows.ravel()])  # (x, y)
    expected = Path(points).contains_points(centres).reshape(80, 80)
    assert np.array_equal(mask, expected)


def test_a_polygon_needs_three_points():
    with pytest.raises(ValueError, match="at least three"):
        polygon_mask((5, 5), [(0, 0), (1, 1)])
