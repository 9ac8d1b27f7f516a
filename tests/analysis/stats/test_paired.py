"""Paired comparison per reader and pooled on per-case means (hand-computed examples)."""

import numpy as np
import pytest

from readerstudy.analysis.stats.multiplicity import adjust_pvalues
from readerstudy.analysis.stats.paired import case_means, paired_comparison, paired_differences
from readerstudy.analysis.stats.wilcoxon import wilcoxon_signed_rank
from tests.analysis.stats.frames import tidy


def _two_readers():
    # Reader r1: d = +1, +1, 0, -1; reader r2: d = +2, 0, +1, (case c4 missing its enhanced)
    return tidy(
        [("r1", "c1", "conventional", 3), ("r1", "c1", "enhanced", 4),
         ("r1", "c2", "conventional", 2), ("r1", "c2", "enhanced", 3),
         ("r1", "c3", "conventional", 4), ("r1", "c3", "enhanced", 4),
         ("r1", "c4", "conventional", 5), ("r1", "c4", "enhanced", 4),
         ("r2", "c1", "conventional", 2), ("r2", "c1", "enhanced", 4),
         ("r2", "c2", "conventional", 3), ("r2", "c2", "enhanced", 3),
         ("r2", "c3", "conventional", 3), ("r2", "c3", "enhanced", 4),
         ("r2", "c4", "conventional", 4)]
    )  # fmt: skip


def test_it_pairs_scores_and_leaves_out_incomplete_pairs():
    pairs = paired_differences(_two_readers())
    assert len(pairs) == 7
    r1 = pairs[pairs["reader"] == "r1"].set_index("case")["d"]
    assert r1.to_dict() == {"c1": 1.0, "c2": 1.0, "c3": 0.0, "c4": -1.0}


def test_the_pooled_row_uses_one_mean_per_case():
    means = case_means(paired_differences(_two_readers())).set_index("case")
    # c1: (1 + 2) / 2; c2: (1 + 0) / 2; c3: (0 + 1) / 2; c4: only r1's -1.
    assert means["d"].to_dict() == {"c1": 1.5, "c2": 0.5, "c3": 0.5, "c4": -1.0}
    assert means.loc["c1", "conventional"] == 2.5
    rows = {row["reader"]: row for row in paired_comparison(_two_readers())}
    pooled = rows["all"]
    assert pooled["n"] == 4
    assert (pooled["improved"], pooled["unchanged"], pooled["worse"]) == (3, 0, 1)
    expected = wilcoxon_signed_rank(np.array([1.5, 0.5, 0.5, -1.0]))
    assert pooled["wilcoxon"] == {"V": expected.V, "p": expected.p}
    assert pooled["mean_difference"]["estimate"] == pytest.approx(0.375)


def test_a_reader_row_has_descriptives_effect_sizes_and_counts():
    row = next(r for r in paired_comparison(_two_readers()) if r["reader"] == "r1")
    assert row["n"] == 4
    assert row["conventional"] == {"mean": 3.5, "sd": pytest.approx(np.std([3, 2, 4, 5], ddof=1)),
                                   "median": 3.5, "q1": 2.75, "q3": 4.25}  # fmt: skip
    # Non-zero d = 1, 1, -1: ranks 2, 2, 2 -> V = 4, r = (4 - 2) / 6
    assert row["wilcoxon"]["V"] == 4
    assert row["rank_biserial"] == pytest.approx(1 / 3)
    assert (row["improved"], row["unchanged"], row["worse"]) == (2, 1, 1)
    # mean(d) = 0.25, sd = 0.957427, t(0.975, 3) = 3.182446
    lo, hi = row["mean_difference"]["ci95"]
    assert lo == pytest.approx(0.25 - 3.182446305 * 0.9574271 / 2, abs=1e-6)
    assert hi == pytest.approx(0.25 + 3.182446305 * 0.9574271 / 2, abs=1e-6)


def test_p_values_are_adjusted_per_reader_across_sequences_and_criteria(small_study):
    rows = paired_comparison(small_study, adjust="holm")
    assert len(rows) == 3 * 7 * 4
    for reader in ("R1", "R2", "R3", "all"):
        family = [r for r in rows if r["reader"] == reader]
        assert len(family) == 21
        expected = adjust_pvalues([r["wilcoxon"]["p"] for r in family], "holm")
        assert [r["p_adjusted"] for r in family] == expected
    bh = paired_comparison(small_study, adjust="bh")
    assert any(a["p_adjusted"] != b["p_adjusted"] for a, b in zip(rows, bh, strict=True))


def test_a_criterion_without_pairs_gives_nulls():
    frame = tidy([("r1", "c1", "conventional", 3), ("r1", "c2", "conventional", 4)])
    row = paired_comparison(frame)[0]
    assert row["n"] == 0
    assert row["wilcoxon"] == {"V": None, "p": None}
    assert row["conventional"]["mean"] is None
    assert row["mean_difference"] == {"estimate": None, "ci95": [None, None]}
    assert row["p_adjusted"] is None
