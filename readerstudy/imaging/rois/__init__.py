"""ROIs: drawing, CSV import, per-arm pixel statistics and automatic placement on the phantom.

An ROI belongs to a case × sequence and applies to both arms: the DL series is computed from the
conventional one, so the two share their geometry and the same mask selects the same pixels.
``roi_stats`` checks that before it reads a pixel. Coordinates are pixel coordinates with pixel
centres on integers, x = column and y = row; an ellipse is ``[[cx, cy], [rx, ry]]`` (centre and
semi-axes), a polygon ``[[x, y], ...]`` (at least three vertices). The format is in docs/rois.md.
"""

from readerstudy.demo.rois import DemoPlacement, demo_roi_circles, roi_place_demo
from readerstudy.imaging.rois.geometry import LABELS, SHAPES, parse_points, roi_mask
from readerstudy.imaging.rois.stats import ROIRefused, pair_for_rois, roi_frame_label, roi_stats
from readerstudy.imaging.services.rois import roi_create, roi_delete
from readerstudy.imaging.services.rois_csv import (
    CSV_COLUMNS,
    ROIImportError,
    ROIImportReport,
    rois_import_csv,
)

__all__ = [
    "CSV_COLUMNS",
    "LABELS",
    "SHAPES",
    "DemoPlacement",
    "ROIImportError",
    "ROIImportReport",
    "ROIRefused",
    "demo_roi_circles",
    "pair_for_rois",
    "parse_points",
    "roi_create",
    "roi_delete",
    "roi_frame_label",
    "roi_mask",
    "roi_place_demo",
    "roi_stats",
    "rois_import_csv",
]
