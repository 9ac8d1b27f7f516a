"""Weighted Cohen's kappa (R vcd::Kappa), Fleiss' kappa (Fleiss 1971), Gwet's AC2 and percent
agreement (hand derivations from Gwet 2014's formulas)."""

import numpy as np
import pytest

from readerstudy.analysis.stats.kappa import (
    agreement_weights,
    category_counts,
    fleiss_kappa,
    gwet_ac2,
    percent_agreement,
    weighted_kappa,
)

# vcd's SexualFun data (Agresti 1990, Table 10.5): husband (rows) x wife (columns) ratings.
SEXUAL_FUN = np.array([[7, 7, 2, 3], [2, 8, 3, 7], [1, 5, 4, 9], [2, 8, 9, 14]])


def _expand(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(table)
    counts = table[rows, cols]
    return np.repeat(rows, counts), np.repeat(cols, counts)


def test_weighted_kappa_matches_vcd_on_sexualfun():
    # Rscript: library(vcd); data(SexualFun); Kappa(SexualFun)
    #   Unweighted 0.1293302540415704, Weighted (Equal-Spacing) 0.2373806275579809
    # Kappa(SexualFun, weights = "Fleiss-Cohen")$Weighted -> 0.3320455862468612
    husband, wife = _expand(SEXUAL_FUN)
    assert weighted_kappa(husband, wife, 4, "identity") == pytest.approx(0.1293302540415704)
    assert weighted_kappa(husband, wife, 4, "linear") == pytest.approx(0.2373806275579809)
    assert weighted_kappa(husband, wife, 4, "quadratic") == pytest.approx(0.3320455862468612)


def test_weighted_kappa_counts_scale_categories_nobody_used():
    # Put the four SexualFun categories on scale points 1, 2, 4, 5 of a 5-point scale (nobody
    # used 3). Over the full scale, 2 and 4 are two steps apart; a kappa over the observed
    # categories only (sklearn without labels=) would call them adjacent and give vcd's
    # 4-category value. Hand check with the 5 x 5 table and w = 1 - |i-j|/4.
    husband, wife = _expand(SEXUAL_FUN)
    points = np.array([0, 1, 3, 4])
    on_five = weighted_kappa(points[husband], points[wife], 5, "linear")
    assert on_five != pytest.approx(0.2373806275579809)
    table = np.zeros((5, 5))
    table[np.ix_(points, points)] = SEXUAL_FUN / SEXUAL_FUN.sum()
    w = 1 - np.abs(np.subtract.outer(np.arange(5), np.arange(5))) / 4
    po = (w * table).sum()
    pe = table.sum(1) @ w @ table.sum(0)
    assert on_five == pytest.approx((po - pe) / (1 - pe))
    # Rscript: t5 <- matrix(0, 5, 5); t5[c(1,2,4,5), c(1,2,4,5)] <- SexualFun
    # Kappa(as.table(t5))$Weighted -> 0.2570651036215199; Fleiss-Cohen -> 0.3370204526201137
    assert on_five == pytest.approx(0.2570651036215199, abs=1e-12)
    quadratic = weighted_kappa(points[husband], points[wife], 5, "quadratic")
    assert quadratic == pytest.approx(0.3370204526201137, abs=1e-12)


def test_weighted_kappa_skips_missing_pairs_and_is_none_without_any():
    a = np.array([0, 1, 2, np.nan, 3])
    b = np.array([0, 1, 2, 3, np.nan])
    assert weighted_kappa(a, b, 4, "linear") == pytest.approx(1.0)
    assert weighted_kappa(np.array([np.nan]), np.array([1.0]), 4) is None
    assert weighted_kappa(np.array([2, 2]), np.array([2, 2]), 4) is None  # chance agreement 1


def test_agreement_weights_follow_cicchetti_allison_and_fleiss_cohen():
    assert agreement_weights(5, "linear")[0] == pytest.approx([1, 0.75, 0.5, 0.25, 0])
    assert agreement_weights(5, "quadratic")[0] == pytest.approx([1, 0.9375, 0.75, 0.4375, 0])
    with pytest.raises(ValueError, match="Unknown weighting"):
        agreement_weights(5, "cubic")


# Fleiss (1971) / Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories.
FLEISS_1971 = np.array(
    [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
     [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
)  # fmt: skip


def test_fleiss_kappa_matches_the_worked_example():
    # P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210 (0.20993 unrounded).
    assert fleiss_kappa(FLEISS_1971) == pytest.approx(0.20993, abs=5e-6)
    assert round(fleiss_kappa(FLEISS_1971), 3) == 0.210


def test_fleiss_kappa_needs_equal_raters_per_unit():
    assert fleiss_kappa(np.array([[2, 0], [1, 0]])) is None
    assert fleiss_kappa(np.zeros((0, 3))) is None
    assert fleiss_kappa(np.array([[3, 0], [3, 0]])) is None  # every rating in one category


def test_gwet_ac2_matches_a_hand_derivation():
    # Units rated by 2 raters on 3 categories: (0,0), (0,1), (2,2). Gwet (2014) ch. 3, linear
    # weights w = 1 - |k-l|/2: p_a = (1 + 0.5 + 1)/3 = 5/6; pi = (1/2, 1/6, 1/3);
    # p_e = T_w/(q(q-1)) sum pi(1-pi) = 5/6 * 11/18 = 55/108; AC2 = (5/6 - 55/108)/(53/108)
    # = 35/53. Identity weights (AC1): p_a = 2/3, p_e = 11/36, AC1 = 13/25.
    counts = category_counts(np.array([[0, 0], [0, 1], [2, 2]]), 3)
    assert gwet_ac2(counts, "linear") == pytest.approx(35 / 53)
    assert gwet_ac2(counts, "identity") == pytest.approx(13 / 25)


def test_gwet_ac2_uses_units_with_a_missing_rating_for_the_chance_term_only():
    # A unit with one rating adds to pi but not to p_a (irrCAC::gwet.ac1.raw convention).
    codes = np.array([[0, 0], [0, 1], [2, 2], [1, np.nan]])
    counts = category_counts(codes, 3)
    pi = np.array([1 + 0.5, 0.5 + 1, 1]) / 4
    pe = 5 / 6 * np.sum(pi * (1 - pi))
    assert gwet_ac2(counts, "linear") == pytest.approx((5 / 6 - pe) / (1 - pe))


def test_percent_agreement_counts_units_where_every_reader_agreed():
    counts = category_counts(np.array([[0, 0, 0], [0, 1, 0], [2, 2, 2], [1, 1, 1]]), 3)
    assert percent_agreement(counts) == pytest.approx(75.0)
    assert percent_agreement(np.zeros((2, 3))) is None
