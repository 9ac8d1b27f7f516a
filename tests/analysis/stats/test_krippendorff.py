"""Krippendorff's alpha (Krippendorff 2011 worked example; cross-checked with the `krippendorff`
package) and Kendall's W (R friedman.test help example, Hollander & Wolfe 1973)."""

import krippendorff
import numpy as np
import pytest

from readerstudy.analysis.stats.kappa import category_counts
from readerstudy.analysis.stats.krippendorff_alpha import (
    coincidence_matrix,
    kendall_w,
    krippendorff_alpha,
)

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers x 12
# units, values 1-5, with missing data.
RELIABILITY_DATA = np.array(
    [[1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
     [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN]]
)  # fmt: skip
VALUES = np.arange(1, 6)


def _counts():
    return category_counts(RELIABILITY_DATA.T - 1, 5)


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_it_reproduces_krippendorffs_worked_example(level, published):
    alpha = krippendorff_alpha(_counts(), VALUES, level)
    assert round(alpha, 3) == published
    reference = krippendorff.alpha(reliability_data=RELIABILITY_DATA, level_of_measurement=level)
    assert alpha == pytest.approx(reference, abs=1e-12)


def test_the_coincidence_matrix_matches_the_paper():
    # Krippendorff (2011) p. 4: n = 40 pairable values; n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5,
    # n_5 = 3 (unit 12, rated once, drops out).
    o = coincidence_matrix(_counts())
    assert o.sum() == pytest.approx(40)
    assert o.sum(axis=1) == pytest.approx([9, 13, 10, 5, 3])
    assert o[0, 0] == pytest.approx(7)
    assert o[0, 1] == pytest.approx(4 / 3)


def test_ordinal_alpha_ignores_scale_points_nobody_used():
    counts = np.hstack([_counts(), np.zeros((12, 2))])
    values = np.arange(1, 8)
    assert krippendorff_alpha(counts, values, "ordinal") == pytest.approx(
        krippendorff_alpha(_counts(), VALUES, "ordinal")
    )


def test_alpha_is_none_without_disagreement_to_expect():
    counts = category_counts(np.array([[1, 1], [1, 1]]), 3)
    assert krippendorff_alpha(counts, np.arange(3), "interval") is None
    with pytest.raises(ValueError, match="Unknown level"):
        krippendorff_alpha(_counts(), VALUES, "ratio")


# R ?friedman.test: RoundingTimes (Hollander & Wolfe 1973, p. 140), 22 players x 3 methods.
ROUNDING_TIMES = np.array(
    [[5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40],
     [5.90, 5.85, 5.70], [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35],
     [5.25, 5.15, 5.00], [5.85, 5.80, 5.70], [5.25, 5.20, 5.10], [5.65, 5.55, 5.45],
     [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40], [5.45, 5.55, 5.50],
     [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
     [5.70, 5.65, 5.55], [6.30, 6.30, 6.25]]
)  # fmt: skip


def test_kendall_w_matches_friedman_test_with_ties():
    # friedman.test(RoundingTimes): chi-squared = 11.1428571428571 on 2 df, with ties.
    # Kendall's W over the 22 players as raters of the 3 methods = chi2 / (m (n - 1))
    # = 11.1428571428571 / 44 = 0.253246753246753.
    assert kendall_w(ROUNDING_TIMES.T) == pytest.approx(0.253246753246753, abs=1e-12)


def test_kendall_w_on_likert_scores_matches_friedman_test():
    # Rscript: L <- matrix(c(4,3,5, 3,3,4, 5,4,5, 2,2,3, 4,4,4, 3,2,3, 5,5,4, 1,2,2), ncol = 3,
    # byrow = TRUE); friedman.test(t(L))$statistic / (3 * 7) = 0.874824191279888
    likert = np.array([[4, 3, 5], [3, 3, 4], [5, 4, 5], [2, 2, 3], [4, 4, 4], [3, 2, 3],
                       [5, 5, 4], [1, 2, 2]])  # fmt: skip
    assert kendall_w(likert) == pytest.approx(0.874824191279888, abs=1e-12)


def test_kendall_w_is_one_for_identical_rankings_and_none_when_undefined():
    scores = np.repeat(np.arange(1, 6)[:, None], 3, axis=1)
    assert kendall_w(scores) == pytest.approx(1.0)
    assert kendall_w(np.full((4, 3), 3.0)) is None
    assert kendall_w(scores[:1]) is None
