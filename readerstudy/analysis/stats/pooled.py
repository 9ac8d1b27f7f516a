"""Secondary pooled model: cumulative-logit GEE with the case as cluster (readers fixed).

The primary pooled inference is the MRMC analysis (:mod:`readerstudy.analysis.stats.mrmc`),
with readers and cases random. This model clusters by case only, so it holds for these readers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from readerstudy.analysis.stats.paired import family_keys
from readerstudy.studies.vocabulary import ENHANCED

__all__ = [
    "FALLBACK_METHOD",
    "ORDINAL_METHOD",
    "ordinal_gee",
    "pooled_model",
    "pooled_model_row",
]

ORDINAL_METHOD = "OrdinalGEE"
ORDINAL_ESTIMAND = "log_cumulative_odds_ratio"
ORDINAL_CORRELATION = "independence"
FALLBACK_METHOD = "GEE"
FALLBACK_ESTIMAND = "mean_difference"
FALLBACK_CORRELATION = "exchangeable"
_Z975 = float(special.ndtri(0.975))
#: Beyond this |log odds ratio| the cumulative-logit fit has run off to infinity (separation).
_DIVERGED = 30.0


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _arm_probabilities(params: np.ndarray, k: int) -> np.ndarray:
    """P(y > u) per arm (rows: conventional, enhanced) and cut u."""
    return special.expit(params[:k][None, :] + params[k] * np.array([[0.0], [1.0]]))


def _information(n_arm: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """X'WX of the stacked logistic regression (intercept per cut, then the arm)."""
    w = n_arm[:, None] * p * (1 - p)
    info = np.zeros((k + 1, k + 1))
    info[np.arange(k), np.arange(k)] = w.sum(axis=0)
    info[:k, k] = info[k, :k] = w[1]
    info[k, k] = w[1].sum()
    return info


