"""ROI statistics: the same mask on both arms, equal to numpy on known arrays, rescale applied,
geometry checked, and the pooled frame the analysis reads (roi_stats_frame)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import ValidationError

from readerstudy.analysis.stats.io import ROI_COLUMNS, validate_roi_stats
from readerstudy.imaging.models import ROI, Series
from readerstudy.imaging.rois.stats import ROIRefused, roi_stats
from readerstudy.imaging.selectors import roi_stats_frame
from readerstudy.imaging.services.rois import roi_create, roi_delete
from readerstudy.studies.models import Case
from tests.factories import make_series

SHAPE = (3, 12, 16)  # slices, rows, columns


def _known_volume(offset: int = 0) -> np.ndarray:
    """Every pixel's value encodes its position: slice*1000 + row*20 + column (+ offset)."""
    s, r, c = np.meshgrid(*(np.arange(n) for n in SHAPE), indexing="ij")
    return (s * 1000 + r * 20 + c + offset).astype("<i2")


@pytest.fixture
def pair(study):
    """One case of ``study`` with a T2W pair: enhanced = conventional + 100, same geometry."""
    case = Case.objects.create(study=study, site=study.sites.first(), identifier="K-01")
    sequence = study.sequences.get(key="T2W")
    make_series(case=case, sequence=sequence, arm="conventional", volume=_known_volume())
    make_series(case=case, sequence=sequence, arm="enhanced", volume=_known_volume(100))
    return case, sequence


def _draw(pair, *, label="csf", slice_index=0, shape="ellipse", points=((5, 5), (2, 2)), **kw):
    """Draw one ROI on the pair (default: a small CSF ellipse on the first slice)."""
    case, sequence = pair
    points = [list(p) for p in points] if isinstance(points, tuple) else points
    return roi_create(
        case=case,
        sequence=sequence,
        label=label,
        slice_index=slice_index,
        shape=shape,
        points=points,
        **kw,
    )


def _expected(volume: np.ndarray, index: int, rows: slice, cols: slice) -> tuple[float, float, int]:
    values = volume[index, rows, cols].astype(np.float64).ravel()
    return float(values.mean()), float(values.std(ddof=1)), values.size


def test_a_polygon_roi_gives_numpys_mean_and_sample_sd_on_both_arms(pair, alice):
    case, _ = pair
    # The rectangle x 2..5, y 3..6 (pixel centres inside, edges half a pixel out).
    _draw(
        pair,
        label="white_matter",
        slice_index=1,
        shape="polygon",
        points="1.5 2.5; 5.5 2.5; 5.5 6.5; 1.5 6.5",
        actor=alice,
    )
    rows = roi_stats(case.study)
    assert [r["arm"] for r in rows] == ["conventional", "enhanced"]
    for row, offset in zip(rows, (0, 100), strict=True):
        mean, sd, n = _expected(_known_volume(offset), 1, slice(3, 7), slice(2, 6))
        assert row["n_pixels"] == n == 16
        assert row["mean"] == pytest.approx(mean)
        assert row["sd"] == pytest.approx(sd)
        assert row["snr"] == pytest.approx(mean / sd)
        assert (row["case"], row["sequence"], row["label"], row["slice_index"]) == (
            "K-01",
            "T2W",
            "white_matter",
            1,
        )


def test_an_ellipse_roi_selects_the_pixel_centres_inside_it(pair):
    case, _ = pair
    # Centre (x 7, y 5), radii 2 and 1: the plus-shaped set of 7 pixels (numpy by hand).
    _draw(pair, label="gray_matter", slice_index=2, points=[[7, 5], [2, 1]])
    volume = _known_volume()
    picked = [volume[2, 5, x] for x in range(5, 10)] + [volume[2, 4, 7], volume[2, 6, 7]]
    conventional = roi_stats(case.study)[0]
    assert conventional["n_pixels"] == 7
    assert conventional["mean"] == pytest.approx(np.mean(picked))
    assert conventional["sd"] == pytest.approx(np.std(picked, ddof=1))


def test_the_same_pixels_are_used_for_both_arms(pair):
    """enhanced = conventional + 100 everywhere: only the same pixels give +100 and the same SD."""
    case, _ = pair
    _draw(pair, shape="polygon", points=[[0, 0], [9.3, 1.2], [4.1, 10.7]])
    conventional, enhanced = roi_stats(case.study)
    assert enhanced["n_pixels"] == conventional["n_pixels"] > 2
    assert enhanced["mean"] - conventional["mean"] == pytest.approx(100.0)
    assert enhanced["sd"] == pytest.approx(conventional["sd"])


def test_rescale_slope_and_intercept_are_applied_before_the_statistics(pair):
    case, _ = pair
    Series.objects.filter(case=case, arm="enhanced").update(
        rescale_slope=0.5, rescale_intercept=-10.0
    )
    _draw(pair, label="lesion", slice_index=1, points=[[8, 6], [3, 3]])
    conventional, enhanced = roi_stats(case.study)
    assert enhanced["mean"] == pytest.approx((conventional["mean"] + 100) * 0.5 - 10.0)
    assert enhanced["sd"] == pytest.approx(conventional["sd"] * 0.5)


