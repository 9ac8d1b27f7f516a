"""Non-inferiority: the MRMC random-readers CI against -margin with Holm's adjustment (against
R's MRMCaov, pt and p.adjust), and the secondary per-case one-sided t-test (against R's t.test)."""

import numpy as np
import pandas as pd
import pytest

from readerstudy.analysis.stats.noninferiority import (
    is_noninferiority_criterion,
    noninferiority,
    noninferiority_test,
)
from tests.analysis.stats.test_mrmc import CUBE_A, CUBE_D, frame_from_cube

X = np.array([5.1, 4.8, 6.0, 5.5, 4.9, 6.2, 5.8, 5.0])
Y = np.array([4.2, 4.9, 5.1, 5.0, 5.2, 5.5, 5.1, 4.6])


def test_it_matches_r_one_sided_t_test_against_the_margin():
    # Rscript: t.test(x - y, mu = -0.5, alternative = "greater")$p.value = 0.000247948456917846
    result = noninferiority_test(X - Y, 0.5)
    assert result["p"] == pytest.approx(0.000247948456917846, rel=1e-9)
    assert result["worse_fraction"] == pytest.approx(2 / 8)


def test_a_worse_enhanced_arm_is_not_shown_non_inferior():
    d = np.array([-1.0, -0.8, -1.2, -0.9, -1.1])
    assert noninferiority_test(d, 0.5)["p"] > 0.99
    assert noninferiority_test(d, 0.5)["worse_fraction"] == 1.0


def test_constant_or_tiny_samples_give_no_p():
    assert noninferiority_test(np.zeros(5), 0.5) == {"p": None, "worse_fraction": 0.0}
    assert noninferiority_test(np.array([1.0]), 0.5)["p"] is None
    assert noninferiority_test(np.array([]), 0.5) == {"p": None, "worse_fraction": None}


def test_criteria_match_by_key_or_token():
    names = ("truncation", "motion", "pulsation")
    assert is_noninferiority_criterion("motion_artifact", names)
    assert is_noninferiority_criterion("Pulsation_Artifact", names)
    assert not is_noninferiority_criterion("noise", names)
    assert not is_noninferiority_criterion("promotional", names)
    assert is_noninferiority_criterion("noise", ["noise"])


def test_it_tests_every_sequence_for_the_artifact_criteria(small_study):
    rows = noninferiority(small_study, margin=0.5)
    assert [(r["sequence"], r["criterion"]) for r in rows[:3]] == [
        ("T2W", "truncation_artifact"), ("T2W", "motion_artifact"), ("T2W", "pulsation_artifact")
    ]  # fmt: skip
    assert len(rows) == 9
    assert all(r["margin"] == 0.5 and 0 <= r["worse_fraction"] <= 1 for r in rows)
    assert all(r["alpha"] == 0.025 for r in rows)
    for r in rows:
        assert r["noninferior"] == (r["ci95"][0] > -0.5)
        assert r["noninferior_adjusted"] == (r["p_noninferiority_adjusted"] < 0.025)
    assert len(noninferiority(small_study, criteria=["motion"])) == 3


def _two_family_study() -> pd.DataFrame:
    """T2W motion_artifact = CUBE_D, pulsation_artifact = CUBE_A (3 readers each)."""
    frames = []
    for criterion, cube in (("motion_artifact", CUBE_D), ("pulsation_artifact", CUBE_A)):
        frame = frame_from_cube(cube).assign(criterion=criterion)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    return frame.assign(study="s", site="NYU", sequence="T2W", score=frame["score"].astype(int))


# Rscript: MRMCaov 0.3.0, mrmc(mean_score(truth, score), arm, reader, case) on each cube;
# p = pt((Estimate + 0.25) / StdErr, df, lower.tail = FALSE); p.adjust(p, "holm").
R_MARGIN_025 = {
    "motion_artifact": (0.583333333333333, -0.00965242042465808, 1.17631908709133,
                        8.12075301034543, 0.00588858551418505, 0.0117771710283701),
    "pulsation_artifact": (0.666666666666667, 0.0415057187290889, 1.29182761460424, 2.0,
                           0.0121075625386797, 0.0121075625386797),
}  # fmt: skip


def test_the_mrmc_ci_against_the_margin_matches_mrmcaov_with_holm():
    rows = noninferiority(_two_family_study(), margin=0.25, criteria=["motion", "pulsation"])
    assert [r["criterion"] for r in rows] == list(R_MARGIN_025)
    for row in rows:
        estimate, lower, upper, df, p, p_holm = R_MARGIN_025[row["criterion"]]
        assert row["estimate"] == pytest.approx(estimate, abs=1e-12)
        assert row["ci95"] == pytest.approx([lower, upper], abs=1e-12)
        assert row["df"] == pytest.approx(df, rel=1e-12)
        assert row["p_noninferiority"] == pytest.approx(p, rel=1e-10)
        assert row["p_noninferiority_adjusted"] == pytest.approx(p_holm, rel=1e-10)
        assert row["noninferior"] is True and row["noninferior_adjusted"] is True
        # The per-case secondary test stays beside it.
        assert 0 <= row["p"] <= 1 and 0 <= row["worse_fraction"] <= 1


def test_a_lower_bound_below_minus_the_margin_is_not_non_inferior():
    # CUBE_D's lower bound is -0.00965: above -0.25, below -0.005.
    rows = noninferiority(_two_family_study(), margin=0.005, criteria=["motion"])
    assert rows[0]["noninferior"] is False and rows[0]["noninferior_adjusted"] is False
    assert rows[0]["p_noninferiority"] > 0.025


def test_a_single_reader_gives_no_random_readers_conclusion():
    frame = _two_family_study()
    frame = frame[frame["reader"] == "r1"]
    row = noninferiority(frame, margin=0.25, criteria=["motion"])[0]
    assert row["estimate"] is not None
    assert row["ci95"] == [None, None] and row["noninferior"] is None
    assert row["p_noninferiority"] is None and row["p_noninferiority_adjusted"] is None
