"""Paired comparison of the conventional and enhanced arms, per reader and pooled over readers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from readerstudy.analysis.stats.descriptive import describe, mean_difference
from readerstudy.analysis.stats.multiplicity import adjust_pvalues
from readerstudy.analysis.stats.wilcoxon import rank_biserial, wilcoxon_signed_rank
from readerstudy.studies.vocabulary import ARMS

__all__ = [
    "POOLED_READER",
    "case_means",
    "family_keys",
    "ordered",
    "paired_comparison",
    "paired_differences",
]

#: Reader id of the rows pooled over readers.
POOLED_READER = "all"


def ordered(values: pd.Series) -> list:
    """Distinct values in order of first appearance (the study's own order of export)."""
    return list(pd.unique(values))


def family_keys(ratings: pd.DataFrame) -> list[tuple[str, str]]:
    """The (sequence, criterion) pairs present, sequences then criteria in order of appearance.

    This is the family over which P values are adjusted.
    """
    present = set(map(tuple, ratings[["sequence", "criterion"]].drop_duplicates().to_numpy()))
    return [
        (s, c)
        for s in ordered(ratings["sequence"])
        for c in ordered(ratings["criterion"])
        if (s, c) in present
    ]


def paired_differences(ratings: pd.DataFrame) -> pd.DataFrame:
    """One row per sequence x criterion x reader x case with both arms' scores.

    Returns
    -------
    DataFrame
        Columns ``sequence, criterion, reader, case, conventional, enhanced, d`` where
        ``d = enhanced - conventional``; incomplete pairs are left out.
    """
    keys = ["sequence", "criterion", "reader", "case"]
    wide = ratings.set_index([*keys, "arm"])["score"].unstack("arm")
    for arm in ARMS:
        if arm not in wide.columns:
            wide[arm] = np.nan
    wide = wide[["conventional", "enhanced"]].dropna().astype(np.float64).reset_index()
    wide["d"] = wide["enhanced"] - wide["conventional"]
    return wide


def case_means(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per-case means over readers of both arms and of the paired difference.

    The pooled analysis uses one value per case because repeated ratings of one case by
    several readers are not independent. ``d`` is the sum of the readers' integer differences
    divided by their number, so equal rational means give bit-identical floats and tie as R
    would see them.

    Returns
    -------
    DataFrame
        Columns ``sequence, criterion, case, conventional, enhanced, d, n_readers``.
    """
    grouped = pairs.groupby(["sequence", "criterion", "case"], sort=False)
    sums = grouped[["conventional", "enhanced", "d"]].sum()
    counts = grouped.size()
    means = sums.div(counts, axis=0)
    means["n_readers"] = counts
    return means.reset_index()


def _row(sequence: str, criterion: str, reader: str, unit: pd.DataFrame) -> dict:
    d = unit["d"].to_numpy()
    test = wilcoxon_signed_rank(d)
    return {
        "sequence": sequence,
        "criterion": criterion,
        "reader": reader,
        "n": int(d.size),
        "conventional": describe(unit["conventional"].to_numpy()),
        "enhanced": describe(unit["enhanced"].to_numpy()),
        "wilcoxon": {"V": test.V, "p": test.p},
        "p_adjusted": None,
        "rank_biserial": rank_biserial(d),
        "mean_difference": mean_difference(d),
        "improved": int(np.sum(d > 0)),
        "unchanged": int(np.sum(d == 0)),
        "worse": int(np.sum(d < 0)),
    }


def paired_comparison(
    ratings: pd.DataFrame, *, adjust: str = "holm", pairs: pd.DataFrame | None = None
) -> list[dict]:
    """Conventional vs enhanced per sequence x criterion, per reader and pooled ("all").

    For each reader the unit is the case; the pooled row uses the per-case mean over readers
    (never all readers' scores stacked into one test). Each row has descriptive statistics per
    arm, the two-sided Wilcoxon signed-rank test on ``d = enhanced - conventional`` as R's
    ``wilcox.test(enhanced, conventional, paired = TRUE)``, the matched-pairs rank-biserial
    correlation, the mean difference with its 95% t interval and the counts of cases improved,
    unchanged and worse. P values are adjusted across the sequence x criterion family separately
    for each reader and for the pooled rows.

    Parameters
    ----------
    ratings : DataFrame
        Validated tidy ratings (see :func:`readerstudy.analysis.stats.io.validate_ratings`).
    adjust : {"holm", "bh"}
        Multiplicity adjustment.
    pairs : DataFrame, optional
        Precomputed :func:`paired_differences` of ``ratings``.

    Returns
    -------
    list of dict
        Rows in the ``paired`` layout of ``results.json``.

    References
    ----------
    .. [1] Wilcoxon F (1945). Individual comparisons by ranking methods. Biometrics Bulletin
       1(6):80-83.
    .. [2] Kerby DS (2014). The simple difference formula: an approach to teaching
       nonparametric correlation. Comprehensive Psychology 3:11.IT.3.1.
    .. [3] Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J
       Stat 6(2):65-70.
    """
    if pairs is None:
        pairs = paired_differences(ratings)
    readers = [*ordered(ratings["reader"]), POOLED_READER]
    by_reader = {key: unit for key, unit in pairs.groupby(["sequence", "criterion", "reader"])}
    by_case = {key: unit for key, unit in case_means(pairs).groupby(["sequence", "criterion"])}
    empty = pairs.iloc[0:0]
    rows = []
    for sequence, criterion in family_keys(ratings):
        for reader in readers:
            if reader == POOLED_READER:
                unit = by_case.get((sequence, criterion), empty)
            else:
                unit = by_reader.get((sequence, criterion, reader), empty)
            rows.append(_row(sequence, criterion, reader, unit))
    for reader in readers:
        family = [row for row in rows if row["reader"] == reader]
        adjusted = adjust_pvalues([row["wilcoxon"]["p"] for row in family], adjust)
        for row, p in zip(family, adjusted, strict=True):
            row["p_adjusted"] = p
    return rows
