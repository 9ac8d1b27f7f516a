"""Clustered model (statsmodels OrdinalGEE, case as cluster) and its GEE fallback."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from readerstudy.analysis.stats import pooled
from readerstudy.analysis.stats.pooled import pooled_model, pooled_model_row


def test_ordinal_gee_finds_the_simulated_effects(small_study):
    rows = {(r["sequence"], r["criterion"]): r for r in pooled_model(small_study)}
    assert len(rows) == 21
    noise = rows[("T2W", "noise")]
    assert noise["method"] == "OrdinalGEE"
    assert noise["estimate"] > 0 and noise["ci95"][0] > 0 and noise["p"] < 0.001
    motion = rows[("T2W", "motion_artifact")]
    assert motion["ci95"][0] < motion["estimate"] < motion["ci95"][1]


def test_it_falls_back_to_gaussian_gee_when_ordinal_gee_does_not_converge(small_study, monkeypatch):
    def no_convergence(*args):
        raise ConvergenceWarning("did not converge")

    monkeypatch.setattr(pooled, "_fit_ordinal", no_convergence)
    unit = small_study[(small_study["sequence"] == "T2W") & (small_study["criterion"] == "noise")]
    row = pooled_model_row(unit[["case", "arm", "score"]])
    assert row["method"] == "GEE"
    # The Gaussian GEE estimate is the mean score difference (balanced design).
    means = unit.groupby("arm")["score"].mean()
    assert row["estimate"] == pytest.approx(means["enhanced"] - means["conventional"])


def test_a_model_that_cannot_be_fitted_gives_nulls():
    frame = pd.DataFrame(
        {"case": np.repeat(["a", "b", "c"], 2), "arm": ["conventional", "enhanced"] * 3,
         "score": [3] * 6}
    )  # fmt: skip
    assert pooled_model_row(frame) == {
        "method": None, "estimate": None, "ci95": [None, None], "p": None
    }  # fmt: skip


def test_arms_that_do_not_overlap_fall_back_to_gee_instead_of_an_infinite_odds_ratio():
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
    assert row["method"] == "GEE"
    assert 1 < row["estimate"] < 4
