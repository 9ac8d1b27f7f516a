"""The simulated-ratings generator behind the demo study and the benchmark."""

import pytest

from readerstudy.analysis.stats.io import validate_ratings
from readerstudy.demo.simulate import DEFAULT_CRITERIA, simulate_ratings, simulate_roi_stats


@pytest.fixture(scope="module")
def seed_sized():
    return simulate_ratings(
        n_cases=294, readers=["R1", "R2", "R3"], sites=["NYU", "Severance", "SNUH"], seed=5
    )


def test_it_makes_the_seed_study_size_in_the_tidy_format(seed_sized):
    assert len(seed_sized) == 294 * 3 * 3 * 2 * 7 == 37044
    clean, scale = validate_ratings(seed_sized, scale=(1, 5))
    assert scale == (1, 5) and len(clean) == 37044
    assert set(seed_sized["criterion"]) == set(DEFAULT_CRITERIA)
    assert seed_sized.groupby("site")["case"].nunique().to_dict() == {
        "NYU": 98, "SNUH": 98, "Severance": 98
    }  # fmt: skip


def test_the_enhanced_arm_scores_higher_except_on_motion_and_pulsation(seed_sized):
    means = seed_sized.groupby(["criterion", "arm"])["score"].mean().unstack()
    gain = means["enhanced"] - means["conventional"]
    for criterion in ("overall_quality", "noise", "gray_white_differentiation",
                      "truncation_artifact", "lesion_conspicuity"):  # fmt: skip
        assert gain[criterion] > 0.3
    assert abs(gain["motion_artifact"]) < 0.1
    assert abs(gain["pulsation_artifact"]) < 0.1


def test_one_reader_is_lenient_and_one_strict(seed_sized):
    means = seed_sized.groupby("reader")["score"].mean()
    assert means["R1"] > means["R3"] > means["R2"]


def test_it_is_reproducible_and_respects_the_scale():
    args = {"n_cases": 5, "readers": ["a", "b"], "sites": ["X"], "seed": 3}
    assert simulate_ratings(**args).equals(simulate_ratings(**args))
    wide = simulate_ratings(**args, scale=(0, 10))
    assert wide["score"].between(0, 10).all() and wide["score"].nunique() > 5


def test_roi_stats_share_case_ids_and_lower_the_noise():
    roi = simulate_roi_stats(n_cases=4, seed=1)
    assert len(roi) == 4 * 3 * 5 * 2
    assert roi["case"].iloc[0] == "case-001"
    sd = roi.groupby("arm")["sd"].mean()
    assert sd["enhanced"] < sd["conventional"]
