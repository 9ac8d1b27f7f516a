"""OR analysis of mean scores (stats.mrmc) and its DBM cross-check (stats.dbm).

Expected numbers named "MRMCaov" come from R package MRMCaov 0.3.0 (``mrmc`` with the default
jackknife covariance and a user metric ``mean_score <- function(truth, rating) mean(rating)``;
``fixed(reader)`` for the fixed-readers and per-reader rows), run on the cubes embedded below.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from readerstudy.analysis.stats.dbm import dbm_analysis, mean_squares, pseudovalues
from readerstudy.analysis.stats.mrmc import (
    jackknife_covariance,
    mrmc_families,
    mrmc_or,
    or_analysis,
    score_cube,
)

# Scores [arm][reader][case]; arm 0 = conventional, arm 1 = enhanced; readers r1, r2, ...
CUBE_A = [  # 3 readers x 10 cases; Cov2 < Cov3 (clipped), var_tr < 0
    [
        [1, 2, 1, 3, 2, 2, 1, 3, 4, 2],
        [2, 3, 1, 3, 4, 3, 1, 4, 4, 2],
        [2, 3, 1, 4, 4, 2, 2, 4, 3, 3],
    ],
    [
        [2, 3, 1, 3, 4, 3, 3, 4, 4, 3],
        [4, 3, 2, 4, 4, 3, 2, 4, 4, 4],
        [3, 3, 3, 3, 5, 3, 3, 3, 4, 2],
    ],
]
CUBE_B = [  # 2 readers x 8 cases
    [[2, 2, 4, 2, 1, 2, 3, 1], [3, 2, 5, 2, 3, 3, 2, 4]],
    [[1, 4, 4, 3, 2, 3, 3, 2], [2, 3, 5, 2, 2, 4, 3, 2]],
]
CUBE_C = [[[4, 3, 3, 3, 2, 3]], [[5, 2, 2, 3, 3, 4]]]  # 1 reader x 6 cases
CUBE_D = [  # 3 readers x 8 cases; var_r < 0 and var_tr < 0
    [[4, 2, 3, 1, 3, 2, 2, 5], [4, 3, 3, 2, 2, 2, 4, 4], [4, 3, 5, 1, 4, 3, 4, 3]],
    [[4, 4, 5, 1, 2, 5, 4, 4], [4, 3, 5, 3, 4, 3, 4, 3], [5, 2, 5, 2, 2, 5, 5, 3]],
]

# MRMCaov: (estimate, random se, df, ci, p), fixed (se, ci, p), per reader (est, se, ci, p),
# covariance (var_r, var_tr, cov1, cov2, cov3, var_error).
EXPECTED = {
    "A": {
        "estimate": 0.666666666667,
        "random": (0.145296631451, 2.0, (0.0415057187291, 1.29182761460), 0.0443630348650),
        "fixed": (0.157134840264, (0.358688039033, 0.974645294300), 2.20904969985e-05),
        "readers": [
            (0.9, 0.233333333333, (0.442675070274, 1.35732492973), 0.000114720121047),
            (0.7, 0.260341655864, (0.189739730832, 1.21026026917), 0.00717148507580),
            (0.4, 0.339934634240, (-0.266259640207, 1.06625964021), 0.239316541221),
        ],
        "cov": (
            0.0648148148148,
            -0.00925925925926,
            0.0540740740741,
            0.0575925925926,
            0.0588888888889,
            0.0937037037037,
        ),
    },
    "B": {
        "estimate": 0.25,
        "random": (0.411877235524, 1.45527840766, (-2.33764298371, 2.83764298371), 0.624790330448),
        "fixed": (0.283473354757, (-0.305597565900, 0.805597565900), 0.377821637100),
        "readers": [
            (0.625, 0.323899234772, (-0.00983083477268, 1.25983083477), 0.0536548734940),
            (-0.125, 0.398098157314, (-0.905258050648, 0.655258050648), 0.753526421521),
        ],
        "cov": (
            0.0357142857143,
            0.0892857142857,
            0.0736607142857,
            0.0691964285714,
            0.0546875,
            0.139508928571,
        ),
    },
    "D": {
        "estimate": 0.583333333333,
        "random": (
            0.257814378901,
            8.12075301035,
            (-0.00965242042466, 1.17631908709),
            0.0530279860383,
        ),
        "fixed": (0.306995165672, (-0.0183661348119, 1.18503280148), 0.0574149465597),
        "readers": [
            (0.875, 0.548943791034, (-0.200910059963, 1.95091005996), 0.110942727705),
            (0.625, 0.375, (-0.109986494203, 1.35998649420), 0.0955807045456),
            (0.25, 0.453163483587, (-0.638184106940, 1.13818410694), 0.581169475858),
        ],
        "cov": (
            -0.00297619047619,
            -0.0416666666667,
            0.0736607142857,
            0.0874255952381,
            0.0706845238095,
            0.181547619048,
        ),
    },
}
TOL = 1e-9


def frame_from_cube(cube: list, arms=("conventional", "enhanced")) -> pd.DataFrame:
    rows = [
        (f"r{j + 1}", f"c{k + 1:03d}", arms[a], float(value))
        for a, block in enumerate(cube)
        for j, scores in enumerate(block)
        for k, value in enumerate(scores)
    ]
    return pd.DataFrame(rows, columns=["reader", "case", "arm", "score"])


def assert_same_block(got: dict, expected: dict) -> None:
    """Blocks with scalar or None values and a ci95 list, equal to rounding."""
    assert set(got) == set(expected)
    for key, value in expected.items():
        if value is None or isinstance(value, str):
            assert got[key] == value
        else:
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-15)


def random_cube(rng: np.random.Generator, readers: int, cases: int) -> np.ndarray:
    case_fx = rng.normal(0, 1, cases)
    latent = 3 + case_fx + rng.normal(0, 0.7, (2, readers, cases)) + [[[0.0]], [[0.4]]]
    return np.clip(np.rint(latent), 1, 5)


@pytest.mark.parametrize("name", ["A", "B", "D"])
def test_it_matches_mrmcaov_on_small_fixed_datasets(name):
    """Source: MRMCaov 0.3.0 on the embedded cubes (see module docstring)."""
    cube = {"A": CUBE_A, "B": CUBE_B, "D": CUBE_D}[name]
    exp = EXPECTED[name]
    res = mrmc_or(frame_from_cube(cube))
    assert res["estimate"] == pytest.approx(exp["estimate"], abs=TOL)
    se, df, ci, p = exp["random"]
    rr = res["random_readers"]
    assert (rr["se"], rr["df"], rr["p"]) == pytest.approx((se, df, p), abs=TOL)
    assert rr["ci95"] == pytest.approx(list(ci), abs=TOL)
    se, ci, p = exp["fixed"]
    fr = res["fixed_readers"]
    assert fr["df"] is None
    assert (fr["se"], fr["p"]) == pytest.approx((se, p), abs=TOL)
    assert fr["ci95"] == pytest.approx(list(ci), abs=TOL)
    for row, (est, se, ci, p) in zip(res["per_reader"], exp["readers"], strict=True):
        assert row["df"] is None
        assert (row["estimate"], row["se"], row["p"]) == pytest.approx((est, se, p), abs=TOL)
        assert row["ci95"] == pytest.approx(list(ci), abs=TOL)
    keys = ("var_r", "var_tr", "cov1", "cov2", "cov3", "var_error")
    got = tuple(res["covariance"][k] for k in keys)
    assert got == pytest.approx(exp["cov"], abs=TOL)


def test_it_reports_negative_variance_components_as_computed():
    """MRMCaov (dataset D): var_r = -0.00297619, var_tr = -0.0416667, not truncated."""
    comp = mrmc_or(frame_from_cube(CUBE_D))["covariance"]
    assert comp["var_r"] < 0 and comp["var_tr"] < 0


def test_it_gives_fixed_and_per_reader_results_for_a_single_reader():
    """MRMCaov with fixed(reader), dataset C: se 0.401386485960, p 0.677975442911,
    var_error 0.147222222222, cov1 0.0666666666667. Random readers are undefined."""
    res = mrmc_or(frame_from_cube(CUBE_C))
    assert res["n_readers"] == 1
    assert res["random_readers"] == {"se": None, "df": None, "ci95": [None, None], "p": None}
    assert res["fixed_readers"]["se"] == pytest.approx(0.401386485960, abs=TOL)
    assert res["fixed_readers"]["p"] == pytest.approx(0.677975442911, abs=TOL)
    assert res["fixed_readers"]["ci95"] == pytest.approx([-0.620036389696, 0.953369723029], abs=TOL)
    assert res["per_reader"][0]["se"] == pytest.approx(0.401386485960, abs=TOL)
    comp = res["covariance"]
    assert comp["var_error"] == pytest.approx(0.147222222222, abs=TOL)
    assert comp["cov1"] == pytest.approx(0.0666666666667, abs=TOL)
    assert comp["cov2"] is None and comp["cov3"] is None
    assert comp["var_r"] is None and comp["var_tr"] is None


def test_closed_form_jackknife_equals_explicit_leave_one_out():
    """Efron (1982): cov = (c-1)/c sum_k (theta_(k) - mean)(theta_(k) - mean)'."""
    scores = random_cube(np.random.default_rng(1), 4, 23)
    c = scores.shape[2]
    loo = np.stack([np.delete(scores, k, axis=2).mean(axis=2) for k in range(c)])
    dev = (loo - loo.mean(axis=0)).reshape(c, -1)
    explicit = (c - 1) / c * dev.T @ dev
    assert jackknife_covariance(scores).reshape(8, 8) == pytest.approx(explicit, abs=1e-14)


