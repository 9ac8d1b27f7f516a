"""Chance-corrected agreement on an ordinal scale: weighted kappa, Fleiss' kappa, Gwet's AC2.

All functions take category *indices* 0..q-1 into the study's full scale (or per-unit counts over
those q categories), so unobserved categories still count, as the domain reference requires.
"""

from __future__ import annotations

import numpy as np

# Our weight names and statsmodels' (its "linear" is Cicchetti-Allison, "quadratic" Fleiss-Cohen).
_STATSMODELS_WEIGHTS = {"linear": "linear", "quadratic": "quadratic", "identity": None}

__all__ = [
    "agreement_weights",
    "category_counts",
    "fleiss_kappa",
    "gwet_ac2",
    "percent_agreement",
    "weighted_kappa",
]


def agreement_weights(q: int, kind: str) -> np.ndarray:
    """Agreement weight matrix over ``q`` ordered categories.

    Parameters
    ----------
    q : int
        Number of categories of the scale.
    kind : {"linear", "quadratic", "identity"}
        ``1 - |i-j|/(q-1)`` (Cicchetti-Allison, vcd's "Equal-Spacing"), ``1 - (i-j)^2/(q-1)^2``
        (Fleiss-Cohen) or the identity (unweighted).

    Returns
    -------
    ndarray, shape (q, q)

    References
    ----------
    .. [1] Cohen J (1968). Weighted kappa. Psychological Bulletin 70(4):213-220.
    .. [2] Fleiss JL, Cohen J (1973). The equivalence of weighted kappa and the intraclass
       correlation coefficient as measures of reliability. Educ Psychol Meas 33:613-619.
    """
    i = np.arange(q)
    dist = np.abs(i[:, None] - i[None, :]).astype(np.float64)
    if kind == "identity" or q < 2:
        return (dist == 0).astype(np.float64)
    if kind == "linear":
        return 1.0 - dist / (q - 1)
    if kind == "quadratic":
        return 1.0 - (dist / (q - 1)) ** 2
    raise ValueError(f'Unknown weighting "{kind}"; use linear, quadratic or identity.')


def category_counts(codes: np.ndarray, q: int) -> np.ndarray:
    """Per-unit category counts from a units x raters matrix of category indices.

    Parameters
    ----------
    codes : ndarray, shape (n_units, n_raters)
        Category index 0..q-1 of each rating; a negative value or NaN marks a missing rating.
    q : int
        Number of categories of the scale.

    Returns
    -------
    ndarray, shape (n_units, q)
        How many raters put each unit in each category.
    """
    codes = np.asarray(codes, dtype=np.float64)
    n_units = codes.shape[0]
    valid = ~np.isnan(codes) & (codes >= 0)
    rows = np.broadcast_to(np.arange(n_units)[:, None], codes.shape)[valid]
    counts = np.zeros((n_units, q), dtype=np.float64)
    np.add.at(counts, (rows, codes[valid].astype(np.int64)), 1.0)
    return counts


