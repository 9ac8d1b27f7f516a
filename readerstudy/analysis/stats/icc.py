"""Intraclass correlation in the six Shrout-Fleiss / McGraw-Wong forms, as R's ``psych::ICC``.

The default is the classic two-way ANOVA estimator (``psych::ICC(x, lmer = FALSE)``, ``irr::icc``,
SPSS RELIABILITY, pingouin), negative values included: a negative ICC is information (readers
disagree more than chance), not an error. The REML variant with non-negative variance components
(psych's default ``lmer = TRUE``) is an explicit option, :data:`ICC_ESTIMATORS` ``"reml"``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["ICC_ESTIMATORS", "ICC_FORMS", "icc"]

#: Keys of the result, McGraw & Wong names; psych's names are ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k.
ICC_FORMS = ("ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)")
#: ``"anova"``: classic mean squares (the default); ``"reml"``: variance components constrained
#: to be non-negative, as psych's ``lmer = TRUE``.
ICC_ESTIMATORS = ("anova", "reml")


def _constrained_mean_squares(ss: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Mean squares (subjects, judges, residual) implied by non-negative REML variance components.

    For a balanced two-way crossed random-effects design the REML likelihood factorises into
    three scaled chi-squares, one per mean square, with expectations theta_B = sigma_e^2 +
    k sigma_s^2, theta_J = sigma_e^2 + n sigma_j^2 and theta_E = sigma_e^2. Non-negative
    variances mean theta_E <= theta_B and theta_E <= theta_J; the constrained maximum is the
    df-weighted isotonic regression of the mean squares on that tree order: pool the residual
    with any mean square below it. This reproduces ``lme4::lmer`` (which psych::ICC uses by
    default) when a variance component sits at zero, and the ANOVA mean squares otherwise.
    """
    ms = ss / df
    pooled = {2}
    while True:
        value = ss[list(pooled)].sum() / df[list(pooled)].sum()
        violators = [i for i in (0, 1) if i not in pooled and ms[i] < value]
        if not violators:
            break
        pooled.add(min(violators, key=lambda i: ms[i]))
    out = ms.copy()
    out[list(pooled)] = value
    return out


