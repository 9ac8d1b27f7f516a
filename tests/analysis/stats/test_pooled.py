"""Secondary clustered model: cumulative-logit GEE (case as cluster) and its Gaussian fallback.

Reference: statsmodels 0.14 ``OrdinalGEE(score, arm, groups=case, cov_struct=Independence())``
fitted here on the same data; our closed-form Newton solution must equal it.
"""

import numpy as np
import pandas as pd
import pytest
from statsmodels.genmod.cov_struct import Independence
from statsmodels.genmod.generalized_estimating_equations import OrdinalGEE

from readerstudy.analysis.stats import pooled
from readerstudy.analysis.stats.pooled import ordinal_gee, pooled_model, pooled_model_row


def _arrays(unit: pd.DataFrame):
    unit = unit.sort_values("case", kind="stable")
    groups = pd.factorize(unit["case"])[0]
    score = unit["score"].to_numpy(dtype=float)
    enhanced = (unit["arm"] == "enhanced").to_numpy(dtype=float)
    return score, enhanced, groups


@pytest.mark.parametrize("criterion", ["noise", "motion_artifact", "truncation_artifact"])
def test_it_equals_statsmodels_ordinal_gee_with_independence(small_study, criterion):
    unit = small_study[
        (small_study["sequence"] == "FLAIR") & (small_study["criterion"] == criterion)
    ]
    score, enhanced, groups = _arrays(unit)
    fit = OrdinalGEE(score, enhanced[:, None], groups=groups, cov_struct=Independence()).fit()
    ours = ordinal_gee(score, enhanced, groups)
    assert ours["estimate"] == pytest.approx(np.asarray(fit.params)[-1], abs=1e-9)
    assert ours["se"] == pytest.approx(np.asarray(fit.bse)[-1], rel=1e-8)
    assert ours["p"] == pytest.approx(np.asarray(fit.pvalues)[-1], rel=1e-6, abs=1e-300)
    assert ours["ci95"] == pytest.approx(np.asarray(fit.conf_int())[-1], abs=1e-8)


def test_ordinal_gee_finds_the_simulated_effects(small_study):
    rows = {(r["sequence"], r["criterion"]): r for r in pooled_model(small_study)}
    assert len(rows) == 21
    noise = rows[("T2W", "noise")]
    assert noise["method"] == "OrdinalGEE" and noise["fallback"] is None
    assert noise["estimand"] == "log_cumulative_odds_ratio"
    assert noise["working_correlation"] == "independence"
    assert noise["estimate"] > 0 and noise["ci95"][0] > 0 and noise["p"] < 0.001
    motion = rows[("T2W", "motion_artifact")]
    assert motion["ci95"][0] < motion["estimate"] < motion["ci95"][1]


def test_the_gaussian_fallback_is_its_own_estimand_apart(small_study, monkeypatch):
    monkeypatch.setattr(pooled, "ordinal_gee", lambda *args: None)
    unit = small_study[(small_study["sequence"] == "T2W") & (small_study["criterion"] == "noise")]
    row = pooled_model_row(unit[["case", "arm", "score"]])
    # The ordinal estimand stays empty: a mean difference is never reported as a log odds ratio.
    assert row["method"] is None and row["estimate"] is None and row["p"] is None
    fallback = row["fallback"]
    assert fallback["method"] == "GEE" and fallback["estimand"] == "mean_difference"
    assert fallback["working_correlation"] == "exchangeable"
    assert fallback["reason"] == "the cumulative-logit model did not converge"
    # The Gaussian GEE estimate is the mean score difference (balanced design).
    means = unit.groupby("arm")["score"].mean()
    assert fallback["estimate"] == pytest.approx(means["enhanced"] - means["conventional"])
    assert fallback["ci95"][0] < fallback["estimate"] < fallback["ci95"][1]


def test_a_model_that_cannot_be_fitted_gives_nulls():
    frame = pd.DataFrame(
        {"case": np.repeat(["a", "b", "c"], 2), "arm": ["conventional", "enhanced"] * 3,
         "score": [3] * 6}
    )  # fmt: skip
    row = pooled_model_row(frame)
    assert row["method"] is None and row["estimate"] is None and row["ci95"] == [None, None]
    assert row["fallback"] is None


def test_arms_that_do_not_overlap_fall_back_instead_of_an_infinite_odds_ratio():
    # Every enhanced score 5, every conventional 1-4: the cumulative-logit MLE is infinite
    # (complete separation), which statsmodels reports as a huge estimate without warning.
    rng = np.random.default_rng(0)
    rows = [
        (f"c{c}", arm, 5 if arm == "enhanced" else int(rng.integers(1, 5)))
        for c in range(20)
        for _ in range(3)
        for arm in ("conventional", "enhanced")
    ]
    row = pooled_model_row(pd.DataFrame(rows, columns=["case", "arm", "score"]))
    assert row["method"] is None and row["estimate"] is None
    assert row["fallback"]["method"] == "GEE"
    assert row["fallback"]["reason"] == "the arms' scores do not overlap (infinite odds ratio)"
    assert 1 < row["fallback"]["estimate"] < 4


def test_a_diverging_fit_counts_as_not_estimable():
    # Nearly separated: one overlapping score; the Newton steps must not report a huge estimate.
    score = np.array([1, 1, 1, 2, 2, 2, 2, 3, 3, 3] * 3, dtype=float)
    enhanced = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1] * 3, dtype=float)
    groups = np.repeat(np.arange(15), 2)
    fit = ordinal_gee(score, enhanced, groups)
    assert fit is None or abs(fit["estimate"]) < 30
