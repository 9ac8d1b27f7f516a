"""OR random-readers power (stats.power), Hillis, Obuchowski & Berbaum (2011).

Pilot used for the published checks: the Van Dyke et al. (1993) cine vs spin-echo MRI data
(5 readers, 114 cases), empirical AUC, jackknife OR components as computed by R MRMCaov 0.3.0
(printed rounded in the MRMCaov paper's fixed-readers example: Error 0.0008022883,
Cov1 0.0003466137, Cov2 0.0003440748, Cov3 0.0002390284, treatment:reader 0.0002004025;
observed AUC difference -0.04380032).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from readerstudy.analysis.stats.power import (
    PilotVariance,
    _power_arrays,
    cases_needed,
    or_power,
    power_table,
)

VAN_DYKE = PilotVariance(
    n_cases=114,
    var_error=0.000802288265572,
    cov1=0.000346613709441,
    cov2=0.000344074828861,
    cov3=0.000239028370892,
    ms_tr=0.000551030621744,
)
VAN_DYKE_EFFECT = -0.0438003220612


def test_noncentrality_matches_the_published_van_dyke_example():
    """Chakraborty, RJafrocBook, chapter "Sample size estimation for ROC studies OR method",
    Example 1 (Van Dyke pilot, observed effect -0.043800322): J = 10, K = 163 gives
    ncp = 8.1269825 (printed to 7 decimals)."""
    res = or_power(VAN_DYKE, n_readers=10, n_cases=163, effect=VAN_DYKE_EFFECT)
    assert res["ncp"] == pytest.approx(8.1269825, abs=5e-8)


def test_power_matches_rjafroc_hillis_2011_implementation():
    """RJafroc tests/testthat/test-SsSampleSizeRoc.R ("after updating Ss routines from Hillis
    2011 and 2018 papers"): SsPowerGivenJK(dataset02 = Van Dyke, Wilcoxon, method "OR",
    effectSize = -0.043800322, J = 10, K = 165) -> powerRRRC 0.80541995."""
    res = or_power(VAN_DYKE, n_readers=10, n_cases=165, effect=VAN_DYKE_EFFECT)
    assert res["power"] == pytest.approx(0.80541995, abs=5e-9)
    # ddf (Hillis 2011 Eq. 10) and the F critical value for it, computed by hand.
    assert res["df"] == pytest.approx(62.7072797151, rel=1e-9)
    assert res["f_crit"] == pytest.approx(3.99409465556, rel=1e-9)


def test_hillis_2011_pilot_with_negative_tr_estimate_uses_zero():
    """Hillis et al. (2011) PROPROC Van Dyke inputs (as quoted in RJafroc's check scripts:
    Cov1 0.000351859, Cov2 0.000346505, Cov3 0.000221453, Var 0.001393652, MS(TxR) 0.000623):
    Eq. 9 gives 0.000623 - 0.001393652 + 0.000351859 + 0.000125052 = -0.000293741 -> 0."""
    pilot = PilotVariance(114, 0.001393652, 0.000351859, 0.000346505, 0.000221453, 0.000623)
    assert pilot.var_tr == 0.0
    # With sigma2_TR = 0: den = (114/c)(Var - Cov1 + (r - 1)(Cov2 - Cov3)).
    res = or_power(pilot, n_readers=5, n_cases=114, effect=0.05)
    den = 0.001393652 - 0.000351859 + 4 * (0.000346505 - 0.000221453)
    assert res["ncp"] == pytest.approx(5 * 0.05**2 / (2 * den), rel=1e-12)


def test_zero_effect_has_power_alpha():
    res = or_power(VAN_DYKE, n_readers=6, n_cases=200, effect=0.0)
    assert res["power"] == pytest.approx(0.05, abs=1e-9)


def test_power_grows_with_readers_and_cases():
    p = [or_power(VAN_DYKE, n_readers=r, n_cases=150, effect=0.05)["power"] for r in (3, 6, 12)]
    q = [or_power(VAN_DYKE, n_readers=5, n_cases=c, effect=0.05)["power"] for c in (50, 150, 450)]
    assert p == sorted(p) and q == sorted(q)


def test_infinite_ddf_uses_the_noncentral_chi_square():
    """sigma2_TR = 0 and Var - Cov1 - (Cov2 - Cov3) = 0 make E[MS(TxR)] = 0, ddf infinite."""
    pilot = PilotVariance(n_cases=50, var_error=0.02, cov1=0.01, cov2=0.01, cov3=0.0, ms_tr=0.0)
    res = or_power(pilot, n_readers=4, n_cases=50, effect=0.1)
    from scipy import stats

    ncp = 4 * 0.01 / (2 * (0.02 - 0.01 + 3 * 0.01))
    assert res["df"] is None and res["f_crit"] is None
    assert res["power"] == pytest.approx(stats.ncx2.sf(stats.chi2.ppf(0.95, 1), 1, ncp))


def test_pilot_components_come_back_from_an_mrmc_result():
    """MS(TxR) = var_tr + Var - Cov1 - (Cov2 - Cov3) (MRMCaov's var_tr definition)."""
    result = {
        "n_cases": 114,
        "covariance": {
            "var_r": 0.001534999345134,
            "var_tr": 0.000200402523581,
            "cov1": 0.000346613709441,
            "cov2": 0.000344074828861,
            "cov3": 0.000239028370892,
            "var_error": 0.000802288265572,
        },
    }
    pilot = PilotVariance.from_mrmc(result)
    # The inputs carry 15 significant digits, so agreement is to ~1e-15.
    assert pilot.ms_tr == pytest.approx(VAN_DYKE.ms_tr, abs=2e-15)
    with pytest.raises(ValueError, match="one reader"):
        PilotVariance.from_mrmc(
            {"n_cases": 10, "covariance": {**result["covariance"], "var_tr": None}}
        )


def test_cases_needed_is_the_first_case_count_reaching_the_target():
    k = cases_needed(VAN_DYKE, n_readers=10, effect=VAN_DYKE_EFFECT, target=0.8)
    assert or_power(VAN_DYKE, n_readers=10, n_cases=k, effect=VAN_DYKE_EFFECT)["power"] >= 0.8
    assert or_power(VAN_DYKE, n_readers=10, n_cases=k - 1, effect=VAN_DYKE_EFFECT)["power"] < 0.8


def test_a_target_out_of_reach_gives_none():
    """Power is bounded by sigma2_TR as cases grow: 2 readers cannot reach 0.9 here."""
    pilot = PilotVariance(n_cases=50, var_error=0.02, cov1=0.01, cov2=0.005, cov3=0.004, ms_tr=0.5)
    assert cases_needed(pilot, n_readers=2, effect=0.1, target=0.9, max_cases=2000) is None


def test_power_table_picks_the_design_with_fewest_reads():
    tab = power_table(VAN_DYKE, effect=0.05, readers=(3, 4, 5, 6, 8, 10), cases=(100, 200, 300))
    json.dumps(tab, allow_nan=False)
    assert len(tab["grid"]) == 18
    for key in ("0.8", "0.9"):
        options = [n for n in tab["cases_needed"][key] if n["cases"] is not None]
        reads = [2 * n["readers"] * n["cases"] for n in options]
        best = tab["smallest"][key]
        assert best["reads"] == min(reads)
        assert best["power"] >= float(key)
    assert tab["inputs"]["var_tr"] == pytest.approx(VAN_DYKE.var_tr)


def test_grid_power_equals_single_design_power():
    tab = power_table(VAN_DYKE, effect=0.04, readers=(4, 7), cases=(60, 240))
    for g in tab["grid"]:
        single = or_power(VAN_DYKE, n_readers=g["readers"], n_cases=g["cases"], effect=0.04)
        assert g["power"] == pytest.approx(single["power"], rel=1e-12)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"n_readers": 1, "n_cases": 100}, "at least 2 readers"),
        ({"n_readers": 4, "n_cases": 1}, "At least 2 cases"),
    ],
)
def test_it_refuses_impossible_designs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        or_power(VAN_DYKE, effect=0.05, **kwargs)


