"""Wilcoxon signed-rank test against R's wilcox.test (R 4.2.2, stats), and the rank-biserial r."""

import numpy as np
import pytest
from scipy import stats

from readerstudy.analysis.stats.wilcoxon import rank_biserial, signed_rank_cdf, wilcoxon_signed_rank


def test_it_matches_the_r_help_example_with_the_exact_p():
    # R ?wilcox.test (Hollander & Wolfe 1973, p. 29): depression scale before/after.
    # wilcox.test(x, y, paired = TRUE) -> V = 40, p-value = 0.03906
    x = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
    y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
    result = wilcoxon_signed_rank(x - y)
    assert result.V == 40
    assert result.exact
    assert result.p == pytest.approx(0.0390625, abs=1e-12)


def test_it_matches_r_on_likert_scores_with_ties_and_zeros():
    # Rscript: a <- c(3,4,4,5,2,3,4,3,5,4,2,3); b <- c(4,4,5,5,3,4,3,4,5,5,4,3)
    # wilcox.test(b, a, paired = TRUE) -> V = 32, p-value = 0.0418305945652447
    # (normal approximation with tie and continuity correction, 4 zeros dropped)
    a = np.array([3, 4, 4, 5, 2, 3, 4, 3, 5, 4, 2, 3])
    b = np.array([4, 4, 5, 5, 3, 4, 3, 4, 5, 5, 4, 3])
    result = wilcoxon_signed_rank(b - a)
    assert result.V == 32
    assert not result.exact
    assert result.n_nonzero == 8
    assert result.p == pytest.approx(0.0418305945652447, rel=1e-12)


def test_it_matches_r_on_a_second_likert_example_with_a_half_rank():
    # Rscript: a <- c(3,3,4,2,5,4,3,4,2,3); b <- c(4,3,5,4,5,4,4,5,3,2)
    # wilcox.test(b, a, paired = TRUE) -> V = 24.5, p-value = 0.0707598148030574
    a = np.array([3, 3, 4, 2, 5, 4, 3, 4, 2, 3])
    b = np.array([4, 3, 5, 4, 5, 4, 4, 5, 3, 2])
    result = wilcoxon_signed_rank(b - a)
    assert result.V == 24.5
    assert result.p == pytest.approx(0.0707598148030574, rel=1e-12)


def test_it_uses_the_exact_distribution_in_both_tails():
    # Rscript: wilcox.test(1:11) -> V = 66, p = 0.0009765625;
    # wilcox.test(c(-2,-1,3,4,5,6,7,8,9,-10)) -> V = 42, p = 0.16015625
    assert wilcoxon_signed_rank(np.arange(1, 12)).p == pytest.approx(0.0009765625, abs=1e-15)
    result = wilcoxon_signed_rank(np.array([-2, -1, 3, 4, 5, 6, 7, 8, 9, -10]))
    assert result.V == 42
    assert result.p == pytest.approx(0.16015625, abs=1e-15)
    assert wilcoxon_signed_rank(-np.arange(1, 12)).p == pytest.approx(0.0009765625, abs=1e-15)


def test_it_switches_to_the_normal_approximation_at_fifty_differences():
    # Rscript: set.seed(1); x <- round(rnorm(60, 0.3), 4); wilcox.test(x)
    # -> V = 1387, p-value = 0.000518532080378645
    x = np.array(
        [-0.3265, 0.4836, -0.5356, 1.8953, 0.6295, -0.5205, 0.7874, 1.0383, 0.8758, -0.0054,
         1.8118, 0.6898, -0.3212, -1.9147, 1.4249, 0.2551, 0.2838, 1.2438, 1.1212, 0.8939,
         1.219, 1.0821, 0.3746, -1.6894, 0.9198, 0.2439, 0.1442, -1.1708, -0.1782, 0.7179,
         1.6587, 0.1972, 0.6877, 0.2462, -1.0771, -0.115, -0.0943, 0.2407, 1.4, 1.0632,
         0.1355, 0.0466, 0.997, 0.8567, -0.3888, -0.4075, 0.6646, 1.0685, 0.1877, 1.1811,
         0.6981, -0.312, 0.6411, -0.8294, 1.733, 2.2804, -0.0672, -0.7441, 0.8697, 0.1649]
    )  # fmt: skip
    result = wilcoxon_signed_rank(x)
    assert not result.exact
    assert result.V == 1387
    assert result.p == pytest.approx(0.000518532080378645, rel=1e-10)


def test_it_agrees_with_scipy_configured_like_r():
    # scipy.stats.wilcoxon(zero_method="wilcox", correction=True, method="approx") is R's
    # normal approximation; its statistic is min(W+, W-), not V.
    rng = np.random.default_rng(7)
    d = rng.integers(-2, 3, 80)
    ours = wilcoxon_signed_rank(d)
    theirs = stats.wilcoxon(d, zero_method="wilcox", correction=True, method="approx")
    assert ours.p == pytest.approx(theirs.pvalue, rel=1e-10)


def test_it_returns_nulls_without_pairs_and_a_null_p_when_every_difference_is_zero():
    # R: wilcox.test(numeric(0)) errors; wilcox.test(c(0,0,0)) -> V = 0, p-value = NA
    empty = wilcoxon_signed_rank(np.array([]))
    assert (empty.V, empty.p, empty.n) == (None, None, 0)
    zeros = wilcoxon_signed_rank(np.zeros(3))
    assert (zeros.V, zeros.p, zeros.n) == (0.0, None, 3)


def test_the_signed_rank_distribution_sums_to_one_and_is_symmetric():
    # psignrank(27, 10) = 0.5 by symmetry of the null distribution of V (max 55).
    assert signed_rank_cdf(55, 10) == 1.0
    assert signed_rank_cdf(-1, 10) == 0.0
    assert signed_rank_cdf(27, 10) == pytest.approx(0.5)


def test_rank_biserial_is_kerbys_simple_difference():
    # Kerby (2014): r = (W+ - W-) / (W+ + W-); d = 1, 2, -3, 4 -> ranks 1,2,3,4 -> (7-3)/10
    assert rank_biserial(np.array([1, 2, -3, 4])) == pytest.approx(0.4)
    assert rank_biserial(np.array([0, 1, 2])) == 1.0
    assert rank_biserial(np.array([0, 0])) is None
