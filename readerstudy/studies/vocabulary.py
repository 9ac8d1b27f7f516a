"""Words every layer shares, declared once: the two arms and the columns of the ratings table.

Plain Python with no Django, so the pure analysis (``readerstudy.analysis.stats``), the phantom
and the models all take them from here.
"""

from __future__ import annotations

CONVENTIONAL = "conventional"
ENHANCED = "enhanced"
#: The two versions of every image, in the order tables and reports list them.
ARMS = (CONVENTIONAL, ENHANCED)
ARM_LABELS = {CONVENTIONAL: "Conventional", ENHANCED: "Enhanced (DL)"}

#: The ratings table (export and analysis input): one row per score.
RATINGS_REQUIRED_COLUMNS = (
    "study",
    "site",
    "reader",
    "case",
    "sequence",
    "arm",
    "criterion",
    "score",
)
RATINGS_OPTIONAL_COLUMNS = (
    "reader_site",
    # The criterion's scale (lowest and highest score), so a file carries its own instrument.
    "scale_min",
    "scale_max",
    "task",
    "pane",
    "position",
    "read_order",
    "started_at",
    "submitted_at",
    "duration_s",
)
#: The scale columns among the optional ones.
RATINGS_SCALE_COLUMNS = ("scale_min", "scale_max")
#: The ROI-statistics table: one row per case × sequence × label × arm.
ROI_COLUMNS = ("case", "sequence", "label", "arm", "mean", "sd", "n_pixels")
