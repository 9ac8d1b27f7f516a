"""Multiplicity adjustment of P values, matching R's ``p.adjust``.

Benjamini-Hochberg goes through statsmodels' ``multipletests``; Holm is computed here, because
``multipletests`` runs a full garbage collection on every Holm call (a fifth of a second each
with the analysis' objects in memory, and the analysis adjusts several families).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["ADJUST_METHODS", "adjust_pvalues"]

ADJUST_METHODS = ("holm", "bh")
_STATSMODELS_NAME = {"bh": "fdr_bh"}


def _holm(p: np.ndarray) -> np.ndarray:
    """R's ``p.adjust(p, "holm")``: pmin(1, cummax((n - i + 1) p_(i))) in the input order."""
    order = np.argsort(p, kind="stable")
    steps = (p.size - np.arange(p.size)) * p[order]
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    return adjusted


def adjust_pvalues(pvalues: Sequence[float | None], method: str = "holm") -> list[float | None]:
    """Adjust a family of P values for multiple testing.

    Missing P values (None or NaN) are left missing and do not count towards the family size,
    as R's ``p.adjust`` does with its default ``n = length(p[!is.na(p)])``.

    Parameters
    ----------
    pvalues : sequence of float or None
        Raw P values of one family (e.g. every sequence x criterion for one reader).
    method : {"holm", "bh"}
        Holm's step-down method (controls the family-wise error rate) or Benjamini-Hochberg
        (controls the false discovery rate).

    Returns
    -------
    list of float or None
        Adjusted P values in the input order.

    References
    ----------
    .. [1] Holm S (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics 6(2):65-70.
    .. [2] Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate: a practical and
       powerful approach to multiple testing. JRSS B 57(1):289-300.
    .. [3] R Core Team. ``p.adjust`` (package stats).
    .. [4] statsmodels, ``statsmodels.stats.multitest.multipletests`` (which computes BH).
    """
    if method not in ADJUST_METHODS:
        raise ValueError(f'Unknown adjustment method "{method}"; use one of: holm, bh.')
    from statsmodels.stats.multitest import multipletests

    p = np.array([np.nan if v is None else float(v) for v in pvalues], dtype=np.float64)
    present = ~np.isnan(p)
    out = np.full(p.shape, np.nan)
    if present.any() and method == "holm":
        out[present] = _holm(p[present])
    elif present.any():
        _, adjusted, _, _ = multipletests(p[present], method=_STATSMODELS_NAME[method])
        out[present] = adjusted
    return [None if np.isnan(v) else float(v) for v in out]