def test_it_refuses_statistics_when_the_arms_geometry_differs(pair):
    case, _ = pair
    _draw(pair)
    Series.objects.filter(case=case, arm="enhanced").update(pixel_spacing_row=0.45)
    with pytest.raises(ROIRefused) as refused:
        roi_stats(case.study)
    assert str(refused.value) == (
        "The two arms of case K-01 T2W do not share a geometry (pixel spacing differs: "
        "conventional 0.9, enhanced 0.45), so the same ROI cannot select the same pixels in "
        "both; fix the import of that pair."
    )


def test_it_refuses_statistics_when_an_arm_is_missing(pair):
    case, _ = pair
    _draw(pair)
    Series.objects.filter(case=case, arm="enhanced").delete()
    with pytest.raises(ROIRefused, match="case K-01 T2W has no enhanced series"):
        roi_stats(case.study)


@pytest.mark.parametrize(
    "shape,points,slice_index,message",
    [
        ("ellipse", [[5, 5], [0, 2]], 0, "The ROI is not valid: the ellipse radii must be "
         "positive."),
        ("ellipse", [[16, 5], [2, 2]], 0, "The ROI is not valid: the ellipse centre (16, 5) is "
         "outside the 16×12 image."),
        ("ellipse", [[5, 5], [2, 2]], 3, "The ROI is not valid: slice 4 is outside 1–3."),
        ("polygon", [[1, 1], [2, 2]], 0, "The ROI is not valid: a polygon needs 3 to 1000 points."),
        ("polygon", [[1, 1], [1.2, 1], [1, 1.2]], 0, "The ROI is not valid: it covers 1 pixel; "
         "an ROI needs 2 or more."),
        ("polygon", "1 1; 2 x; 3 3", 0, 'The field "points" needs pairs of numbers (x y).'),
    ],
)  # fmt: skip
def test_it_refuses_rois_that_do_not_fit_the_image(pair, shape, points, slice_index, message):
    with pytest.raises(ValidationError) as refused:
        _draw(pair, slice_index=slice_index, shape=shape, points=points)
    assert refused.value.messages == [message]
    assert not ROI.objects.exists()


def test_creating_and_deleting_an_roi_is_audited(pair, alice):
    from readerstudy.audit.models import AuditEvent

    roi = _draw(pair, label="background", points=[[3, 3], [2, 2]], actor=alice)
    assert roi.created_by == alice
    roi_delete(roi=roi, actor=alice)
    events = list(AuditEvent.objects.filter(action__startswith="roi.").order_by("pk"))
    assert [e.action for e in events] == ["roi.create", "roi.delete"]
    assert events[1].data["points"] == [[3.0, 3.0], [2.0, 2.0]]
    assert events[1].actor == alice and not ROI.objects.exists()


def test_the_frame_pools_rois_of_one_label_and_validates_as_analysis_input(pair):
    case, _ = pair
    first = dict(label="white_matter", shape="polygon")
    _draw(pair, **first, slice_index=0, points="1.5 2.5; 5.5 2.5; 5.5 6.5; 1.5 6.5")
    _draw(pair, **first, slice_index=2, points="8.5 0.5; 12.5 0.5; 12.5 3.5; 8.5 3.5")
    _draw(pair, label="background", points=[[12, 8], [2, 2]])
    frame = roi_stats_frame(case.study)
    assert list(frame.columns) == list(ROI_COLUMNS)
    validate_roi_stats(frame)  # the analysis accepts it as is
    wm = frame[(frame["label"] == "white_matter") & (frame["arm"] == "conventional")].iloc[0]
    volume = _known_volume().astype(np.float64)
    a, b = volume[0, 3:7, 2:6].ravel(), volume[2, 1:4, 9:13].ravel()
    # Pixel-weighted mean; SD pooled within ROIs (Cohen 1988, section 2.5).
    assert wm["n_pixels"] == a.size + b.size == 28
    assert wm["mean"] == pytest.approx(np.concatenate([a, b]).mean())
    pooled = np.sqrt(
        ((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2)
    )
    assert wm["sd"] == pytest.approx(pooled)
    assert sorted(frame["label"].unique()) == ["background", "white_matter"]
    assert len(frame) == 4


def test_the_frame_of_a_study_without_rois_is_empty_with_the_columns(study):
    frame = roi_stats_frame(study)
    assert list(frame.columns) == list(ROI_COLUMNS) and frame.empty
    assert frame["n_pixels"].dtype == np.int64


def test_rois_of_excluded_cases_stay_out_of_the_frame(pair):
    case, _ = pair
    _draw(pair)
    Case.objects.filter(pk=case.pk).update(excluded=True, exclusion_reason="motion")
    assert roi_stats_frame(case.study).empty
    assert len(roi_stats_frame(case.study, include_excluded=True)) == 2


def test_custom_rois_get_their_name_as_label(pair):
    case, _ = pair
    _draw(pair, label="custom", name="Pons left")
    frame = roi_stats_frame(case.study)
    assert set(frame["label"]) == {"custom_pons_left"}
    assert isinstance(frame, pd.DataFrame)