def ordinal_gee(score: np.ndarray, enhanced: np.ndarray, groups: np.ndarray) -> dict | None:
    """Cumulative-logit GEE of the score on the arm, independence working correlation.

    The model of statsmodels' ``OrdinalGEE`` with ``Independence()``: each score y becomes the
    indicators ``y > u`` for every observed score u but the highest, ``logit P(y > u) = a_u +
    b x`` with x = 1 for the enhanced arm, and the estimating equations are those of a logistic
    regression of the stacked indicators. With independence they are solved exactly by Newton's
    method (the arm is binary, so every sum collapses to a few counts); the covariance is the
    robust sandwich with the case as cluster, and the interval and P value are Wald (normal).

    Parameters
    ----------
    score : ndarray
        Integer scores.
    enhanced : ndarray
        1 for the enhanced arm, 0 for the conventional.
    groups : ndarray
        Integer cluster codes (the case) of each score.

    Returns
    -------
    dict or None
        ``{"estimate", "se", "ci95", "p"}`` for b (the log cumulative odds ratio of a higher
        score with the enhanced arm); None when the fit does not converge or diverges.

    References
    ----------
    .. [1] Liang KY, Zeger SL (1986). Longitudinal data analysis using generalized linear
       models. Biometrika 73(1):13-22.
    .. [2] Lipsitz SR, Kim K, Zhao L (1994). Analysis of repeated categorical data using
       generalized estimating equations. Statistics in Medicine 13(11):1149-1163.
    .. [3] Seabold S, Perktold J (2010). statsmodels: econometric and statistical modeling with
       Python (``OrdinalGEE``, against which the tests check these numbers).
    """
    cuts = np.unique(score)[:-1]
    k = cuts.size
    if k == 0:
        return None
    y = (score[:, None] > cuts[None, :]).astype(np.float64)  # n x k indicators
    x = enhanced.astype(np.float64)
    # Counts of indicators per arm: every sum of the score equations and the Hessian.
    n_arm = np.array([np.sum(x == 0), np.sum(x == 1)], dtype=np.float64)
    ones = np.array([y[x == 0].sum(axis=0), y[x == 1].sum(axis=0)])  # 2 x k
    mean = np.clip(ones.sum(axis=0) / n_arm.sum(), 1e-6, 1 - 1e-6)
    params = np.append(special.logit(mean), 0.0)
    converged = False
    for _ in range(100):
        p = _arm_probabilities(params, k)
        resid = ones - n_arm[:, None] * p
        grad = np.append(resid.sum(axis=0), resid[1].sum())
        try:
            step = np.linalg.solve(_information(n_arm, p, k), grad)
        except np.linalg.LinAlgError:
            return None
        params = params + step
        if not np.all(np.isfinite(params)) or abs(params[k]) > _DIVERGED:
            return None
        if np.max(np.abs(step)) < 1e-10:
            converged = True
            break
    if not converged:
        return None
    eta = params[:k][None, :] + params[k] * x[:, None]
    r = y - special.expit(eta)  # n x k residuals
    scores = np.column_stack([r, x * r.sum(axis=1)])  # each row's estimating-equation terms
    order = np.argsort(groups, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
    per_case = np.add.reduceat(scores[order], starts, axis=0)
    try:
        bread = np.linalg.inv(_information(n_arm, _arm_probabilities(params, k), k))
    except np.linalg.LinAlgError:
        return None
    cov = bread @ (per_case.T @ per_case) @ bread
    estimate, se = float(params[k]), float(np.sqrt(cov[k, k]))
    if not (np.isfinite(se) and se > 0):
        return None
    return {
        "estimate": estimate,
        "se": se,
        "ci95": [estimate - _Z975 * se, estimate + _Z975 * se],
        "p": float(2.0 * special.ndtr(-abs(estimate) / se)),
    }


def _gaussian_gee(score: np.ndarray, enhanced: np.ndarray, groups: np.ndarray) -> dict | None:
    """Gaussian GEE of the score on the arm, exchangeable working correlation (statsmodels)."""
    from statsmodels.genmod.cov_struct import Exchangeable
    from statsmodels.genmod.generalized_estimating_equations import GEE
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, ModelWarning

    exog = np.column_stack([np.ones_like(enhanced), enhanced])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", ModelWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            fit = GEE(score, exog, groups=groups, cov_struct=Exchangeable()).fit()
        except (ConvergenceWarning, ValueError, np.linalg.LinAlgError, ZeroDivisionError):
            return None
        # Inside the filter too: a singular robust covariance warns when it is read.
        estimate, se = float(fit.params[-1]), float(fit.bse[-1])
        if not (np.isfinite(se) and se > 0 and np.isfinite(estimate)):
            return None
        lo, hi = np.asarray(fit.conf_int(alpha=0.05))[-1]
        p = _finite(float(np.asarray(fit.pvalues)[-1]))
    return {"estimate": estimate, "se": se, "ci95": [float(lo), float(hi)], "p": p}


def _why_not_ordinal(score: np.ndarray, enhanced: np.ndarray) -> str | None:
    """Why the cumulative odds ratio is not estimable, or None when it may be.

    When the arms' scores do not overlap the odds ratio is infinite; statsmodels does not
    always warn about it and reports a huge estimate with a tiny standard error.
    """
    conventional, improved = score[enhanced == 0], score[enhanced == 1]
    if np.unique(score).size < 2:
        return "a single score category"
    if conventional.max() <= improved.min() or improved.max() <= conventional.min():
        return "the arms' scores do not overlap (infinite odds ratio)"
    return None


def pooled_model_row(unit: pd.DataFrame) -> dict:
    """Fit the secondary clustered model for one sequence x criterion.

    The cumulative-logit GEE of :func:`ordinal_gee` (positive favours enhanced). When it cannot
    be estimated (a single score category, arms that do not overlap, no convergence), a Gaussian
    GEE with exchangeable working correlation is fitted instead; its estimand is a different
    one, the mean score difference, so it is reported apart, under ``fallback``.

    Parameters
    ----------
    unit : DataFrame
        Ratings of one sequence x criterion with columns ``case, arm, score``.

    Returns
    -------
    dict
        ``method`` (``"OrdinalGEE"``, or None when it was not estimable), ``estimand``,
        ``working_correlation``, ``estimate``, ``ci95``, ``p`` and ``fallback`` (None, or
        ``{"method": "GEE", "estimand": "mean_difference", "working_correlation":
        "exchangeable", "reason", "estimate", "ci95", "p"}``).

    References
    ----------
    .. [1] Liang KY, Zeger SL (1986). Biometrika 73(1):13-22.
    .. [2] Lipsitz SR, Kim K, Zhao L (1994). Statistics in Medicine 13(11):1149-1163.
    """
    order = np.argsort(unit["case"].to_numpy(), kind="stable")
    unit = unit.iloc[order]
    groups = pd.factorize(unit["case"])[0]
    score = unit["score"].to_numpy(dtype=np.float64)
    enhanced = (unit["arm"].to_numpy() == ENHANCED).astype(np.float64)
    row = {
        "method": None,
        "estimand": ORDINAL_ESTIMAND,
        "working_correlation": ORDINAL_CORRELATION,
        "estimate": None,
        "ci95": [None, None],
        "p": None,
        "fallback": None,
    }
    if score.size == 0 or enhanced.min() == enhanced.max():
        return row
    reason = _why_not_ordinal(score, enhanced)
    fit = None if reason else ordinal_gee(score, enhanced, groups)
    if fit is not None:
        return row | {"method": ORDINAL_METHOD, "estimate": fit["estimate"],
                      "ci95": fit["ci95"], "p": fit["p"]}  # fmt: skip
    gaussian = _gaussian_gee(score, enhanced, groups)
    if gaussian is not None:
        row["fallback"] = {
            "method": FALLBACK_METHOD,
            "estimand": FALLBACK_ESTIMAND,
            "working_correlation": FALLBACK_CORRELATION,
            "reason": reason or "the cumulative-logit model did not converge",
            "estimate": gaussian["estimate"],
            "ci95": gaussian["ci95"],
            "p": gaussian["p"],
        }
    return row


def pooled_model(ratings: pd.DataFrame) -> list[dict]:
    """The secondary clustered model per sequence x criterion over every reader's scores.

    See :func:`pooled_model_row`.

    Parameters
    ----------
    ratings : DataFrame
        Validated tidy ratings.

    Returns
    -------
    list of dict
        Rows in the ``pooled_model`` layout of ``results.json``.

    References
    ----------
    .. [1] Liang KY, Zeger SL (1986). Biometrika 73(1):13-22.
    """
    groups = {key: unit for key, unit in ratings.groupby(["sequence", "criterion"], sort=False)}
    rows = []
    for sequence, criterion in family_keys(ratings):
        row = {"sequence": sequence, "criterion": criterion}
        row.update(pooled_model_row(groups[(sequence, criterion)][["case", "arm", "score"]]))
        rows.append(row)
    return rows
