"""Non-inferiority of the enhanced arm on artifact criteria ("not further exaggerated").

The conventional way: the reader-averaged mean difference with its two-sided 95% CI from the
MRMC model (readers and cases random), non-inferior when the lower bound lies above -margin
(one-sided alpha = 0.025), with Holm's adjustment across the non-inferiority family. The
per-case one-sided t-test and the share of cases made worse are kept as secondary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from readerstudy.analysis.stats.mrmc import mrmc_families
from readerstudy.analysis.stats.multiplicity import adjust_pvalues
from readerstudy.analysis.stats.paired import case_means, family_keys, paired_differences

__all__ = [
    "DEFAULT_NONINFERIORITY_CRITERIA",
    "NONINFERIORITY_ALPHA",
    "is_noninferiority_criterion",
    "mrmc_noninferiority",
    "noninferiority",
    "noninferiority_test",
]

#: Criterion keys, or tokens of keys (``motion`` matches ``motion_artifact``), tested by default.
DEFAULT_NONINFERIORITY_CRITERIA = ("truncation", "motion", "pulsation")
#: One-sided level: the lower bound of the two-sided 95% CI against -margin.
NONINFERIORITY_ALPHA = 0.025


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


def mrmc_noninferiority(row: dict, margin: float) -> dict:
    """Non-inferiority from one ``mrmc`` row: the random-readers CI against ``-margin``.

    H0: delta <= -margin against H1: delta > -margin, delta = mean(enhanced) - mean(conventional)
    averaged over readers. ``t = (estimate + margin) / SE`` with Hillis' df (the normal when the
    df is infinite); the one-sided P is below 0.025 exactly when the lower bound of the
    two-sided 95% CI lies above -margin.

    Parameters
    ----------
    row : dict
        An ``mrmc`` row (see :func:`readerstudy.analysis.stats.mrmc.mrmc_or`).
    margin : float
        Margin in score points (> 0).

    Returns
    -------
    dict
        ``estimate, se, df, ci95, p_noninferiority, noninferior``: ``noninferior`` is whether
        the lower bound exceeds -margin (None without an interval); ``p_noninferiority`` is None
        without a standard error, or when it is zero.

    References
    ----------
    .. [1] Hillis SL, Berbaum KS, Metz CE (2008). Recent developments in the Dorfman-Berbaum-
       Metz procedure for multireader ROC study analysis. Acad Radiol 15:647-661.
    .. [2] Walker E, Nowacki AS (2011). Understanding equivalence and noninferiority testing.
       J Gen Intern Med 26(2):192-196.
    """
    block = row["random_readers"]
    estimate, se, df, ci95 = row["estimate"], block["se"], block["df"], block["ci95"]
    p = None
    if estimate is not None and se is not None and se > 0:
        t = (estimate + margin) / se
        p = float(special.ndtr(-t) if df is None else special.stdtr(df, -t))
    lower = ci95[0] if ci95 else None
    return {
        "estimate": estimate,
        "se": se,
        "df": df,
        "ci95": list(ci95) if ci95 else [None, None],
        "p_noninferiority": p,
        "noninferior": None if lower is None else bool(lower > -margin),
    }


def noninferiority(
    ratings: pd.DataFrame,
    *,
    margin: float = 0.5,
    criteria: tuple[str, ...] | list[str] = DEFAULT_NONINFERIORITY_CRITERIA,
    pairs: pd.DataFrame | None = None,
    mrmc: list[dict] | None = None,
) -> list[dict]:
    """Non-inferiority per sequence x artifact criterion.

    Primary: the MRMC random-readers estimate and two-sided 95% CI against ``-margin``
    (:func:`mrmc_noninferiority`), with the one-sided P values Holm-adjusted across the rows
    returned (the non-inferiority family). Secondary: the one-sided paired t-test on the
    per-case mean over readers (:func:`noninferiority_test`) and the share of cases made worse.

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
    mrmc : list of dict, optional
        Precomputed ``mrmc`` rows (:func:`readerstudy.analysis.stats.mrmc.mrmc_families`).

    Returns
    -------
    list of dict
        Rows in the ``noninferiority`` layout of ``results.json``.

    References
    ----------
    .. [1] Schuirmann DJ (1987). J Pharmacokinet Biopharm 15(6):657-680.
    .. [2] Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J
       Stat 6(2):65-70.
    """
    if pairs is None:
        pairs = paired_differences(ratings)
    if mrmc is None:
        mrmc = mrmc_families(ratings)[0]
    by_family = {(r["sequence"], r["criterion"]): r for r in mrmc}
    means = {key: unit for key, unit in case_means(pairs).groupby(["sequence", "criterion"])}
    rows = []
    for sequence, criterion in family_keys(ratings):
        if not is_noninferiority_criterion(criterion, criteria):
            continue
        unit = means.get((sequence, criterion))
        d = unit["d"].to_numpy() if unit is not None else np.array([])
        row = {"sequence": sequence, "criterion": criterion, "margin": float(margin)}
        row |= {"alpha": NONINFERIORITY_ALPHA}
        row |= mrmc_noninferiority(by_family[(sequence, criterion)], margin)
        row |= {"p_noninferiority_adjusted": None, "noninferior_adjusted": None}
        rows.append(row | noninferiority_test(d, margin))
    adjusted = adjust_pvalues([row["p_noninferiority"] for row in rows], "holm")
    for row, p in zip(rows, adjusted, strict=True):
        row["p_noninferiority_adjusted"] = p
        row["noninferior_adjusted"] = None if p is None else bool(p < NONINFERIORITY_ALPHA)
    return rows
