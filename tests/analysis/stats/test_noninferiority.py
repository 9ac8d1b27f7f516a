"""Non-inferiority (one-sided paired t-test against -margin) against R's t.test."""

import numpy as np
import pytest

from readerstudy.analysis.stats.noninferiority import (
    is_noninferiority_criterion,
    noninferiority,
    noninferiority_test,
)

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
    assert len(noninferiority(small_study, criteria=["motion"])) == 3