@pytest.mark.parametrize("seed,readers,cases", [(2, 3, 40), (3, 5, 25), (4, 2, 60), (5, 8, 15)])
def test_dbm_on_pseudovalues_equals_or(seed, readers, cases):
    """Hillis et al. (2005): with the jackknife, DBM (Hillis 2008 df) equals OR; for the mean
    score the pseudovalues are the scores, MS_DBM(TxR) = c MS_OR(TxR) and
    MS(TxC) - MS(TxRxC) = c r (Cov2 - Cov3)."""
    scores = random_cube(np.random.default_rng(seed), readers, cases)
    assert pseudovalues(scores) == pytest.approx(scores, abs=1e-12)
    o = or_analysis(scores)
    d = dbm_analysis(scores)
    for key in ("se", "df", "p"):
        assert d["random_readers"][key] == pytest.approx(o["random_readers"][key], rel=1e-10)
    assert d["random_readers"]["ci95"] == pytest.approx(o["random_readers"]["ci95"], abs=1e-12)
    assert d["fixed_readers"]["se"] == pytest.approx(o["fixed_readers"]["se"], rel=1e-10)
    for a, b in zip(d["per_reader"], o["per_reader"], strict=True):
        assert a["se"] == pytest.approx(b["se"], rel=1e-10)
    ms, comp = d["mean_squares"], o["covariance"]
    assert ms["TC"] - ms["TRC"] == pytest.approx(
        cases * readers * (comp["cov2"] - comp["cov3"]), abs=1e-12
    )
    ms_tr_or = comp["var_tr"] + comp["var_error"] - comp["cov1"] - (comp["cov2"] - comp["cov3"])
    assert ms["TR"] == pytest.approx(cases * ms_tr_or, rel=1e-10)


