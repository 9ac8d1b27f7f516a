"""Descriptive statistics and the t-based confidence interval shared by the analysis tables."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["describe", "mean_difference", "paired_t_p"]


def _value(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def describe(values: np.ndarray) -> dict:
    """Mean, SD (n - 1 denominator), median and quartiles (R's default type 7).

    Parameters
    ----------
    values : ndarray
        Observations; NaNs are dropped.

    Returns
    -------
    dict
        ``{"mean", "sd", "median", "q1", "q3"}``; None where undefined (no value, or SD of one).
    """
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return {"mean": None, "sd": None, "median": None, "q1": None, "q3": None}
    q1, median, q3 = np.percentile(x, [25, 50, 75])
    return {
        "mean": float(x.mean()),
        "sd": float(x.std(ddof=1)) if x.size > 1 else None,
        "median": float(median),
        "q1": float(q1),
        "q3": float(q3),
    }


def mean_difference(d: np.ndarray, *, level: float = 0.95) -> dict:
    """Mean of paired differences with a t confidence interval.

    Parameters
    ----------
    d : ndarray
        Paired differences; NaNs are dropped.
    level : float
        Confidence level.

    Returns
    -------
    dict
        ``{"estimate", "ci95": [lo, hi]}``; the interval is ``[None, None]`` with fewer than
        two differences.

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. Biometrika 6(1):1-25.
    """
    d = np.asarray(d, dtype=np.float64)
    d = d[~np.isnan(d)]
    if d.size == 0:
        return {"estimate": None, "ci95": [None, None]}
    estimate = float(d.mean())
    if d.size < 2:
        return {"estimate": estimate, "ci95": [None, None]}
    half = stats.t.ppf(0.5 + level / 2, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    return {"estimate": estimate, "ci95": [_value(estimate - half), _value(estimate + half)]}


def paired_t_p(d: np.ndarray) -> float | None:
    """Two-sided P of the paired t-test on differences ``d`` (R's ``t.test(paired = TRUE)``).

    Returns None with fewer than two differences or zero variance (R stops with "data are
    essentially constant").

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. Biometrika 6(1):1-25.
    """
    d = np.asarray(d, dtype=np.float64)
    d = d[~np.isnan(d)]
    if d.size < 2:
        return None
    stderr = d.std(ddof=1) / np.sqrt(d.size)
    if not stderr > 10 * np.finfo(float).eps * abs(d.mean()) or stderr == 0:
        return None
    t = d.mean() / stderr
    return float(2 * stats.t.sf(abs(t), d.size - 1))
