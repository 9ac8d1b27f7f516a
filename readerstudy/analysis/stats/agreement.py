"""Inter-reader agreement per sequence x criterion x arm, with whichever readers are present."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from readerstudy.analysis.stats.icc import ICC_FORMS, icc
from readerstudy.analysis.stats.kappa import (
    category_counts,
    fleiss_kappa,
    gwet_ac2,
    percent_agreement,
    weighted_kappa,
)
from readerstudy.analysis.stats.krippendorff_alpha import kendall_w, krippendorff_alpha
from readerstudy.analysis.stats.paired import family_keys, ordered
from readerstudy.studies.vocabulary import ARMS

__all__ = ["agreement_row", "inter_reader_agreement"]

EMPTY_ICC_FORM = {
    "value": None,
    "F": None,
    "df1": None,
    "df2": None,
    "p": None,
    "ci95": [None, None],
}


def agreement_row(matrix: np.ndarray, readers: list[str], scale: tuple[int, int]) -> dict:
    """Every agreement statistic for one cases x readers score matrix.

    ICC, Fleiss' kappa, Kendall's W and percent agreement use the complete cases (every reader
    scored the case); weighted kappa uses the cases both readers of the pair scored; Krippendorff's
    alpha and Gwet's AC2 use every case scored at least twice.

    Parameters
    ----------
    matrix : ndarray, shape (n_cases, n_readers)
        Scores, NaN where missing.
    readers : list of str
        Reader id of each column.
    scale : (int, int)
        Lowest and highest score; kappa and AC2 weights span every category of it.

    Returns
    -------
    dict
        The agreement fields of ``results.json`` (without sequence, criterion and arm).
    """
    low, high = scale
    q = high - low + 1
    complete = ~np.isnan(matrix).any(axis=1)
    codes = matrix - low
    counts = category_counts(codes, q)
    iccs = icc(matrix)
    pairs = []
    for i, j in combinations(range(len(readers)), 2):
        pairs.append(
            {
                "readers": [readers[i], readers[j]],
                "linear": weighted_kappa(codes[:, i], codes[:, j], q, "linear"),
                "quadratic": weighted_kappa(codes[:, i], codes[:, j], q, "quadratic"),
            }
        )
    values = np.arange(low, high + 1, dtype=np.float64)
    return {
        "n_cases": int(complete.sum()),
        "n_readers": len(readers),
        "icc": {form: (iccs[form] if iccs else dict(EMPTY_ICC_FORM)) for form in ICC_FORMS},
        "weighted_kappa": pairs,
        "fleiss_kappa": fleiss_kappa(counts[complete]) if len(readers) >= 2 else None,
        "kendall_w": kendall_w(matrix),
        "krippendorff_alpha": {
            "ordinal": krippendorff_alpha(counts, values, "ordinal"),
            "interval": krippendorff_alpha(counts, values, "interval"),
        },
        "gwet_ac2_linear": gwet_ac2(counts, "linear"),
        "percent_agreement": percent_agreement(counts[complete]),
    }


def inter_reader_agreement(ratings: pd.DataFrame, *, scale: tuple[int, int]) -> list[dict]:
    """Agreement between readers for each sequence x criterion x arm.

    Parameters
    ----------
    ratings : DataFrame
        Validated tidy ratings.
    scale : (int, int)
        Lowest and highest score of the scale.

    Returns
    -------
    list of dict
        Rows in the ``agreement`` layout of ``results.json``.

    References
    ----------
    .. [1] Shrout PE, Fleiss JL (1979). Intraclass correlations: uses in assessing rater
       reliability. Psychological Bulletin 86(2):420-428.
    .. [2] Cohen J (1968). Weighted kappa. Psychological Bulletin 70(4):213-220.
    .. [3] Fleiss JL (1971). Measuring nominal scale agreement among many raters.
       Psychological Bulletin 76(5):378-382.
    .. [4] Kendall MG, Babington Smith B (1939). The problem of m rankings. Ann Math Stat
       10(3):275-287.
    .. [5] Krippendorff K (2011). Computing Krippendorff's alpha-reliability. Annenberg
       School for Communication, departmental paper 43.
    .. [6] Gwet KL (2014). Handbook of Inter-Rater Reliability, 4th ed. Advanced Analytics.
    """
    readers = ordered(ratings["reader"])
    wide = (
        ratings.set_index(["sequence", "criterion", "arm", "case", "reader"])["score"]
        .astype(np.float64)
        .unstack("reader")
        .reindex(columns=readers)
    )
    groups = {key: unit for key, unit in wide.groupby(level=["sequence", "criterion", "arm"])}
    rows = []
    for sequence, criterion in family_keys(ratings):
        for arm in ARMS:
            unit = groups.get((sequence, criterion, arm))
            if unit is None:
                continue
            unit = unit.dropna(axis=1, how="all")
            row = {"sequence": sequence, "criterion": criterion, "arm": arm}
            row.update(agreement_row(unit.to_numpy(), list(unit.columns), scale))
            rows.append(row)
    return rows