def test_fixed_readers_se_is_the_paired_z_on_reader_averaged_differences():
    """Algebra: 2/r [Var - Cov1 + (r-1)(Cov2 - Cov3)] = var_k(mean_r d_rk) / c."""
    scores = random_cube(np.random.default_rng(6), 4, 30)
    d_bar = (scores[1] - scores[0]).mean(axis=0)
    expected = np.sqrt(d_bar.var(ddof=1) / d_bar.size)
    assert or_analysis(scores)["fixed_readers"]["se"] == pytest.approx(expected, rel=1e-12)


def test_mean_squares_match_a_textbook_two_by_two_by_two():
    """Hand computation: y = t + 2r + 4c (no interactions) gives only main effects."""
    t, r, c = np.meshgrid([0, 1], [0, 1], [0, 1], indexing="ij")
    ms = mean_squares((t + 2 * r + 4 * c).astype(float))
    assert (ms["T"], ms["R"], ms["C"]) == pytest.approx((2.0, 8.0, 32.0))
    assert max(abs(ms[k]) for k in ("TR", "TC", "RC", "TRC")) < 1e-12


def test_identical_readers_make_the_hillis_df_infinite_and_the_test_normal():
    """MS(TxR) = 0: MRMCaov prints df ~1e56 (rounding); here df is None and the z test is
    used: p = 2 (1 - Phi(|est| / se))."""
    one = frame_from_cube([[[1, 3, 2, 4, 2, 3]], [[2, 3, 3, 4, 3, 3]]])
    frame = pd.concat([one.assign(reader=r) for r in ("r1", "r2", "r3")], ignore_index=True)
    res = mrmc_or(frame)
    rr = res["random_readers"]
    assert rr["df"] is None
    from scipy.stats import norm

    assert rr["p"] == pytest.approx(2 * norm.sf(res["estimate"] / rr["se"]), rel=1e-12)
    assert res["covariance"]["var_tr"] == pytest.approx(0.0, abs=1e-15)


