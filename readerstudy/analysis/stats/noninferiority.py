"""Non-inferiority of the enhanced arm on artifact criteria ("not further exaggerated")."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from readerstudy.analysis.stats.paired import case_means, family_keys, paired_differences

__all__ = [
    "DEFAULT_NONINFERIORITY_CRITERIA",
    "is_noninferiority_criterion",
    "noninferiority",
    "noninferiority_test",
]

#: Criterion keys, or tokens of keys (``motion`` matches ``motion_artifact``), tested by default.
DEFAULT_NONINFERIORITY_CRITERIA = ("truncation", "motion", "pulsation")


def is_noninferiority_criterion(criterion: str, names: tuple[str, ...] | list[str]) -> bool:
    """Whether a criterion key is one of ``names`` or has one as an ``_``-separated token."""
    tokens = set(criterion.lower().split("_"))
    return any(name.lower() == criterion.lower() or name.lower() in tokens for name in names)


def noninferiority_test(d: np.ndarray, margin: float) -> dict:
    """One-sided paired t-test that the mean difference exceeds ``-margin``.

    H0: mean(d) <= -margin against H1: mean(d) > -margin, with ``d = enhanced - conventional``
    (higher scores are better, so for artifact criteria a negative d means more artifact).
    ``t = (mean(d) + margin) / (SD(d) / sqrt(n))`` on n - 1 df; P is the upper tail. This is the
    lower one-sided test of a TOST equivalence procedure; rejecting it at level alpha is the same
    as the lower bound of the 100(1 - 2 alpha)% CI of mean(d) lying above -margin.

    Parameters
    ----------
    d : ndarray
        Paired differences (per case), NaNs dropped.
    margin : float
        Non-inferiority margin in score points (> 0).

    Returns
    -------
    dict
        ``{"p", "worse_fraction"}``: P (None with fewer than two cases or zero variance, as R's
        ``t.test`` stops on constant data) and the share of cases with d < 0.

    References
    ----------
    .. [1] Schuirmann DJ (1987). A comparison of the two one-sided tests procedure and the
       power approach for assessing the equivalence of average bioavailability. J Pharmacokinet
       Biopharm 15(6):657-680.
    .. [2] Walker E, Nowacki AS (2011). Understanding equivalence and noninferiority testing.
       J Gen Intern Med 26(2):192-196.
    """
    d = np.asarray(d, dtype=np.float64)
    d = d[~np.isnan(d)]
    worse = float(np.mean(d < 0)) if d.size else None
    if d.size < 2:
        return {"p": None, "worse_fraction": worse}
    stderr = d.std(ddof=1) / np.sqrt(d.size)
    if stderr == 0:
        return {"p": None, "worse_fraction": worse}
    t = (d.mean() + margin) / stderr
    return {"p": float(stats.t.sf(t, d.size - 1)), "worse_fraction": worse}


def noninferiority(
    ratings: pd.DataFrame,
    *,
    margin: float = 0.5,
    criteria: tuple[str, ...] | list[str] = DEFAULT_NONINFERIORITY_CRITERIA,
    pairs: pd.DataFrame | None = None,
) -> list[dict]:
    """Non-inferiority test per sequence x artifact criterion on the per-case mean over readers.

    Parameters
    ----------
    ratings : DataFrame
        Validated tidy ratings.
    margin : float
        Margin in score points, set by the coordinator.
    criteria : sequence of str
        Criterion keys or key tokens to test (see :func:`is_noninferiority_criterion`).
    pairs : DataFrame, optional
        Precomputed ``paired_differences(ratings)``.

    Returns
    -------
    list of dict
        Rows in the ``noninferiority`` layout of ``results.json``.

    References
    ----------
    .. [1] Schuirmann DJ (1987). J Pharmacokinet Biopharm 15(6):657-680.
    """
    if pairs is None:
        pairs = paired_differences(ratings)
    means = {key: unit for key, unit in case_means(pairs).groupby(["sequence", "criterion"])}
    rows = []
    for sequence, criterion in family_keys(ratings):
        if not is_noninferiority_criterion(criterion, criteria):
            continue
        unit = means.get((sequence, criterion))
        d = unit["d"].to_numpy() if unit is not None else np.array([])
        rows.append(
            {"sequence": sequence, "criterion": criterion, "margin": float(margin)}
            | noninferiority_test(d, margin)
        )
    return rows