def test_all_zero_pilot_is_refused():
    pilot = PilotVariance(n_cases=20, var_error=0.0, cov1=0.0, cov2=0.0, cov3=0.0, ms_tr=0.0)
    with pytest.raises(ValueError, match="zero"):
        or_power(pilot, n_readers=3, n_cases=20, effect=0.1)


def test_vectorised_and_scalar_paths_agree_on_random_inputs():
    rng = np.random.default_rng(0)
    for _ in range(20):
        pilot = PilotVariance(
            n_cases=int(rng.integers(20, 300)),
            var_error=0.05,
            cov1=float(rng.uniform(0, 0.03)),
            cov2=float(rng.uniform(0, 0.03)),
            cov3=float(rng.uniform(0, 0.02)),
            ms_tr=float(rng.uniform(0, 0.1)),
        )
        r, c = int(rng.integers(2, 15)), int(rng.integers(10, 500))
        one = or_power(pilot, n_readers=r, n_cases=c, effect=0.2)["power"]
        grid = power_table(pilot, effect=0.2, readers=(r,), cases=(c,), max_cases=50)["grid"]
        assert grid[0]["power"] == pytest.approx(one, rel=1e-12)


def test_the_case_search_equals_an_exhaustive_scan():
    """Power is not always monotone in the cases (the ddf falls as ncp grows): the search must
    return the first case count reaching the target, as scanning 2..max_cases one by one does."""
    rng = np.random.default_rng(7)
    readers = (2, 3, 5, 8, 12)
    cases = np.arange(2, 801)
    for _ in range(40):
        pilot = PilotVariance(
            n_cases=int(rng.integers(10, 300)),
            var_error=0.05,
            cov1=float(rng.uniform(0, 0.04)),
            cov2=float(rng.uniform(0, 0.04)),
            cov3=float(rng.uniform(0, 0.03)),
            ms_tr=float(rng.uniform(0, 0.1)),
        )
        tab = power_table(
            pilot, effect=0.3, readers=readers, cases=(50,), max_cases=800, min_cases=2
        )
        curve = _power_arrays(pilot, np.array(readers)[:, None], cases[None, :], 0.3, 0.05)
        for target in ("0.8", "0.9"):
            reached = curve["power"] >= float(target)
            expected = [int(cases[row.argmax()]) if row.any() else None for row in reached]
            assert [n["cases"] for n in tab["cases_needed"][target]] == expected


def test_the_search_starts_at_twenty_cases_by_default():
    """A pilot's planning is extrapolation: with no reader variance the fewest reads would be
    many readers on a handful of cases, which the df approximation cannot support."""
    pilot = PilotVariance(n_cases=12, var_error=0.05, cov1=0.03, cov2=0.02, cov3=0.02, ms_tr=0.0)
    tab = power_table(pilot, effect=0.5, readers=(3, 12), cases=(25,))
    assert all(n["cases"] >= 20 for n in tab["cases_needed"]["0.8"])
    assert (
        power_table(pilot, effect=0.5, readers=(12,), cases=(25,), min_cases=2)["cases_needed"][
            "0.8"
        ][0]["cases"]
        < 20
    )