def weighted_kappa(a: np.ndarray, b: np.ndarray, q: int, kind: str = "linear") -> float | None:
    """Weighted Cohen's kappa of two raters over all ``q`` categories of the scale.

    ``kappa_w = (p_o - p_e) / (1 - p_e)`` with ``p_o = sum w_ij p_ij`` and
    ``p_e = sum w_ij p_i. p_.j`` over the full q x q table, so categories nobody used still
    shape the weights (the result equals ``vcd::Kappa`` on a table with every level, and
    sklearn's ``cohen_kappa_score`` only when given ``labels=`` the whole scale).

    Parameters
    ----------
    a, b : ndarray
        Category indices 0..q-1 of the two raters on the same units; pairs with a missing
        (negative or NaN) value are dropped.
    q : int
        Number of categories of the scale.
    kind : {"linear", "quadratic", "identity"}
        Weighting; see :func:`agreement_weights`.

    Returns
    -------
    float or None
        None when undefined (no pair, or chance agreement of 1).

    References
    ----------
    .. [1] Cohen J (1968). Weighted kappa. Psychological Bulletin 70(4):213-220.
    .. [2] Friendly M, Meyer D, Zeileis A. vcd: Visualizing Categorical Data, ``Kappa``.
    .. [3] statsmodels, ``statsmodels.stats.inter_rater.cohens_kappa`` (which computes it).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    keep = ~np.isnan(a) & ~np.isnan(b) & (a >= 0) & (b >= 0)
    if not keep.any() or q < 2:
        return None
    from statsmodels.stats.inter_rater import cohens_kappa

    table = np.zeros((q, q))
    np.add.at(table, (a[keep].astype(np.int64), b[keep].astype(np.int64)), 1.0)
    # Chance agreement of 1 (both raters used one and the same category) leaves kappa undefined.
    margins = table / table.sum()
    pe = float(margins.sum(axis=1) @ agreement_weights(q, kind) @ margins.sum(axis=0))
    if np.isclose(pe, 1.0):
        return None
    return float(cohens_kappa(table, wt=_STATSMODELS_WEIGHTS[kind], return_results=False))


def fleiss_kappa(counts: np.ndarray) -> float | None:
    """Fleiss' kappa for many raters on a nominal scale.

    Units must have the same number of raters m >= 2 (pass complete cases).
    ``P_i = (sum_j n_ij^2 - m) / (m (m - 1))``, ``p_j = sum_i n_ij / (N m)``,
    ``kappa = (mean P_i - sum p_j^2) / (1 - sum p_j^2)``.

    Parameters
    ----------
    counts : ndarray, shape (n_units, q)
        Raters per unit and category (see :func:`category_counts`).

    Returns
    -------
    float or None
        None with no unit, unequal or fewer than two raters, or every rating in one category.

    References
    ----------
    .. [1] Fleiss JL (1971). Measuring nominal scale agreement among many raters.
       Psychological Bulletin 76(5):378-382.
    .. [2] statsmodels, ``statsmodels.stats.inter_rater.fleiss_kappa`` (which computes it).
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.shape[0] == 0:
        return None
    m = counts.sum(axis=1)
    if m[0] < 2 or not np.all(m == m[0]):
        return None
    p_j = counts.sum(axis=0) / counts.sum()
    if np.isclose(float(np.sum(p_j**2)), 1.0):
        return None
    from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss_kappa

    return float(statsmodels_fleiss_kappa(counts, method="fleiss"))


def gwet_ac2(counts: np.ndarray, kind: str = "linear") -> float | None:
    """Gwet's AC2 agreement coefficient for many raters, missing ratings allowed.

    With ``r_ik`` raters putting unit i in category k, ``r_i`` its raters, weights ``w``:
    ``p_a`` averages ``sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` over units with r_i >= 2,
    where ``r*_ik = sum_l w_kl r_il``; ``p_e = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)`` with
    ``pi_k`` the mean over units of ``r_ik / r_i`` and ``T_w`` the sum of all weights.
    AC2 stays stable when ratings bunch at one end of the scale (the "kappa paradox").

    Parameters
    ----------
    counts : ndarray, shape (n_units, q)
        Raters per unit and category over the full scale.
    kind : {"linear", "quadratic", "identity"}
        Weighting; identity gives AC1.

    Returns
    -------
    float or None
        None without a unit rated twice, or a one-category scale.

    References
    ----------
    .. [1] Gwet KL (2008). Computing inter-rater reliability and its variance in the presence
       of high agreement. Br J Math Stat Psychol 61(1):29-48.
    .. [2] Gwet KL (2014). Handbook of Inter-Rater Reliability, 4th ed., chapter 3 (AC2 with
       weights); R package irrCAC, ``gwet.ac1.raw``.
    """
    counts = np.asarray(counts, dtype=np.float64)
    q = counts.shape[1]
    r_i = counts.sum(axis=1)
    rated = r_i >= 1
    pairable = r_i >= 2
    if q < 2 or not pairable.any():
        return None
    w = agreement_weights(q, kind)
    c2 = counts[pairable]
    r2 = r_i[pairable]
    weighted = c2 @ w.T
    pa = float(np.mean(np.sum(c2 * (weighted - 1.0), axis=1) / (r2 * (r2 - 1.0))))
    pi = np.mean(counts[rated] / r_i[rated, None], axis=0)
    pe = float(w.sum() / (q * (q - 1)) * np.sum(pi * (1.0 - pi)))
    if np.isclose(pe, 1.0):
        return None
    return (pa - pe) / (1.0 - pe)


def percent_agreement(counts: np.ndarray) -> float | None:
    """Percentage of units on which every rater gave the same score.

    Parameters
    ----------
    counts : ndarray, shape (n_units, q)
        Raters per unit and category; units with fewer than two ratings are skipped.

    Returns
    -------
    float or None
        Percentage 0-100; None without a unit rated twice.

    References
    ----------
    .. [1] Gamer M, Lemon J, Fellows I, Singh P. irr: Various Coefficients of Interrater
       Reliability and Agreement, ``agree`` (tolerance 0).
    """
    counts = np.asarray(counts, dtype=np.float64)
    r_i = counts.sum(axis=1)
    keep = r_i >= 2
    if not keep.any():
        return None
    return float(100.0 * np.mean(counts[keep].max(axis=1) == r_i[keep]))