def test_no_variability_gives_a_degenerate_interval_and_no_p():
    frame = frame_from_cube([[[3, 3, 3], [3, 3, 3]], [[4, 4, 4], [4, 4, 4]]])
    res = mrmc_or(frame)
    assert res["estimate"] == 1.0
    for block in (res["random_readers"], res["fixed_readers"], *res["per_reader"]):
        assert block["se"] == 0.0
        assert block["ci95"] == [1.0, 1.0]
        assert block["p"] is None
    json.dumps(res, allow_nan=False)


def test_ceiling_in_one_arm_is_analysed():
    """All scores 5 in the enhanced arm: that arm's variances and covariances vanish."""
    cube = [CUBE_A[0], [[5] * 10] * 3]
    res = mrmc_or(frame_from_cube(cube))
    assert res["covariance"]["cov1"] == 0.0
    assert res["random_readers"]["se"] > 0 and res["random_readers"]["p"] is not None


def test_swapping_arms_flips_signs_only():
    frame = frame_from_cube(CUBE_D)
    a = mrmc_or(frame)
    b = mrmc_or(frame, treatments=("enhanced", "conventional"))
    assert b["estimate"] == pytest.approx(-a["estimate"])
    for key in ("random_readers", "fixed_readers"):
        assert b[key]["se"] == pytest.approx(a[key]["se"])
        assert b[key]["p"] == pytest.approx(a[key]["p"])
        assert b[key]["ci95"] == pytest.approx([-a[key]["ci95"][1], -a[key]["ci95"][0]])
    assert b["covariance"] == pytest.approx(a["covariance"])


def test_row_order_and_labels_do_not_matter():
    frame = frame_from_cube(CUBE_A)
    shuffled = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    shuffled["case"] = "x" + shuffled["case"]
    a, b = mrmc_or(frame), mrmc_or(shuffled)
    for key in ("random_readers", "fixed_readers", "covariance"):
        assert_same_block(b[key], a[key])


def test_missing_scores_keep_the_cases_every_reader_scored_in_both_arms():
    frame = frame_from_cube(CUBE_A)
    gone = (frame["reader"] == "r2") & (frame["case"] == "c004") & (frame["arm"] == "enhanced")
    frame.loc[gone, "score"] = np.nan
    frame = frame.loc[~((frame["reader"] == "r3") & (frame["case"] == "c007"))]
    cube = score_cube(frame)
    assert cube.design == "complete_case_subset"
    assert sorted(cube.dropped_cases) == ["c004", "c007"]
    keep = [k for k in range(10) if k not in (3, 6)]
    expected = or_analysis(np.asarray(CUBE_A, dtype=float)[:, :, keep])
    got = mrmc_or(frame)
    assert got["n_cases"] == 8
    for key in ("random_readers", "fixed_readers", "covariance"):
        assert_same_block(got[key], expected[key])
    with pytest.raises(ValueError, match="not fully crossed"):
        mrmc_or(frame, incomplete="raise")


def test_a_reader_without_paired_scores_is_left_out():
    frame = frame_from_cube(CUBE_A)
    frame = frame.loc[~((frame["reader"] == "r3") & (frame["arm"] == "enhanced"))]
    cube = score_cube(frame)
    assert cube.readers == ["r1", "r2"] and cube.excluded_readers == ["r3"]
    assert mrmc_or(frame)["n_readers"] == 2


def test_other_arms_are_ignored():
    frame = frame_from_cube(CUBE_B)
    extra = frame.assign(arm="other", score=1.0)
    assert mrmc_or(pd.concat([frame, extra])) == mrmc_or(frame)


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda f: f.drop(columns="score"), "no column 'score'"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "more than once"),
        (
            lambda f: f.assign(score=f["score"].astype(object).where(f.index > 0, "5!")),
            "not a number",
        ),
        (lambda f: f.loc[f["arm"] == "conventional"], "No scores for arm 'enhanced'"),
        (lambda f: f.loc[f["case"] == "c001"], "at least 2"),
    ],
)
def test_it_refuses_unusable_data_with_a_clear_message(mutate, message):
    with pytest.raises(ValueError, match=message):
        mrmc_or(mutate(frame_from_cube(CUBE_A)))


