"""Dorfman-Berbaum-Metz (DBM) mixed-model ANOVA on jackknife pseudovalues: a cross-check.

An independent route to the MRMC comparison of :mod:`readerstudy.analysis.stats.mrmc`.
Pseudovalues come from an explicit leave-one-case-out jackknife of any figure of merit; for the
mean score they equal the scores themselves, so DBM is then the arm x reader x case ANOVA of the
raw scores. With Hillis' (2007, 2008) denominator and df, DBM equals OR with jackknife
covariances term by term (Hillis et al. 2005): ``MS_DBM(TxR) = c MS_OR(TxR)`` and
``MS(TxC) - MS(TxRxC) = c r (Cov2 - Cov3)``. The tests assert it; the report does not use it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

__all__ = ["dbm_analysis", "mean_squares", "pseudovalues"]


def pseudovalues(scores: np.ndarray, fom: Callable[..., np.ndarray] = np.mean) -> np.ndarray:
    """Jackknife pseudovalues ``c theta - (c - 1) theta_(k)`` of a figure of merit.

    Parameters
    ----------
    scores : ndarray, shape (n_arms, n_readers, n_cases)
    fom : callable
        Figure of merit, called as ``fom(values, axis=-1)`` on the case axis.

    Returns
    -------
    ndarray
        Pseudovalues, the shape of ``scores``.

    References
    ----------
    .. [1] Dorfman DD, Berbaum KS, Metz CE (1992). Receiver operating characteristic rating
       analysis. Generalization to the population of readers and patients with the jackknife
       method. Invest Radiol 27:723-731.
    """
    scores = np.asarray(scores, dtype=np.float64)
    n_cases = scores.shape[-1]
    theta = fom(scores, axis=-1)
    out = np.empty_like(scores)
    for k in range(n_cases):
        left_out = fom(np.delete(scores, k, axis=-1), axis=-1)
        out[..., k] = n_cases * theta - (n_cases - 1) * left_out
    return out


def mean_squares(values: np.ndarray) -> dict[str, float]:
    """Mean squares of the arm x reader x case ANOVA with one observation per cell.

    Parameters
    ----------
    values : ndarray, shape (n_arms, n_readers, n_cases)

    Returns
    -------
    dict
        ``T, R, C, TR, TC, RC, TRC``; the reader terms are NaN with one reader.
    """
    t, r, c = values.shape
    grand = values.mean()
    m_t = values.mean(axis=(1, 2))
    m_r = values.mean(axis=(0, 2))
    m_c = values.mean(axis=(0, 1))
    m_tr = values.mean(axis=2)
    m_tc = values.mean(axis=1)
    m_rc = values.mean(axis=0)
    e_t = m_t - grand
    e_r = m_r - grand
    e_c = m_c - grand
    e_tr = m_tr - m_t[:, None] - m_r[None, :] + grand
    e_tc = m_tc - m_t[:, None] - m_c[None, :] + grand
    e_rc = m_rc - m_r[:, None] - m_c[None, :] + grand
    e_trc = (
        values
        - m_tr[:, :, None]
        - m_tc[:, None, :]
        - m_rc[None, :, :]
        + m_t[:, None, None]
        + m_r[None, :, None]
        + m_c[None, None, :]
        - grand
    )
    return {
        "T": r * c * np.sum(e_t**2) / (t - 1),
        "R": t * c * np.sum(e_r**2) / (r - 1) if r > 1 else float("nan"),
        "C": t * r * np.sum(e_c**2) / (c - 1),
        "TR": c * np.sum(e_tr**2) / ((t - 1) * (r - 1)) if r > 1 else float("nan"),
        "TC": r * np.sum(e_tc**2) / ((t - 1) * (c - 1)),
        "RC": t * np.sum(e_rc**2) / ((r - 1) * (c - 1)) if r > 1 else float("nan"),
        "TRC": np.sum(e_trc**2) / ((t - 1) * (r - 1) * (c - 1)) if r > 1 else float("nan"),
    }


def _t_result(estimate: float, se: float, df: float) -> dict:
    crit = float(stats.t.ppf(0.975, df))
    p = float(2.0 * stats.t.sf(abs(estimate) / se, df)) if se > 0 else None
    return {"se": se, "df": df, "ci95": [estimate - crit * se, estimate + crit * se], "p": p}


def dbm_analysis(
    scores: np.ndarray, fom: Callable[..., np.ndarray] = np.mean, readers: list | None = None
) -> dict:
    """DBM analysis with Hillis (2008) denominator and df of a fully crossed two-arm cube.

    Parameters
    ----------
    scores : ndarray, shape (2, n_readers, n_cases)
        The estimate is arm 1 minus arm 0.
    fom : callable
        Figure of merit for the pseudovalues (default: the mean score).
    readers : list, optional
        Reader labels for ``per_reader``.

    Returns
    -------
    dict
        ``estimate``, ``random_readers`` (``se, df, ci95, p``; t with Hillis ddf),
        ``fixed_readers`` (t with ``c - 1`` df), ``per_reader`` (each reader's own arm x case
        ANOVA, t with ``c - 1`` df), ``mean_squares`` (pseudovalue ANOVA).

    Notes
    -----
    Random readers: ``den = MS(TxR) + max(MS(TxC) - MS(TxRxC), 0)``, ``SE = sqrt(2 den/(r c))``,
    ``ddf = den^2 / (MS(TxR)^2 / (r - 1))``. Fixed readers: ``SE = sqrt(2 MS(TxC)/(r c))``.

    References
    ----------
    .. [1] Dorfman DD, Berbaum KS, Metz CE (1992). Invest Radiol 27:723-731.
    .. [2] Hillis SL, Obuchowski NA, Schartz KM, Berbaum KS (2005). A comparison of the
       Dorfman-Berbaum-Metz and Obuchowski-Rockette methods for receiver operating
       characteristic (ROC) data. Stat Med 24:1579-1607.
    .. [3] Hillis SL, Berbaum KS, Metz CE (2008). Recent developments in the Dorfman-Berbaum-
       Metz procedure for multireader ROC study analysis. Acad Radiol 15:647-661.
    """
    pv = pseudovalues(scores, fom)
    _, n_readers, n_cases = pv.shape
    readers = list(range(n_readers)) if readers is None else list(readers)
    ms = {k: float(v) for k, v in mean_squares(pv).items()}
    diffs = pv[1].mean(axis=1) - pv[0].mean(axis=1)
    estimate = float(diffs.mean())

    random = {"se": None, "df": None, "ci95": [None, None], "p": None}
    if n_readers > 1:
        den = ms["TR"] + max(ms["TC"] - ms["TRC"], 0.0)
        se = float(np.sqrt(2.0 * den / (n_readers * n_cases)))
        ddf = den**2 / (ms["TR"] ** 2 / (n_readers - 1)) if ms["TR"] > 0 else float("inf")
        random = _t_result(estimate, se, ddf)
    fixed = _t_result(estimate, float(np.sqrt(2.0 * ms["TC"] / (n_readers * n_cases))), n_cases - 1)

    per_reader = []
    for j, name in enumerate(readers):
        ms_j = mean_squares(pv[:, j : j + 1, :])
        se_j = float(np.sqrt(2.0 * ms_j["TC"] / n_cases))
        per_reader.append(
            {
                "reader": name,
                "estimate": float(diffs[j]),
                **_t_result(float(diffs[j]), se_j, n_cases - 1),
            }
        )
    return {
        "estimate": estimate,
        "random_readers": random,
        "fixed_readers": fixed,
        "per_reader": per_reader,
        "mean_squares": ms,
    }
