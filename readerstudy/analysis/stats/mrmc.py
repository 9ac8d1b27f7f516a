"""Multi-reader multi-case (MRMC) comparison of the arms: readers and cases random.

Obuchowski-Rockette (OR) analysis of each reader's mean score per arm, with case-jackknife
covariances and Hillis' (2008) denominator degrees of freedom, exactly as R's MRMCaov computes
it (``mrmc`` with the default jackknife covariance and the mean score as a user metric). This is
the primary pooled inference of the report: it generalises to other readers and other cases.

Design rules, one sequence x criterion family at a time:

- A reader's case counts only if that reader scored it in both arms (the comparison is paired).
- OR needs every reader to have read the same cases (fully crossed). When the readers' case sets
  differ, the family keeps the cases every remaining reader scored in both arms (the
  complete-case subset; ``n_cases`` says how many) and :class:`ScoreCube` lists what was left
  out; ``incomplete="raise"`` refuses instead. Readers with no paired case are left out.
- Fewer than two analysed cases is refused: the jackknife needs two.
- One reader: no random-readers inference (MRMCaov refuses it too); fixed-readers and per-reader
  results are given, and Cov2, Cov3, var_r and var_tr are None.
- MS(T x R) = 0 makes Hillis' df infinite: the random-readers test is then the normal one and
  ``df`` is None. A standard error of exactly zero gives ``ci95 = [estimate, estimate]`` and
  ``p = None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from readerstudy.analysis.stats.paired import family_keys
from readerstudy.studies.vocabulary import ARMS, CONVENTIONAL, ENHANCED

__all__ = [
    "MRMC_INCOMPLETE",
    "ScoreCube",
    "empty_mrmc_row",
    "jackknife_covariance",
    "mrmc_families",
    "mrmc_or",
    "or_analysis",
    "score_cube",
]

#: How a family that is not fully crossed is treated.
MRMC_INCOMPLETE = ("common", "raise")
#: Relative size below which MS(T x R) and variances count as exactly zero. Scores on a 1-10
#: scale give non-zero values far above this (>= ~1e-12) even for thousands of cases; below it
#: is the floating-point noise of a true zero.
_ZERO = 1e-20
_Z975 = float(special.ndtri(0.975))


@dataclass(frozen=True)
class ScoreCube:
    """Scores of one family arranged for the analysis.

    Attributes
    ----------
    scores : ndarray, shape (2, n_readers, n_cases)
        Index 0 of the first axis is the reference arm (conventional).
    readers, cases : list
        Labels of the second and third axes.
    design : {"fully_crossed", "complete_case_subset"}
        Whether cases had to be dropped to make the family fully crossed.
    dropped_cases : list
        Cases left out because some reader lacks a score in one of the arms.
    excluded_readers : list
        Readers without any case scored in both arms.
    """

    scores: np.ndarray
    readers: list
    cases: list
    design: str
    dropped_cases: list = field(default_factory=list)
    excluded_readers: list = field(default_factory=list)


def score_cube(
    frame: pd.DataFrame,
    *,
    treatments: tuple[str, str] = ("conventional", "enhanced"),
    incomplete: Literal["common", "raise"] = "common",
    reader_order: Sequence | None = None,
) -> ScoreCube:
    """Check one family's scores and arrange them as a fully crossed cube.

    Parameters
    ----------
    frame : DataFrame
        Columns ``reader, case, arm, score``; one row per reader x case x arm. Rows of other
        arms are ignored; an empty score (NaN, None) is missing.
    treatments : (str, str)
        ``(reference, new)`` arms.
    incomplete : {"common", "raise"}
        Keep the complete-case subset of a family that is not fully crossed, or refuse it.
    reader_order : sequence, optional
        Order of the readers in the cube (default: order of first appearance).

    Returns
    -------
    ScoreCube

    Raises
    ------
    ValueError
        With a sentence naming the column, reader, case or arm when the family cannot be
        analysed: a missing column, a score given twice, a non-numeric or infinite score, an arm
        without scores, no paired reader, fewer than two common cases, or (with
        ``incomplete="raise"``) a family that is not fully crossed.
    """
    missing = [c for c in ("reader", "case", "arm", "score") if c not in frame.columns]
    if missing:
        raise ValueError(f"The scores have no column {', '.join(map(repr, missing))}.")
    if len(treatments) != 2 or treatments[0] == treatments[1]:
        raise ValueError(f"Two different treatments are needed, got {treatments!r}.")
    if incomplete not in MRMC_INCOMPLETE:
        raise ValueError(f"incomplete must be 'common' or 'raise', got {incomplete!r}.")

    data = frame.loc[frame["arm"].isin(treatments), ["reader", "case", "arm", "score"]]
    values = pd.to_numeric(data["score"], errors="coerce")
    bad = data["score"].notna() & values.isna()
    if bad.any():
        row = data.loc[bad].iloc[0]
        raise ValueError(
            f"Score {row['score']!r} of reader {row['reader']!r}, case {row['case']!r}, "
            f"arm {row['arm']!r} is not a number."
        )
    if np.isinf(values).any():
        raise ValueError("Scores must be finite numbers.")
    for name in treatments:
        if not ((data["arm"] == name) & values.notna()).any():
            raise ValueError(f"No scores for arm {name!r}.")
    if data["reader"].isna().any() or data["case"].isna().any():
        raise ValueError("Every score needs a reader and a case; some rows have none.")

    reader_codes, reader_labels = pd.factorize(data["reader"])
    if reader_order is not None:
        rank = {label: i for i, label in enumerate(reader_order)}
        order = sorted(
            range(len(reader_labels)), key=lambda i: rank.get(reader_labels[i], len(rank) + i)
        )
        position = np.empty(len(order), dtype=np.intp)
        position[order] = np.arange(len(order))
        reader_codes = position[reader_codes]
        reader_labels = reader_labels[order]
    case_codes, case_labels = pd.factorize(data["case"])
    return _arrange(
        (data["arm"] == treatments[1]).to_numpy().astype(np.intp),
        reader_codes,
        case_codes,
        values.to_numpy(dtype=np.float64),
        np.asarray(reader_labels, dtype=object),
        np.asarray(case_labels, dtype=object),
        treatments=treatments,
        incomplete=incomplete,
    )


def _arrange(
    arm_codes: np.ndarray,
    reader_codes: np.ndarray,
    case_codes: np.ndarray,
    values: np.ndarray,
    reader_labels: np.ndarray,
    case_labels: np.ndarray,
    *,
    treatments: tuple[str, str],
    incomplete: str,
) -> ScoreCube:
    """One (2, readers, cases) array from integer codes, NaN where a score is missing, then the
    design rules of :func:`score_cube`."""
    present = ~np.isnan(values)
    shape = (2, len(reader_labels), len(case_labels))
    flat = np.ravel_multi_index((arm_codes, reader_codes, case_codes), shape)[present]
    unique, counts = np.unique(flat, return_counts=True)
    if (counts > 1).any():
        t, j, k = np.unravel_index(unique[counts > 1][0], shape)
        raise ValueError(
            f"Reader {reader_labels[j]!r} scored case {case_labels[k]!r} in arm "
            f"{treatments[t]!r} more than once; one score per reader, case and arm is expected."
        )
    grid = np.full(shape, np.nan)
    grid.flat[flat] = values[present]

    paired = ~np.isnan(grid).any(axis=0)  # reader x case: scored in both arms
    reader_ok = paired.any(axis=1)
    if not reader_ok.any():
        raise ValueError("No reader scored any case in both arms.")
    common = paired[reader_ok].all(axis=0)
    dropped = case_labels[~common].tolist()  # tolist(): plain, JSON-ready labels
    if dropped and incomplete == "raise":
        raise ValueError(
            f"The family is not fully crossed: {len(dropped)} case(s), e.g. {dropped[0]!r}, "
            "were not scored in both arms by every reader."
        )
    if common.sum() < 2:
        raise ValueError(
            f"Only {int(common.sum())} case(s) were scored in both arms by every reader; "
            "the jackknife needs at least 2."
        )
    return ScoreCube(
        scores=grid[:, reader_ok][:, :, common],
        readers=reader_labels[reader_ok].tolist(),
        cases=case_labels[common].tolist(),
        design="complete_case_subset" if dropped else "fully_crossed",
        dropped_cases=dropped,
        excluded_readers=reader_labels[~reader_ok].tolist(),
    )


def jackknife_covariance(scores: np.ndarray) -> np.ndarray:
    """Case-jackknife covariance matrix of the mean-score figures of merit.

    Leaving case k out gives ``theta_(k) = (c theta - y_k) / (c - 1)``, so the jackknife
    covariance ``(c - 1)/c sum_k (theta_(k) - mean)(theta'_(k) - mean')`` reduces to
    ``sum_k (y_k - theta)(y'_k - theta') / (c (c - 1))``: the sample covariance of the scores
    divided by the number of cases. No leave-one-out loop is needed.

    Parameters
    ----------
    scores : ndarray, shape (n_arms, n_readers, n_cases)

    Returns
    -------
    ndarray, shape (n_arms, n_readers, n_arms, n_readers)
        Covariance of the figures of merit ``theta[t, r]``.

    References
    ----------
    .. [1] Efron B (1982). The Jackknife, the Bootstrap and Other Resampling Plans. SIAM.
    """
    n_arms, n_readers, n_cases = scores.shape
    flat = scores.reshape(n_arms * n_readers, n_cases)
    dev = flat - flat.mean(axis=1, keepdims=True)
    cov = dev @ dev.T / (n_cases * (n_cases - 1))
    return cov.reshape(n_arms, n_readers, n_arms, n_readers)


def _interval(estimate: float, se: float, df: float | None) -> dict:
    """Two-sided 95% interval and P value: t with ``df``, or the normal when ``df`` is None."""
    if se <= 0.0:
        return {"ci95": [estimate, estimate], "p": None}
    # scipy.special's t and normal functions: the numerics of scipy.stats (and of R's qt/pt to
    # ~1e-15) without building a distribution object for every interval.
    if df is None:
        half = _Z975 * se
        p = float(2.0 * special.ndtr(-abs(estimate) / se))
    else:
        half = float(special.stdtrit(df, 0.975)) * se
        p = float(2.0 * special.stdtr(df, -abs(estimate) / se))
    return {"ci95": [estimate - half, estimate + half], "p": min(p, 1.0)}


def _zero_if_tiny(value: float, scale: float) -> float:
    """Zero for values that are zero up to rounding (|value| <= _ZERO * scale)."""
    return 0.0 if abs(value) <= _ZERO * scale else value


def _empty_block() -> dict:
    return {"se": None, "df": None, "ci95": [None, None], "p": None}


def or_analysis(scores: np.ndarray, readers: Sequence | None = None) -> dict:
    """OR analysis of a fully crossed cube of scores.

    Parameters
    ----------
    scores : ndarray, shape (2, n_readers, n_cases)
        The estimate is arm 1 minus arm 0.
    readers : sequence, optional
        Reader labels for ``per_reader`` (default 0, 1, ...).

    Returns
    -------
    dict
        The ``mrmc`` row of ``results.json`` without ``sequence`` and ``criterion``; see
        :func:`mrmc_or`.

    References
    ----------
    .. [1] Obuchowski NA, Rockette HE (1995). Hypothesis testing of diagnostic accuracy for
       multiple readers and multiple tests: an ANOVA approach with dependent observations.
       Commun Stat Simul Comput 24:285-308.
    .. [2] Hillis SL (2007). A comparison of denominator degrees of freedom methods for multiple
       observer ROC analysis. Stat Med 26:596-619.
    .. [3] Hillis SL, Berbaum KS, Metz CE (2008). Recent developments in the Dorfman-Berbaum-
       Metz procedure for multireader ROC study analysis. Acad Radiol 15:647-661.
    .. [4] Smith BJ, Hillis SL (2020). Multi-reader multi-case analysis of variance software
       for diagnostic performance comparison of imaging modalities. Proc SPIE 11316 (R package
       MRMCaov).
    """
    scores = np.asarray(scores, dtype=np.float64)
    n_arms, n_readers, n_cases = scores.shape
    if n_arms != 2:
        raise ValueError("Exactly two arms are compared.")
    if n_cases < 2:
        raise ValueError("The jackknife needs at least 2 cases.")
    readers = list(range(n_readers)) if readers is None else list(readers)

    theta = scores.mean(axis=2)
    scale = max(1.0, float(np.max(theta**2)))
    cov = jackknife_covariance(scores)
    idx = np.arange(n_readers)
    var_error = float(np.mean(np.concatenate([cov[0, idx, 0, idx], cov[1, idx, 1, idx]])))
    cov1 = float(np.mean(cov[0, idx, 1, idx]))
    off = ~np.eye(n_readers, dtype=bool)
    diffs = theta[1] - theta[0]
    estimate = float(diffs.mean())

    # Fixed readers: 2/r [Var - Cov1 + (r - 1)(Cov2 - Cov3)] is the jackknife variance of the
    # reader-averaged difference, a quadratic form of a PSD matrix, so only rounding can make it
    # negative; it is not clipped otherwise (Hillis 2008, as MRMCaov).
    if n_readers > 1:
        cov2 = float(np.mean(np.concatenate([cov[0, :, 0, :][off], cov[1, :, 1, :][off]])))
        cov3 = float(np.mean(cov[0, :, 1, :][off]))
        fixed_den = var_error - cov1 + (n_readers - 1) * (cov2 - cov3)
    else:
        cov2 = cov3 = None
        fixed_den = var_error - cov1
    fixed_se = float(np.sqrt(max(_zero_if_tiny(2.0 * fixed_den / n_readers, scale), 0.0)))
    fixed = {"se": fixed_se, "df": None, **_interval(estimate, fixed_se, None)}

    per_reader = []
    for j, name in enumerate(readers):
        var_j = 0.5 * (cov[0, j, 0, j] + cov[1, j, 1, j])
        se_j = float(np.sqrt(max(_zero_if_tiny(2.0 * (var_j - cov[0, j, 1, j]), scale), 0.0)))
        est_j = float(diffs[j])
        per_reader.append(
            {"reader": name, "estimate": est_j, "se": se_j, "df": None}
            | _interval(est_j, se_j, None)
        )

    random = _empty_block()
    var_r = var_tr = None
    if n_readers > 1:
        grand = theta.mean()
        arm_means = theta.mean(axis=1, keepdims=True)
        reader_means = theta.mean(axis=0, keepdims=True)
        ms_r = float(2.0 * np.sum((reader_means - grand) ** 2) / (n_readers - 1))
        resid = theta - arm_means - reader_means + grand
        ms_tr = _zero_if_tiny(float(np.sum(resid**2) / (n_readers - 1)), scale)
        den = ms_tr + n_readers * max(cov2 - cov3, 0.0)
        se = float(np.sqrt(2.0 * den / n_readers))
        # Hillis (2008): ddf = den^2 / (MS(TxR)^2 / ((t - 1)(r - 1))), infinite when MS(TxR) = 0.
        df = den**2 / (ms_tr**2 / (n_readers - 1)) if ms_tr > 0.0 else None
        random = {"se": se, "df": df} | _interval(estimate, se, df)
        # OR variance components as MRMCaov reports them, negative values kept.
        var_r = (ms_r - ms_tr) / 2.0 - cov1 + cov3
        var_tr = ms_tr - var_error + cov1 + (cov2 - cov3)

    return {
        "figure_of_merit": "mean_score",
        "n_readers": n_readers,
        "n_cases": n_cases,
        "estimate": estimate,
        "random_readers": random,
        "fixed_readers": fixed,
        "per_reader": per_reader,
        "covariance": {
            "var_r": var_r,
            "var_tr": var_tr,
            "cov1": cov1,
            "cov2": cov2,
            "cov3": cov3,
            "var_error": var_error,
        },
    }


def empty_mrmc_row(n_readers: int = 0) -> dict:
    """The ``mrmc`` row of a family that could not be analysed: every number None."""
    return {
        "figure_of_merit": "mean_score",
        "n_readers": n_readers,
        "n_cases": 0,
        "estimate": None,
        "random_readers": _empty_block(),
        "fixed_readers": _empty_block(),
        "per_reader": [],
        "covariance": dict.fromkeys(("var_r", "var_tr", "cov1", "cov2", "cov3", "var_error")),
    }


def mrmc_or(
    frame: pd.DataFrame,
    *,
    treatments: tuple[str, str] = ("conventional", "enhanced"),
    incomplete: Literal["common", "raise"] = "common",
    reader_order: Sequence | None = None,
) -> dict:
    """OR analysis (jackknife covariances, Hillis df) of one family's mean scores.

    Parameters
    ----------
    frame : DataFrame
        Scores of one sequence x criterion family: ``reader, case, arm, score``.
    treatments : (str, str)
        ``(reference, new)``; the estimate is mean(new) - mean(reference), averaged over readers.
    incomplete : {"common", "raise"}
        See :func:`score_cube`.
    reader_order : sequence, optional
        Order of ``per_reader``.

    Returns
    -------
    dict
        ``figure_of_merit`` (``"mean_score"``), ``n_readers``, ``n_cases``, ``estimate``;
        ``random_readers`` and ``fixed_readers`` with ``se, df, ci95, p``; ``per_reader`` with
        ``reader, estimate, se, df, ci95, p``; ``covariance`` with ``var_r, var_tr, cov1, cov2,
        cov3, var_error``. ``df`` is None where the result is normal-based. Every number is a
        float or None, never NaN or infinity.

    Notes
    -----
    Random readers (Hillis 2008): denominator ``MS(TxR) + r max(Cov2 - Cov3, 0)``, SE of the
    difference ``sqrt(2 den / r)``, ``df = den^2 / (MS(TxR)^2 / (r - 1))``, t reference.
    Fixed readers: ``SE = sqrt(2/r [Var - Cov1 + (r - 1)(Cov2 - Cov3)])``, normal reference.
    Per reader: ``SE = sqrt(2 (Var_j - Cov1_j))``, normal reference. Variance components:
    ``var_r = (MS(R) - MS(TxR))/2 - Cov1 + Cov3``, ``var_tr = MS(TxR) - Var + Cov1 + (Cov2 -
    Cov3)``, reported as computed.

    References
    ----------
    .. [1] Obuchowski NA, Rockette HE (1995). Commun Stat Simul Comput 24:285-308.
    .. [2] Hillis SL, Obuchowski NA, Schartz KM, Berbaum KS (2005). A comparison of the
       Dorfman-Berbaum-Metz and Obuchowski-Rockette methods for receiver operating
       characteristic (ROC) data. Stat Med 24:1579-1607.
    .. [3] Hillis SL (2007). Stat Med 26:596-619.
    .. [4] Hillis SL, Berbaum KS, Metz CE (2008). Acad Radiol 15:647-661.
    .. [5] Smith BJ, Hillis SL (2020). Proc SPIE 11316 (R package MRMCaov).
    """
    cube = score_cube(
        frame, treatments=treatments, incomplete=incomplete, reader_order=reader_order
    )
    return or_analysis(cube.scores, cube.readers)


def mrmc_families(
    ratings: pd.DataFrame, *, incomplete: Literal["common", "raise"] = "common"
) -> tuple[list[dict], list[dict]]:
    """OR analysis of every sequence x criterion family of validated ratings.

    Parameters
    ----------
    ratings : DataFrame
        Validated tidy ratings.
    incomplete : {"common", "raise"}
        See :func:`score_cube`; with ``"raise"`` a family that is not fully crossed is refused
        (reported in the design list, its numbers None) instead of analysed on its common cases.

    Returns
    -------
    (list of dict, list of dict)
        The ``mrmc`` rows of ``results.json`` (``sequence``, ``criterion`` and the keys of
        :func:`mrmc_or`), and one design note per family: ``sequence, criterion, design``
        (``"fully_crossed"``, ``"complete_case_subset"`` or ``"not_analysed"``),
        ``n_cases_dropped``, ``readers_excluded`` and ``reason`` (why it was not analysed, or
        None).
    """
    if incomplete not in MRMC_INCOMPLETE:
        raise ValueError(f"incomplete must be 'common' or 'raise', got {incomplete!r}.")
    # Validated ratings: integer scores of the two arms, one per reader x case x arm. Codes are
    # taken once for the whole frame; each family keeps the readers and cases it has.
    reader_codes, reader_labels = pd.factorize(ratings["reader"])
    case_codes, case_labels = pd.factorize(ratings["case"])
    reader_labels = np.asarray(reader_labels, dtype=object)
    case_labels = np.asarray(case_labels, dtype=object)
    arm_codes = (ratings["arm"] == ENHANCED).to_numpy().astype(np.intp)
    values = ratings["score"].to_numpy(dtype=np.float64)
    indices = ratings.groupby(["sequence", "criterion"], sort=False).indices
    rows, designs = [], []
    for sequence, criterion in family_keys(ratings):
        at = indices[(sequence, criterion)]
        key = {"sequence": sequence, "criterion": criterion}
        readers_here, reader_local = np.unique(reader_codes[at], return_inverse=True)
        cases_here, case_local = np.unique(case_codes[at], return_inverse=True)
        try:
            if np.unique(arm_codes[at]).size < 2:
                missing = CONVENTIONAL if arm_codes[at].min() == 1 else ENHANCED
                raise ValueError(f"No scores for arm {missing!r}.")
            cube = _arrange(
                arm_codes[at],
                reader_local,
                case_local,
                values[at],
                reader_labels[readers_here],
                case_labels[cases_here],
                treatments=ARMS,
                incomplete=incomplete,
            )
        except ValueError as refused:
            rows.append(key | empty_mrmc_row(len(readers_here)))
            designs.append(
                key
                | {"design": "not_analysed", "n_cases_dropped": None, "readers_excluded": []}
                | {"reason": str(refused)}
            )
            continue
        rows.append(key | or_analysis(cube.scores, cube.readers))
        designs.append(
            key
            | {
                "design": cube.design,
                "n_cases_dropped": len(cube.dropped_cases),
                "readers_excluded": list(cube.excluded_readers),
                "reason": None,
            }
        )
    return rows, designs
