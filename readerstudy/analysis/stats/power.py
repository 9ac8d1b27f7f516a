"""Power of the next multi-reader multi-case study from a completed (or pilot) study.

The planned study is analysed like this one: Obuchowski-Rockette, readers and cases random, two
arms, Hillis' denominator degrees of freedom (see :mod:`readerstudy.analysis.stats.mrmc`). The
pilot's case-dependent components (Var, Cov1, Cov2, Cov3) scale with c*/c, pilot over planned
number of cases, as Hillis, Obuchowski & Berbaum (2011) derive. Scores have no diseased and
non-diseased classes, so the paper's adjustment for a different normal-to-abnormal ratio does not
apply: all cases count alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special

__all__ = [
    "DEFAULT_CASES",
    "DEFAULT_MAX_CASES",
    "DEFAULT_MIN_CASES",
    "DEFAULT_READERS",
    "DEFAULT_TARGETS",
    "POWER_METHOD",
    "PilotVariance",
    "cases_needed",
    "or_power",
    "power_table",
    "study_power",
]

DEFAULT_READERS: tuple[int, ...] = (2, 3, 4, 5, 6, 8, 10, 12, 15, 20)
DEFAULT_CASES: tuple[int, ...] = (25, 50, 75, 100, 150, 200, 250, 300, 400, 500, 750, 1000)
DEFAULT_TARGETS: tuple[float, ...] = (0.8, 0.9)
#: Largest number of cases searched for a target; a reader study beyond it is not practical.
DEFAULT_MAX_CASES = 2000
#: Smallest number of cases searched: the jackknife and Hillis' df approximation rest on enough
#: cases, and a pilot of a dozen cases would otherwise "plan" studies of two or three.
DEFAULT_MIN_CASES = 20
POWER_METHOD = "Obuchowski-Rockette, readers and cases random, Hillis ddf (Hillis et al. 2011)"


@dataclass(frozen=True)
class PilotVariance:
    """OR variance components of a pilot (or completed) study, per Hillis et al. (2011).

    Attributes
    ----------
    n_cases : int
        Number of cases in the pilot (c*).
    var_error, cov1, cov2, cov3 : float
        Jackknife error variance and covariances of the pilot's figures of merit.
    ms_tr : float
        Pilot mean square of the arm x reader interaction.
    """

    n_cases: int
    var_error: float
    cov1: float
    cov2: float
    cov3: float
    ms_tr: float

    @classmethod
    def from_mrmc(cls, result: dict) -> PilotVariance:
        """Components from an ``mrmc`` row (:func:`readerstudy.analysis.stats.mrmc.mrmc_or`).

        MS(T x R) comes back exactly from the reported components:
        ``var_tr = MS(TxR) - Var + Cov1 + (Cov2 - Cov3)``.

        Raises
        ------
        ValueError
            When the row has one reader or was not analysed (no reader variance).
        """
        comp = result["covariance"]
        if comp["var_tr"] is None or comp["var_error"] is None:
            raise ValueError(
                "The pilot has no reader variance (one reader, or the family was not analysed); "
                "power for random readers needs at least 2 readers."
            )
        ms_tr = comp["var_tr"] + comp["var_error"] - comp["cov1"] - (comp["cov2"] - comp["cov3"])
        return cls(
            n_cases=int(result["n_cases"]),
            var_error=float(comp["var_error"]),
            cov1=float(comp["cov1"]),
            cov2=float(comp["cov2"]),
            cov3=float(comp["cov3"]),
            ms_tr=max(float(ms_tr), 0.0),
        )

    @property
    def var_tr(self) -> float:
        """Hillis et al. (2011) Eq. 9 estimate of sigma2_TR; a negative estimate is set to 0."""
        return max(self.ms_tr - self.var_error + self.cov1 + max(self.cov2 - self.cov3, 0.0), 0.0)


def _power_arrays(
    pilot: PilotVariance, readers: np.ndarray, cases: np.ndarray, effect: float, alpha: float
) -> dict[str, np.ndarray]:
    """Hillis et al. (2011) Eq. 10 over broadcastable arrays of readers and cases."""
    readers = np.asarray(readers, dtype=np.float64)
    cases = np.asarray(cases, dtype=np.float64)
    ratio = pilot.n_cases / cases
    cov_diff = max(pilot.cov2 - pilot.cov3, 0.0)
    var_tr = pilot.var_tr
    den = var_tr + ratio * (pilot.var_error - pilot.cov1 + (readers - 1.0) * cov_diff)
    expected_ms_tr = var_tr + ratio * (pilot.var_error - pilot.cov1 - cov_diff)
    if np.any(den <= 0.0):
        raise ValueError("The pilot's variance components are all zero: power is undefined.")
    ncp = np.maximum(readers * effect**2 / (2.0 * den), 1e-300)
    with np.errstate(divide="ignore"):
        df = np.where(expected_ms_tr > 0.0, den**2 * (readers - 1.0) / expected_ms_tr**2, np.inf)
    finite = np.isfinite(df)
    safe_df = np.where(finite, df, 1.0)
    # scipy.special's F and non-central F: the numerics of scipy.stats' f.ppf and ncf.sf
    # without their per-call overhead, which matters over thousands of designs.
    f_crit = special.fdtri(1.0, safe_df, 1.0 - alpha)
    power = np.where(
        finite,
        1.0 - special.ncfdtr(1.0, safe_df, ncp, f_crit),
        # Infinite ddf: F(1, inf; ncp) is a non-central chi-square with 1 df.
        1.0 - special.chndtr(special.chdtri(1.0, alpha), 1.0, ncp),
    )
    return {"power": power, "ncp": ncp, "df": df, "f_crit": np.where(finite, f_crit, np.nan)}


def _upper_bound(pilot: PilotVariance, readers: np.ndarray, max_cases: int, effect, alpha):
    """Power no design with up to ``max_cases`` cases can exceed, per number of readers.

    The non-centrality grows with the cases, and power grows with both the non-centrality and
    the denominator df, so the chi-square power (infinite df) at ``max_cases`` bounds it.
    """
    ncp = _power_arrays(pilot, readers, np.array(max_cases), effect, alpha)["ncp"]
    return 1.0 - special.chndtr(special.chdtri(1.0, alpha), 1.0, ncp)


def _check(n_readers: Iterable[int], n_cases: Iterable[int], alpha: float) -> None:
    if min(n_readers) < 2:
        raise ValueError("Random-readers power needs at least 2 readers.")
    if min(n_cases) < 2:
        raise ValueError("At least 2 cases are needed.")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}.")


def or_power(
    pilot: PilotVariance, *, n_readers: int, n_cases: int, effect: float, alpha: float = 0.05
) -> dict:
    """Power of the OR random-readers test for one planned design.

    Parameters
    ----------
    pilot : PilotVariance
        Pilot variance components.
    n_readers, n_cases : int
        Planned numbers of readers and cases (each reader reads every case in both arms).
    effect : float
        Difference in the figure of merit to detect (its sign does not matter: two-sided test).
    alpha : float
        Two-sided significance level.

    Returns
    -------
    dict
        ``power, ncp, df, f_crit``; ``df`` and ``f_crit`` are None when the ddf is infinite.

    Notes
    -----
    ``sigma2_TR = max(MS(TxR) - Var + Cov1 + max(Cov2 - Cov3, 0), 0)`` (Eq. 9);
    ``den = sigma2_TR + (c*/c) [Var - Cov1 + (r - 1) max(Cov2 - Cov3, 0)]``;
    ``ncp = r d^2 / (2 den)``; ``ddf = den^2 / ({sigma2_TR + (c*/c) [Var - Cov1 -
    max(Cov2 - Cov3, 0)]}^2 / (r - 1))``; power ``= P(F(1, ddf; ncp) > F_{1-alpha}(1, ddf))``
    (Eq. 10).

    References
    ----------
    .. [1] Hillis SL, Obuchowski NA, Berbaum KS (2011). Power estimation for multireader ROC
       methods: an updated and unified approach. Acad Radiol 18:129-142.
    .. [2] Hillis SL, Schartz KM (2018). Multireader sample size program for diagnostic
       studies: demonstration and methodology. J Med Imaging 5:045503.
    """
    _check([n_readers], [n_cases], alpha)
    out = _power_arrays(pilot, np.array(n_readers), np.array(n_cases), effect, alpha)
    df = float(out["df"])
    return {
        "power": float(out["power"]),
        "ncp": float(out["ncp"]),
        "df": df if np.isfinite(df) else None,
        "f_crit": float(out["f_crit"]) if np.isfinite(df) else None,
    }


def _first_reaching(
    pilot: PilotVariance,
    readers: list[int],
    effect: float,
    alpha: float,
    targets: Sequence[float],
    max_cases: int,
    min_cases: int = DEFAULT_MIN_CASES,
) -> dict[float, list[int | None]]:
    """For each target and number of readers, the smallest case count (min..max_cases) reaching
    it.

    Power need not rise monotonically with the cases (the ddf falls as the non-centrality
    grows), so this is the first count in order, found by scanning blocks of growing size and
    stopping once every target is found; pairs that cannot reach a target even with infinite
    ddf at ``max_cases`` are not scanned.
    """
    r = np.array(readers, dtype=np.float64)
    bound = _upper_bound(pilot, r, max_cases, effect, alpha)
    found: dict[float, list[int | None]] = {t: [None] * len(readers) for t in targets}
    pending = {(t, i) for t in targets for i in range(len(readers)) if bound[i] >= t}
    start, size = max(int(min_cases), 2), 64
    while pending and start <= max_cases:
        stop = min(start + size, max_cases + 1)
        rows = sorted({i for _, i in pending})
        cases = np.arange(start, stop)
        power = _power_arrays(pilot, r[rows][:, None], cases[None, :], effect, alpha)["power"]
        for t, i in sorted(pending):
            hit = np.flatnonzero(power[rows.index(i)] >= t)
            if hit.size:
                found[t][i] = int(cases[hit[0]])
                pending.discard((t, i))
        start, size = stop, size * 4
    return found


def cases_needed(
    pilot: PilotVariance,
    *,
    n_readers: int,
    effect: float,
    target: float,
    alpha: float = 0.05,
    max_cases: int = DEFAULT_MAX_CASES,
    min_cases: int = DEFAULT_MIN_CASES,
) -> int | None:
    """Smallest number of cases (min_cases..max_cases) giving at least ``target`` power, or None.

    With sigma2_TR > 0 power is bounded however many cases are read, so a target may be out of
    reach for a given number of readers.
    """
    _check([n_readers], [2], alpha)
    found = _first_reaching(pilot, [n_readers], effect, alpha, [target], max_cases, min_cases)
    return found[target][0]


def power_table(
    pilot: PilotVariance,
    *,
    effect: float,
    readers: Sequence[int] = DEFAULT_READERS,
    cases: Sequence[int] = DEFAULT_CASES,
    alpha: float = 0.05,
    targets: Sequence[float] = DEFAULT_TARGETS,
    max_cases: int = DEFAULT_MAX_CASES,
    min_cases: int = DEFAULT_MIN_CASES,
) -> dict:
    """Power over a readers x cases grid and the smallest designs reaching each target.

    ``cases_needed`` gives, for every number of readers of the grid, the exact smallest number
    of cases (min_cases..max_cases) reaching the target. ``smallest`` is, among those, the
    design with the fewest reads (readers x cases x 2 arms); ties go to fewer readers, the
    scarcer resource.

    Parameters
    ----------
    pilot : PilotVariance
        Pilot variance components.
    effect : float
        Difference in mean score to detect.
    readers, cases : sequence of int
        The grid.
    alpha : float
        Two-sided significance level.
    targets : sequence of float
        Powers to reach.
    max_cases, min_cases : int
        Largest and smallest numbers of cases searched.

    Returns
    -------
    dict
        ``inputs`` (pilot components and the sigma2_TR used), ``grid`` (list of ``readers,
        cases, power``), ``smallest`` (per target as text, e.g. ``"0.8"``: ``readers, cases,
        reads, power``, or None when no number of readers of the grid reaches it) and
        ``cases_needed`` (per target: list of ``readers, cases``; cases None when out of reach).

    References
    ----------
    .. [1] Hillis SL, Obuchowski NA, Berbaum KS (2011). Acad Radiol 18:129-142.
    .. [2] Hillis SL, Schartz KM (2018). J Med Imaging 5:045503.
    """
    readers = sorted({int(r) for r in readers})
    cases = sorted({int(c) for c in cases})
    _check(readers, cases, alpha)
    r_grid, c_grid = np.meshgrid(readers, cases, indexing="ij")
    power = _power_arrays(pilot, r_grid, c_grid, effect, alpha)["power"]
    grid = [
        {"readers": int(r), "cases": int(c), "power": float(p)}
        for r, c, p in zip(r_grid.ravel(), c_grid.ravel(), power.ravel(), strict=True)
    ]
    first = _first_reaching(pilot, readers, effect, alpha, targets, max_cases, min_cases)
    smallest: dict[str, dict | None] = {}
    needed: dict[str, list[dict]] = {}
    for target in targets:
        key = f"{target:g}"
        needed[key] = [
            {"readers": r, "cases": c} for r, c in zip(readers, first[target], strict=True)
        ]
        options = [n for n in needed[key] if n["cases"] is not None]
        best = min(options, key=lambda n: (n["readers"] * n["cases"], n["readers"]), default=None)
        if best is None:
            smallest[key] = None
            continue
        exact = or_power(
            pilot, n_readers=best["readers"], n_cases=best["cases"], effect=effect, alpha=alpha
        )
        smallest[key] = (
            best | {"reads": 2 * best["readers"] * best["cases"]} | {"power": exact["power"]}
        )
    return {
        "inputs": asdict(pilot) | {"var_tr": pilot.var_tr},
        "grid": grid,
        "smallest": smallest,
        "cases_needed": needed,
    }


def study_power(
    mrmc: Sequence[dict],
    *,
    effect: float,
    readers: Sequence[int] = DEFAULT_READERS,
    cases: Sequence[int] = DEFAULT_CASES,
    alpha: float = 0.05,
    targets: Sequence[float] = DEFAULT_TARGETS,
    max_cases: int = DEFAULT_MAX_CASES,
    min_cases: int = DEFAULT_MIN_CASES,
) -> dict:
    """Power of the next study for every analysed family, from this study's ``mrmc`` rows.

    Parameters
    ----------
    mrmc : sequence of dict
        ``mrmc`` rows of ``results.json`` (each with ``sequence`` and ``criterion``).
    effect : float
        Difference in mean score (points) to detect, > 0.
    readers, cases, alpha, targets, max_cases, min_cases
        As for :func:`power_table`.

    Returns
    -------
    dict
        The ``power`` key of ``results.json``: the settings, and ``families``, one per row of
        ``mrmc``, each ``sequence, criterion, pilot`` (``n_readers, n_cases``), ``inputs``,
        ``grid``, ``smallest``, ``cases_needed`` (see :func:`power_table`) and ``reason`` (why
        there is no power for it, else None).

    Raises
    ------
    ValueError
        A non-positive effect, or a grid or level that :func:`power_table` refuses.

    References
    ----------
    .. [1] Hillis SL, Obuchowski NA, Berbaum KS (2011). Acad Radiol 18:129-142.
    """
    if not effect > 0:
        raise ValueError(f"The effect to detect must be a positive number of points, not {effect}.")
    readers = sorted({int(r) for r in readers})
    cases = sorted({int(c) for c in cases})
    _check(readers, cases, alpha)
    families = []
    for row in mrmc:
        family = {
            "sequence": row["sequence"],
            "criterion": row["criterion"],
            "pilot": {"n_readers": row["n_readers"], "n_cases": row["n_cases"]},
            "inputs": None,
            "grid": [],
            "smallest": {f"{t:g}": None for t in targets},
            "cases_needed": {f"{t:g}": [] for t in targets},
            "reason": None,
        }
        try:
            pilot = PilotVariance.from_mrmc(row)
            family |= power_table(
                pilot, effect=effect, readers=readers, cases=cases, alpha=alpha,
                targets=targets, max_cases=max_cases, min_cases=min_cases,
            )  # fmt: skip
        except ValueError as refused:
            family["reason"] = str(refused)
        families.append(family)
    return {
        "method": POWER_METHOD,
        "effect": float(effect),
        "alpha": float(alpha),
        "targets": [float(t) for t in targets],
        "readers": readers,
        "cases": cases,
        "min_cases": int(min_cases),
        "max_cases": int(max_cases),
        "families": families,
    }