def test_results_are_json_safe_and_have_the_documented_shape():
    res = mrmc_or(frame_from_cube(CUBE_B))
    text = json.dumps(res, allow_nan=False)
    assert set(json.loads(text)) == {
        "figure_of_merit",
        "n_readers",
        "n_cases",
        "estimate",
        "random_readers",
        "fixed_readers",
        "per_reader",
        "covariance",
    }
    assert set(res["random_readers"]) == {"se", "df", "ci95", "p"}
    assert set(res["per_reader"][0]) == {"reader", "estimate", "se", "df", "ci95", "p"}


def test_many_families_run_in_one_pass():
    """21 families x 294 cases x 3 readers (the seed study); bench/bench_analysis.py times it."""
    rng = np.random.default_rng(9)
    results = [or_analysis(random_cube(rng, 3, 294)) for _ in range(21)]
    assert all(r["n_cases"] == 294 and r["random_readers"]["se"] > 0 for r in results)


def test_per_reader_rows_follow_the_reader_order_given():
    frame = frame_from_cube(CUBE_A)
    res = mrmc_or(frame, reader_order=["r3", "r1", "r2"])
    assert [row["reader"] for row in res["per_reader"]] == ["r3", "r1", "r2"]
    default = {row["reader"]: row for row in mrmc_or(frame)["per_reader"]}
    for row in res["per_reader"]:
        assert row == default[row["reader"]]


def test_every_family_gets_a_row_and_a_design_note(small_study):
    """21 families of the simulated study; one family made not fully crossed, one refused."""
    ratings = small_study.copy()
    t2w_noise = (ratings["sequence"] == "T2W") & (ratings["criterion"] == "noise")
    gone = t2w_noise & (ratings["reader"] == "R2") & ratings["case"].isin(["case-001", "case-002"])
    ratings = ratings.loc[~gone]
    flair = (ratings["sequence"] == "FLAIR") & (ratings["criterion"] == "noise")
    ratings = ratings.loc[~(flair & (ratings["arm"] == "enhanced"))]
    rows, designs = mrmc_families(ratings)
    assert len(rows) == len(designs) == 21
    assert [(r["sequence"], r["criterion"]) for r in rows] == [
        (d["sequence"], d["criterion"]) for d in designs
    ]
    by_key = {(d["sequence"], d["criterion"]): (r, d) for r, d in zip(rows, designs, strict=True)}
    row, design = by_key["T2W", "noise"]
    assert design["design"] == "complete_case_subset" and design["n_cases_dropped"] == 2
    assert row["n_cases"] == 28 and row["n_readers"] == 3
    row, design = by_key["FLAIR", "noise"]
    assert design["design"] == "not_analysed"
    assert design["reason"] == "No scores for arm 'enhanced'."
    assert row["estimate"] is None and row["per_reader"] == []
    assert row["random_readers"] == {"se": None, "df": None, "ci95": [None, None], "p": None}
    row, design = by_key["T1CE", "noise"]
    assert design == {"sequence": "T1CE", "criterion": "noise", "design": "fully_crossed",
                      "n_cases_dropped": 0, "readers_excluded": [], "reason": None}  # fmt: skip
    assert [r["reader"] for r in row["per_reader"]] == ["R1", "R2", "R3"]
    json.dumps(rows, allow_nan=False)


def test_the_families_fast_path_equals_mrmc_or_on_each_family(small_study):
    """mrmc_families codes the whole frame once; each row must equal mrmc_or on its family."""
    ratings = small_study[
        ~((small_study["reader"] == "R3") & small_study["case"].isin(["case-004", "case-009"]))
        | (small_study["criterion"] != "noise")
    ]
    rows, _ = mrmc_families(ratings)
    for row in rows:
        unit = ratings[
            (ratings["sequence"] == row["sequence"]) & (ratings["criterion"] == row["criterion"])
        ]
        expected = mrmc_or(
            unit[["reader", "case", "arm", "score"]], reader_order=["R1", "R2", "R3"]
        )
        assert {k: v for k, v in row.items() if k not in ("sequence", "criterion")} == expected
    _, designs = mrmc_families(ratings, incomplete="raise")
    noise = [d for d in designs if d["criterion"] == "noise"]
    assert all(d["design"] == "not_analysed" for d in noise)
    assert noise[0]["reason"].startswith("The family is not fully crossed: 2 case(s)")
