"""Krippendorff's alpha through the coincidence matrix, and Kendall's W.

Kept apart from the third-party ``krippendorff`` package, which is only used in tests to
cross-check these numbers.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["coincidence_matrix", "kendall_w", "krippendorff_alpha"]


def coincidence_matrix(counts: np.ndarray) -> np.ndarray:
    """Krippendorff's coincidence matrix from per-unit value counts.

    ``o_ck = sum_u (n_uc n_uk - [c = k] n_uc) / (m_u - 1)`` over the units u with m_u >= 2
    values (units with a single value are not pairable and drop out).

    Parameters
    ----------
    counts : ndarray, shape (n_units, n_values)
        How many coders gave each unit each value.

    Returns
    -------
    ndarray, shape (n_values, n_values)

    References
    ----------
    .. [1] Krippendorff K (2011). Computing Krippendorff's alpha-reliability. Annenberg School
       for Communication, University of Pennsylvania, departmental paper 43.
    """
    counts = np.asarray(counts, dtype=np.float64)
    m = counts.sum(axis=1)
    keep = m >= 2
    c = counts[keep]
    scale = 1.0 / (m[keep] - 1.0)
    return (c * scale[:, None]).T @ c - np.diag((c * scale[:, None]).sum(axis=0))


def krippendorff_alpha(
    counts: np.ndarray, values: np.ndarray, level: str = "interval"
) -> float | None:
    """Krippendorff's alpha for ordinal or interval data, missing values allowed.

    ``alpha = 1 - (n - 1) sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck`` with ``n_c`` the marginals
    of the coincidence matrix ``o`` and ``n`` their total. Interval: ``d2_ck = (c - k)^2``.
    Ordinal: ``d2_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2``, which depends only on the
    values actually used, so unused scale points do not matter.

    Parameters
    ----------
    counts : ndarray, shape (n_units, n_values)
        Coders per unit and value, e.g. from
        :func:`readerstudy.analysis.stats.kappa.category_counts`.
    values : ndarray, shape (n_values,)
        The numeric value of each column, in increasing order.
    level : {"ordinal", "interval", "nominal"}
        Level of measurement.

    Returns
    -------
    float or None
        None when fewer than two pairable values exist or the expected disagreement is zero.

    References
    ----------
    .. [1] Krippendorff K (2011). Computing Krippendorff's alpha-reliability. Annenberg School
       for Communication, University of Pennsylvania, departmental paper 43.
    .. [2] Hayes AF, Krippendorff K (2007). Answering the call for a standard reliability
       measure for coding data. Communication Methods and Measures 1(1):77-89.
    """
    o = coincidence_matrix(counts)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return None
    values = np.asarray(values, dtype=np.float64)
    if level == "interval":
        d2 = (values[:, None] - values[None, :]) ** 2
    elif level == "nominal":
        d2 = 1.0 - np.eye(values.size)
    elif level == "ordinal":
        cum = np.cumsum(n_c)
        lo = np.minimum.outer(np.arange(values.size), np.arange(values.size))
        hi = np.maximum.outer(np.arange(values.size), np.arange(values.size))
        between = cum[hi] - cum[lo] + n_c[lo]
        d2 = (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    else:
        raise ValueError(f'Unknown level "{level}"; use ordinal, interval or nominal.')
    expected = float(n_c @ d2 @ n_c)
    if expected <= 0:
        return None
    return float(1.0 - (n - 1.0) * float(np.sum(o * d2)) / expected)


def kendall_w(ratings: np.ndarray) -> float | None:
    """Kendall's coefficient of concordance W with correction for ties.

    Each rater's scores are ranked over the n cases (average ranks for ties); with R_i the rank
    sum of case i over the m raters and ``S = sum_i (R_i - mean R)^2``,
    ``W = 12 S / (m^2 (n^3 - n) - m sum_j T_j)`` with ``T_j = sum (t^3 - t)`` over rater j's
    tie groups. Equals R's ``friedman.test`` statistic (raters as blocks) divided by m (n - 1),
    and ``irr::kendall(ratings, correct = TRUE)``.

    Parameters
    ----------
    ratings : ndarray, shape (n_cases, n_raters)
        Rows with a missing score are dropped.

    Returns
    -------
    float or None
        None with fewer than two complete cases or raters, or when every rater's scores are
        all tied.

    References
    ----------
    .. [1] Kendall MG, Babington Smith B (1939). The problem of m rankings. Annals of
       Mathematical Statistics 10(3):275-287.
    .. [2] Siegel S, Castellan NJ (1988). Nonparametric Statistics for the Behavioral
       Sciences, 2nd ed., section 9.4 (correction for ties).
    """
    x = np.asarray(ratings, dtype=np.float64)
    x = x[~np.isnan(x).any(axis=1)]
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        return None
    n, m = x.shape
    ranks = stats.rankdata(x, axis=0)
    rank_sums = ranks.sum(axis=1)
    s = float(np.sum((rank_sums - rank_sums.mean()) ** 2))
    ties = 0.0
    for j in range(m):
        _, t = np.unique(x[:, j], return_counts=True)
        ties += float(np.sum(t.astype(np.float64) ** 3 - t))
    denom = m**2 * (n**3 - n) - m * ties
    if denom <= 0:
        return None
    return 12.0 * s / denom