def icc(ratings: np.ndarray, *, alpha: float = 0.05, reml: bool = False) -> dict | None:
    """Intraclass correlation coefficients of a cases x readers matrix, as ``psych::ICC``.

    Rows with any missing rating are dropped (complete cases). The six forms are, in
    McGraw & Wong's notation with Shrout & Fleiss' in brackets: ICC(1,1) [ICC1], one-way random,
    single rater, absolute agreement; ICC(A,1) [ICC2], two-way random, single rater, absolute
    agreement; ICC(C,1) [ICC3], two-way mixed, single rater, consistency; and the
    average-of-k-raters forms ICC(1,k), ICC(A,k), ICC(C,k). The unit is a single reader's score
    (the ``,1`` forms) or the mean of the k readers' scores (the ``,k`` forms).

    F tests, degrees of freedom and confidence intervals follow psych::ICC: F = MSB/MSW on
    (n-1, n(k-1)) df for the one-way forms and F = MSB/MSE on (n-1, (n-1)(k-1)) df for the
    two-way forms; the ICC(A,.) interval uses the Satterthwaite-type df of McGraw & Wong.

    Parameters
    ----------
    ratings : ndarray, shape (n_cases, n_readers)
        Scores; NaN marks a missing score.
    alpha : float
        1 - confidence level of the intervals.
    reml : bool
        False (default) uses the classic ANOVA mean squares, as ``psych::ICC(x, lmer = FALSE)``,
        ``irr::icc`` and SPSS: ICCs can be negative. True constrains the variance components to
        be non-negative, as psych::ICC's ``lmer = TRUE`` does through lme4 (for the complete-case
        matrix); that changes even the consistency forms ICC(C,.), which by definition ignore
        the reader variance, and its F tests keep the ANOVA degrees of freedom. Both agree
        unless a variance component estimate is negative.

    Returns
    -------
    dict or None
        ``{form: {"value", "F", "df1", "df2", "p", "ci95": [lo, hi]}}`` for every key in
        :data:`ICC_FORMS`, plus ``n_cases`` and ``n_readers``; None with fewer than two complete
        cases or two readers. Values that are undefined (e.g. zero variance) are NaN.

    References
    ----------
    .. [1] Shrout PE, Fleiss JL (1979). Intraclass correlations: uses in assessing rater
       reliability. Psychological Bulletin 86(2):420-428.
    .. [2] McGraw KO, Wong SP (1996). Forming inferences about some intraclass correlation
       coefficients. Psychological Methods 1(1):30-46.
    .. [3] Revelle W. psych: Procedures for Psychological, Psychometric, and Personality
       Research, function ``ICC`` (version 2.2.9).
    """
    x = np.asarray(ratings, dtype=np.float64)
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape if x.ndim == 2 else (0, 0)
    if n < 2 or k < 2:
        return None
    grand = x.mean()
    ss_b = k * np.sum((x.mean(axis=1) - grand) ** 2)
    ss_j = n * np.sum((x.mean(axis=0) - grand) ** 2)
    ss_e = max(np.sum((x - grand) ** 2) - ss_b - ss_j, 0.0)
    df_b, df_j, df_e = n - 1, k - 1, (n - 1) * (k - 1)
    ss = np.array([ss_b, ss_j, ss_e])
    df = np.array([df_b, df_j, df_e], dtype=np.float64)
    msb, msj, mse = _constrained_mean_squares(ss, df) if reml else ss / df
    msw = mse + (msj - mse) / n

    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = (msb - msw) / (msb + (k - 1) * msw)
        icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
        icc3 = (msb - mse) / (msb + (k - 1) * mse)
        icc1k = (msb - msw) / msb
        icc2k = (msb - mse) / (msb + (msj - mse) / n)
        icc3k = (msb - mse) / msb
        f11 = msb / msw
        f21 = msb / mse
    df11n, df11d = n - 1, n * (k - 1)
    df21n, df21d = n - 1, (n - 1) * (k - 1)
    p11 = float(stats.f.sf(f11, df11n, df11d)) if np.isfinite(f11) else _p_degenerate(f11)
    p21 = float(stats.f.sf(f21, df21n, df21d)) if np.isfinite(f21) else _p_degenerate(f21)

    q = 1 - alpha / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        f1l = f11 / stats.f.ppf(q, df11n, df11d)
        f1u = f11 * stats.f.ppf(q, df11d, df11n)
        f3l = f21 / stats.f.ppf(q, df21n, df21d)
        f3u = f21 * stats.f.ppf(q, df21d, df21n)
        ci1 = ((f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1))
        ci3 = ((f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1))
        ci1k = (1 - 1 / f1l, 1 - 1 / f1u)
        ci3k = (1 - 1 / f3l, 1 - 1 / f3u)
        fj = msj / mse
        vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        v = vn / vd
        fu = stats.f.ppf(q, n - 1, v)
        fl = stats.f.ppf(q, v, n - 1)
        denom = k * msj + (k * n - k - n) * mse
        lo2 = n * (msb - fu * mse) / (fu * denom + n * msb)
        hi2 = n * (fl * msb - mse) / (denom + n * fl * msb)
        ci2 = (lo2, hi2)
        ci2k = (lo2 * k / (1 + lo2 * (k - 1)), hi2 * k / (1 + hi2 * (k - 1)))

    def form(value, f, d1, d2, p, ci):
        return {
            "value": float(value),
            "F": float(f),
            "df1": int(d1),
            "df2": int(d2),
            "p": float(p),
            "ci95": [float(ci[0]), float(ci[1])],
        }

    return {
        "ICC(1,1)": form(icc1, f11, df11n, df11d, p11, ci1),
        "ICC(A,1)": form(icc2, f21, df21n, df21d, p21, ci2),
        "ICC(C,1)": form(icc3, f21, df21n, df21d, p21, ci3),
        "ICC(1,k)": form(icc1k, f11, df11n, df11d, p11, ci1k),
        "ICC(A,k)": form(icc2k, f21, df21n, df21d, p21, ci2k),
        "ICC(C,k)": form(icc3k, f21, df21n, df21d, p21, ci3k),
        "n_cases": n,
        "n_readers": k,
    }


def _p_degenerate(f: float) -> float:
    """P value for an infinite or undefined F (zero error variance), as R's ``pf`` gives it."""
    return 0.0 if f == np.inf else float("nan")
