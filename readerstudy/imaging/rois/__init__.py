"""ROIs: their geometry and masks, and per-arm pixel statistics (writes: ``imaging.services``).

An ROI belongs to a case × sequence and applies to both arms: the DL series is computed from the
conventional one, so the two share their geometry and the same mask selects the same pixels.
``roi_stats`` checks that before it reads a pixel. Coordinates are pixel coordinates with pixel
centres on integers, x = column and y = row; an ellipse is ``[[cx, cy], [rx, ry]]`` (centre and
semi-axes), a polygon ``[[x, y], ...]`` (at least three vertices). The format is in docs/rois.md.
"""
