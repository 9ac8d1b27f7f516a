"""Hypothesis property tests: perfect agreement gives 1, swapping arms flips the signs and keeps
P, relabelling readers changes nothing."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from readerstudy.analysis.stats.agreement import agreement_row, inter_reader_agreement
from readerstudy.analysis.stats.icc import ICC_FORMS
from readerstudy.analysis.stats.noninferiority import noninferiority
from readerstudy.analysis.stats.paired import paired_comparison

SETTINGS = settings(max_examples=40, deadline=None)


def _close(a, b) -> bool:
    """Nested equality with a relative tolerance on floats."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12, nan_ok=True)
    return a == b


def _frame(scores: np.ndarray, readers: list[str]) -> pd.DataFrame:
    """Tidy frame from scores[reader, case, arm] for one sequence and criterion."""
    r, c, a = np.indices(scores.shape)
    return pd.DataFrame(
        {
            "study": "s", "site": "NYU", "reader": np.array(readers)[r.ravel()],
            "case": [f"c{i}" for i in c.ravel()], "sequence": "T2W",
            "arm": np.array(["conventional", "enhanced"])[a.ravel()],
            "criterion": "motion_artifact", "score": scores.ravel(),
        }
    )  # fmt: skip


studies = st.integers(2, 4).flatmap(
    lambda k: st.integers(2, 12).flatmap(
        lambda n: arrays(np.int64, (k, n, 2), elements=st.integers(1, 5))
    )
)


@SETTINGS
@given(
    column=arrays(np.int64, st.integers(3, 20), elements=st.integers(1, 5)).filter(
        lambda x: np.unique(x).size >= 2
    ),
    readers=st.integers(2, 4),
)
def test_perfect_agreement_gives_one(column, readers):
    matrix = np.repeat(column[:, None].astype(float), readers, axis=1)
    row = agreement_row(matrix, [f"r{i}" for i in range(readers)], (1, 5))
    for pair in row["weighted_kappa"]:
        assert pair["linear"] == pytest.approx(1.0)
        assert pair["quadratic"] == pytest.approx(1.0)
    assert row["fleiss_kappa"] == pytest.approx(1.0)
    assert row["krippendorff_alpha"]["ordinal"] == pytest.approx(1.0)
    assert row["krippendorff_alpha"]["interval"] == pytest.approx(1.0)
    assert row["gwet_ac2_linear"] == pytest.approx(1.0)
    assert row["kendall_w"] == pytest.approx(1.0)
    assert row["percent_agreement"] == 100.0
    for form in ICC_FORMS:
        assert row["icc"][form]["value"] == pytest.approx(1.0)


@SETTINGS
@given(scores=studies)
def test_swapping_arms_flips_signs_and_keeps_p(scores):
    readers = [f"r{i}" for i in range(scores.shape[0])]
    straight = paired_comparison(_frame(scores, readers))
    swapped = paired_comparison(_frame(scores[:, :, ::-1], readers))
    for a, b in zip(straight, swapped, strict=True):
        assert a["reader"] == b["reader"]
        assert (a["improved"], a["unchanged"], a["worse"]) == (
            b["worse"],
            b["unchanged"],
            b["improved"],
        )
        assert a["conventional"] == b["enhanced"]
        if a["mean_difference"]["estimate"] is not None:
            assert a["mean_difference"]["estimate"] == pytest.approx(
                -b["mean_difference"]["estimate"]
            )
        lo, hi = a["mean_difference"]["ci95"]
        if lo is not None:
            assert [lo, hi] == pytest.approx([-b["mean_difference"]["ci95"][1],
                                              -b["mean_difference"]["ci95"][0]])  # fmt: skip
        if a["rank_biserial"] is None:
            assert b["rank_biserial"] is None
        else:
            assert a["rank_biserial"] == pytest.approx(-b["rank_biserial"])
        if a["wilcoxon"]["p"] is None:
            assert b["wilcoxon"]["p"] is None
        else:
            assert a["wilcoxon"]["p"] == pytest.approx(b["wilcoxon"]["p"], rel=1e-9)
            assert a["p_adjusted"] == pytest.approx(b["p_adjusted"], rel=1e-9)


@SETTINGS
@given(scores=studies, data=st.data())
def test_relabelling_readers_changes_nothing(scores, data):
    readers = [f"r{i}" for i in range(scores.shape[0])]
    names = data.draw(st.permutations([f"reader-{i}" for i in range(len(readers))]))
    mapping = dict(zip(readers, names, strict=True))
    frame = _frame(scores, readers)
    renamed = frame.assign(reader=frame["reader"].map(mapping))
    renamed = renamed.sample(frac=1.0, random_state=0)  # and another row order

    before = {r["reader"]: r for r in paired_comparison(frame)}
    after = {r["reader"]: r for r in paired_comparison(renamed)}
    for reader, row in before.items():
        other = after[mapping.get(reader, reader)]
        assert _close({**row, "reader": None}, {**other, "reader": None})

    a = inter_reader_agreement(frame, scale=(1, 5))
    b = inter_reader_agreement(renamed, scale=(1, 5))
    for x, y in zip(a, b, strict=True):
        for key in ("fleiss_kappa", "kendall_w", "gwet_ac2_linear", "percent_agreement"):
            assert _close(x[key], y[key])
        assert _close(x["krippendorff_alpha"], y["krippendorff_alpha"])
        assert _close(x["icc"], y["icc"])
        kx = {frozenset(mapping[r] for r in p["readers"]): [p["linear"], p["quadratic"]]
              for p in x["weighted_kappa"]}  # fmt: skip
        ky = {frozenset(p["readers"]): [p["linear"], p["quadratic"]] for p in y["weighted_kappa"]}
        assert _close(kx, ky)
    assert _close(noninferiority(frame), noninferiority(renamed))
