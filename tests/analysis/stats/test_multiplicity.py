"""P-value adjustment against R's p.adjust (R 4.2.2)."""

import pytest

from readerstudy.analysis.stats.multiplicity import adjust_pvalues

# Rscript: p <- c(0.01, 0.04, 0.03, NA, 0.005, 0.2)
P = [0.01, 0.04, 0.03, None, 0.005, 0.2]


def test_holm_matches_p_adjust():
    # p.adjust(p, "holm") -> 0.040 0.090 0.090 NA 0.025 0.200
    assert adjust_pvalues(P, "holm") == pytest.approx([0.04, 0.09, 0.09, None, 0.025, 0.2])


def test_bh_matches_p_adjust():
    # p.adjust(p, "BH") -> 0.025 0.050 0.050 NA 0.025 0.200
    assert adjust_pvalues(P, "bh") == pytest.approx([0.025, 0.05, 0.05, None, 0.025, 0.2])


def test_it_refuses_an_unknown_method_and_handles_an_empty_family():
    with pytest.raises(ValueError, match="Unknown adjustment"):
        adjust_pvalues([0.1], "bonferroni")
    assert adjust_pvalues([], "holm") == []
    assert adjust_pvalues([None], "bh") == [None]


def test_holm_matches_p_adjust_with_ties_and_ones():
    # Rscript: p.adjust(c(0.02, 0.02, 0.5, 0.001, 0.6, 0.02), "holm")
    # -> 0.100 0.100 1.000 0.006 1.000 0.100
    p = [0.02, 0.02, 0.5, 0.001, 0.6, 0.02]
    assert adjust_pvalues(p, "holm") == pytest.approx([0.1, 0.1, 1.0, 0.006, 1.0, 0.1])
