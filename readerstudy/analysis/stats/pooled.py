"""Clustered model pooling all readers: ordinal GEE with the case as cluster."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from readerstudy.analysis.stats.paired import family_keys

__all__ = ["FALLBACK_METHOD", "ORDINAL_METHOD", "pooled_model", "pooled_model_row"]

ORDINAL_METHOD = "OrdinalGEE"
FALLBACK_METHOD = "GEE"


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _fit_ordinal(score: np.ndarray, enhanced: np.ndarray, groups: np.ndarray):
    from statsmodels.genmod.cov_struct import Independence
    from statsmodels.genmod.generalized_estimating_equations import OrdinalGEE

    model = OrdinalGEE(score, enhanced[:, None], groups=groups, cov_struct=Independence())
    return model.fit()


def _fit_gaussian(score: np.ndarray, enhanced: np.ndarray, groups: np.ndarray):
    from statsmodels.genmod.cov_struct import Exchangeable
    from statsmodels.genmod.generalized_estimating_equations import GEE

    exog = np.column_stack([np.ones_like(enhanced), enhanced])
    return GEE(score, exog, groups=groups, cov_struct=Exchangeable()).fit()


def _usable(fit) -> bool:
    if fit is None:
        return False
    if getattr(fit, "converged", True) is False:
        return False
    se = np.asarray(fit.bse, dtype=np.float64)[-1]
    return bool(np.isfinite(se) and se > 0 and np.isfinite(np.asarray(fit.params)[-1]))


def _separated(score: np.ndarray, enhanced: np.ndarray) -> bool:
    """Whether the arms' scores do not overlap, so the cumulative odds ratio is infinite.

    statsmodels does not always warn about this and then reports a huge estimate with a tiny
    standard error; a single score category leaves no threshold to fit at all.
    """
    conventional, improved = score[enhanced == 0], score[enhanced == 1]
    return bool(
        np.unique(score).size < 2
        or conventional.max() <= improved.min()
        or improved.max() <= conventional.min()
    )


def _try(fitter, *args):
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        ModelWarning,
        PerfectSeparationWarning,
    )

    # Non-convergence and perfect separation (e.g. every enhanced score at the top) make the
    # estimate meaningless, so they count as failures; other model warnings are noise here.
    failures = (ConvergenceWarning, PerfectSeparationWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", ModelWarning)
        for category in failures:
            warnings.simplefilter("error", category)
        try:
            fit = fitter(*args)
        except (*failures, ValueError, np.linalg.LinAlgError, IndexError, ZeroDivisionError):
            return None
    return fit if _usable(fit) else None


def pooled_model_row(unit: pd.DataFrame) -> dict:
    """Fit the clustered model for one sequence x criterion.

    Tries ``statsmodels`` ``OrdinalGEE``: a cumulative-logit model of the score on the arm
    (enhanced = 1) with the case as cluster, an independence working correlation and the
    robust (sandwich) covariance, so repeated ratings of a case by several readers are not
    treated as independent. The estimate is the log cumulative odds ratio of a higher score
    with the enhanced image (positive favours enhanced). If that model fails to converge or
    cannot be fitted (a single score category, or the arms' scores do not overlap so the odds
    ratio is infinite), it falls back to a Gaussian ``GEE`` on the
    score with an exchangeable working correlation, whose estimate is the mean score
    difference. Both report a Wald 95% CI and two-sided P from the robust standard error.

    Parameters
    ----------
    unit : DataFrame
        Ratings of one sequence x criterion with columns ``case, arm, score``.

    Returns
    -------
    dict
        ``{"method", "estimate", "ci95", "p"}``; ``method`` is ``"OrdinalGEE"``, ``"GEE"``
        or None when neither model could be fitted (then the numbers are None).

    References
    ----------
    .. [1] Liang KY, Zeger SL (1986). Longitudinal data analysis using generalized linear
       models. Biometrika 73(1):13-22.
    .. [2] Lipsitz SR, Kim K, Zhao L (1994). Analysis of repeated categorical data using
       generalized estimating equations. Statistics in Medicine 13(11):1149-1163.
    .. [3] Seabold S, Perktold J (2010). statsmodels: econometric and statistical modeling with
       Python. Proceedings of the 9th Python in Science Conference.
    """
    order = np.argsort(unit["case"].to_numpy(), kind="stable")
    unit = unit.iloc[order]
    groups = pd.factorize(unit["case"])[0]
    score = unit["score"].to_numpy(dtype=np.float64)
    enhanced = (unit["arm"].to_numpy() == "enhanced").astype(np.float64)
    empty = {"method": None, "estimate": None, "ci95": [None, None], "p": None}
    if score.size == 0 or enhanced.min() == enhanced.max():
        return empty
    for method, fitter in ((ORDINAL_METHOD, _fit_ordinal), (FALLBACK_METHOD, _fit_gaussian)):
        if method == ORDINAL_METHOD and _separated(score, enhanced):
            continue
        fit = _try(fitter, score, enhanced, groups)
        if fit is None:
            continue
        estimate = float(np.asarray(fit.params)[-1])
        lo, hi = np.asarray(fit.conf_int(alpha=0.05))[-1]
        return {
            "method": method,
            "estimate": _finite(estimate),
            "ci95": [_finite(lo), _finite(hi)],
            "p": _finite(np.asarray(fit.pvalues)[-1]),
        }
    return empty


def pooled_model(ratings: pd.DataFrame) -> list[dict]:
    """Clustered model per sequence x criterion over every reader's scores.

    See :func:`pooled_model_row` for the model.

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
    .. [1] Liang KY, Zeger SL (1986). Longitudinal data analysis using generalized linear
       models. Biometrika 73(1):13-22.
    """
    groups = {key: unit for key, unit in ratings.groupby(["sequence", "criterion"], sort=False)}
    rows = []
    for sequence, criterion in family_keys(ratings):
        row = {"sequence": sequence, "criterion": criterion}
        row.update(pooled_model_row(groups[(sequence, criterion)][["case", "arm", "score"]]))
        rows.append(row)
    return rows
