"""SNR/CNR formulas (NEMA MS 1; Dietrich et al. 2007) and the arm comparison against R."""

import numpy as np
import pandas as pd
import pytest

from readerstudy.analysis.stats.descriptive import mean_difference, paired_t_p
from readerstudy.analysis.stats.quantitative import compare_arms, roi_metrics


def _roi(rows):
    return pd.DataFrame(
        rows, columns=["case", "sequence", "label", "arm", "mean", "sd", "n_pixels"]
    )


ROI = _roi(
    [("c1", "T2W", "white_matter", "conventional", 400.0, 20.0, 100),
     ("c1", "T2W", "lesion", "conventional", 700.0, 35.0, 80),
     ("c1", "T2W", "background", "conventional", 10.0, 6.55, 300),
     ("c1", "T2W", "white_matter", "enhanced", 402.0, 10.0, 100),
     ("c1", "T2W", "lesion", "enhanced", 698.0, 14.0, 80),
     ("c1", "T2W", "background", "enhanced", 4.0, 0.0, 300)]
)  # fmt: skip


def _value(metrics, arm, metric):
    row = metrics[(metrics["arm"] == arm) & (metrics["metric"] == metric)]
    return row["value"].item()


def test_apparent_snr_and_cnr_use_the_tissue_rois():
    metrics = roi_metrics(ROI)
    assert _value(metrics, "conventional", "snr_white_matter") == pytest.approx(20.0)
    assert _value(metrics, "enhanced", "snr_lesion") == pytest.approx(698 / 14)
    # CNR(lesion, WM) = |700 - 400| / SD(WM)
    assert _value(metrics, "conventional", "cnr_lesion_white_matter") == pytest.approx(15.0)
    assert "snr_background" not in set(metrics["metric"])
    assert "cnr_gray_matter_white_matter" not in set(metrics["metric"])  # no gray matter ROI


def test_the_background_method_uses_0_655_over_the_air_sd():
    metrics = roi_metrics(ROI, noise="background")
    # SNR = 0.655 * 400 / 6.55 = 40; CNR = 0.655 * 300 / 6.55 = 30
    assert _value(metrics, "conventional", "snr_white_matter") == pytest.approx(40.0)
    assert _value(metrics, "conventional", "cnr_lesion_white_matter") == pytest.approx(30.0)
    # A background masked to zero (SD 0), as DL software often does, gives no value.
    assert np.isnan(_value(metrics, "enhanced", "snr_white_matter"))


def test_paired_t_and_ci_match_r():
    # Rscript: t.test(x, y, paired = TRUE): p = 0.0221369733048988,
    # 95% CI 0.0887870256778653 0.8362129743221347
    x = np.array([5.1, 4.8, 6.0, 5.5, 4.9, 6.2, 5.8, 5.0])
    y = np.array([4.2, 4.9, 5.1, 5.0, 5.2, 5.5, 5.1, 4.6])
    assert paired_t_p(x - y) == pytest.approx(0.0221369733048988, rel=1e-9)
    ci = mean_difference(x - y)["ci95"]
    assert ci == pytest.approx([0.0887870256778653, 0.8362129743221347], abs=1e-12)
    assert paired_t_p(np.ones(4)) is None


def test_arms_are_compared_per_sequence_and_metric(small_rois):
    metrics = roi_metrics(small_rois)
    rows = compare_arms(metrics)
    assert [r["sequence"] for r in rows[:1]] == ["T2W"]
    metrics_per_sequence = [r["metric"] for r in rows if r["sequence"] == "T2W"]
    assert metrics_per_sequence == [
        "snr_white_matter", "snr_gray_matter", "snr_lesion", "snr_csf",
        "cnr_lesion_white_matter", "cnr_gray_matter_white_matter",
    ]  # fmt: skip
    row = rows[0]
    assert row["n"] == 30
    assert row["enhanced"]["mean"] > row["conventional"]["mean"]
    expected = 100 * (row["enhanced"]["mean"] - row["conventional"]["mean"])
    assert row["percent_change"] == pytest.approx(expected / row["conventional"]["mean"])
    assert row["t_test_p"] < 0.001 and row["wilcoxon_p"] < 0.001
    assert row["mean_difference"]["ci95"][0] > 0
