"""Clustered model (statsmodels OrdinalGEE, case as cluster) and its GEE fallback."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from readerstudy.analysis import pooled
from readerstudy.analysis.pooled import pooled_model, pooled_model_row


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
