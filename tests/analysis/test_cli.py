"""End to end: ``python -m readerstudy.analysis`` on simulated CSVs, and its errors."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from readerstudy.analysis.cli import main
from readerstudy.analysis.stats.icc import ICC_FORMS

ROOT = Path(__file__).resolve().parents[2]
NUMBER = (int, float)
DESCRIPTIVE = ("mean", "sd", "median", "q1", "q3")


@pytest.fixture(scope="module")
def run(tmp_path_factory, small_study, small_rois):
    folder = tmp_path_factory.mktemp("analysis")
    small_study.to_csv(folder / "ratings.csv", index=False)
    small_rois.to_csv(folder / "rois.csv", index=False)
    # The simulated frame carries scale_min and scale_max, as the ratings export does.
    code = main([str(folder / "ratings.csv"), "--rois", str(folder / "rois.csv"),
                 "--out", str(folder / "out")])  # fmt: skip
    assert code == 0
    return folder / "out"


def _is_number(value) -> bool:
    return value is None or (isinstance(value, NUMBER) and not isinstance(value, bool)
                             and math.isfinite(value))  # fmt: skip


def _numbers(row: dict, *keys: str) -> None:
    for key in keys:
        assert _is_number(row[key]), (key, row[key])


def _ci(value) -> None:
    assert isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))


def _load(run) -> dict:
    def refuse(token):
        raise AssertionError(f"results.json holds {token}")

    return json.loads((run / "results.json").read_text(), parse_constant=refuse)


def _block(block: dict, *, df_null: bool = False) -> None:
    _numbers(block, "se", "df", "p")
    _ci(block["ci95"])
    if df_null:
        assert block["df"] is None


def test_results_json_has_every_documented_key_with_numbers_or_null(run):
    results = _load(run)
    assert set(results) == {"meta", "paired", "mrmc", "pooled_model", "noninferiority",
                            "agreement", "quantitative", "power"}  # fmt: skip
    for row in results["paired"]:
        assert {"sequence", "criterion", "reader"} <= set(row)
        _numbers(row, "n", "p_adjusted", "rank_biserial", "improved", "unchanged", "worse")
        for arm in ("conventional", "enhanced"):
            _numbers(row[arm], *DESCRIPTIVE)
        _numbers(row["wilcoxon"], "V", "p")
        _numbers(row["mean_difference"], "estimate")
        _ci(row["mean_difference"]["ci95"])
    assert {r["reader"] for r in results["paired"]} == {"R1", "R2", "R3", "all"}
    assert len(results["mrmc"]) == 21
    for row in results["mrmc"]:
        assert set(row) == {"sequence", "criterion", "figure_of_merit", "n_readers", "n_cases",
                            "estimate", "random_readers", "fixed_readers", "per_reader",
                            "covariance"}  # fmt: skip
        assert row["figure_of_merit"] == "mean_score"
        assert (row["n_readers"], row["n_cases"]) == (3, 30)
        _numbers(row, "estimate")
        _block(row["random_readers"])
        _block(row["fixed_readers"], df_null=True)
        assert [r["reader"] for r in row["per_reader"]] == ["R1", "R2", "R3"]
        for reader in row["per_reader"]:
            assert set(reader) == {"reader", "estimate", "se", "df", "ci95", "p"}
            _block(reader, df_null=True)
        assert set(row["covariance"]) == {"var_r", "var_tr", "cov1", "cov2", "cov3", "var_error"}
        _numbers(row["covariance"], *row["covariance"])
    for row in results["pooled_model"]:
        assert row["method"] in ("OrdinalGEE", None)
        assert row["working_correlation"] == "independence"
        _numbers(row, "estimate", "p")
        _ci(row["ci95"])
        assert row["fallback"] is None or row["fallback"]["estimand"] == "mean_difference"
    for row in results["noninferiority"]:
        _numbers(row, "margin", "alpha", "estimate", "se", "df", "p_noninferiority",
                 "p_noninferiority_adjusted", "p", "worse_fraction")  # fmt: skip
        _ci(row["ci95"])
        assert row["noninferior"] in (True, False, None)
        assert row["noninferior_adjusted"] in (True, False, None)
    for row in results["agreement"]:
        assert row["arm"] in ("conventional", "enhanced")
        _numbers(row, "n_cases", "n_readers", "fleiss_kappa", "kendall_w", "gwet_ac2_linear",
                 "percent_agreement")  # fmt: skip
        assert set(row["icc"]) == set(ICC_FORMS)
        for form in row["icc"].values():
            _numbers(form, "value", "F", "df1", "df2", "p")
            _ci(form["ci95"])
        assert len(row["weighted_kappa"]) == 3
        for pair in row["weighted_kappa"]:
            assert len(pair["readers"]) == 2
            _numbers(pair, "linear", "quadratic")
        _numbers(row["krippendorff_alpha"], "ordinal", "interval")
    for row in results["quantitative"]:
        assert row["metric"].startswith(("snr_", "cnr_"))
        _numbers(row, "n", "percent_change", "t_test_p", "wilcoxon_p")
        _numbers(row["conventional"], "mean", "sd")
        _numbers(row["enhanced"], "mean", "sd")
        _numbers(row["mean_difference"], "estimate")
        _ci(row["mean_difference"]["ci95"])
    power = results["power"]
    assert power["effect"] == 0.5 and power["effect_source"] == "margin"
    assert power["targets"] == [0.8, 0.9] and len(power["families"]) == 21
    for family in power["families"]:
        assert family["reason"] is None
        assert set(family["inputs"]) == {"n_cases", "var_error", "cov1", "cov2", "cov3",
                                         "ms_tr", "var_tr"}  # fmt: skip
        assert len(family["grid"]) == len(power["readers"]) * len(power["cases"])
        for target in ("0.8", "0.9"):
            best = family["smallest"][target]
            assert best is None or best["power"] >= float(target)
    meta = results["meta"]
    assert meta["scale"] == [1, 5] and meta["n_readers"] == 3 and meta["n_cases"] == 30
    assert meta["scale_source"] == "file"
    assert meta["scales"] == {criterion: [1, 5] for criterion in meta["criteria"]}
    assert meta["adjust"] == "holm" and meta["margin"] == 0.5
    assert meta["icc_estimator"] == "anova"
    assert meta["noninferiority_alpha"] == 0.025 and meta["noninferiority_adjust"] == "holm"
    assert len(meta["mrmc_designs"]) == 21
    assert {d["design"] for d in meta["mrmc_designs"]} == {"fully_crossed"}
    assert len(meta["input_sha256"]) == 64 and len(meta["input_file_sha256"]) == 64
    assert {"readerstudy", "numpy", "scipy", "pandas", "statsmodels"} <= set(meta["software"])
    assert {"wilcoxon", "icc", "mrmc", "pooled_model", "noninferiority", "power", "snr"} <= set(
        meta["methods"]
    )


def test_the_report_is_self_contained_with_every_table_and_figure(run):
    html = (run / "report.html").read_text()
    captions = re.findall(r"<caption>(.*?)</caption>", html)
    expected = ["Table 1. Cohort by site", "Table 2. SNR and CNR", "Table 3 (T2W)",
                "Table 3 (FLAIR)", "Table 3 (T1CE)", "Table 4. Mean score difference",
                "Table 5. MRMC per reader", "Table 6. Non-inferiority", "Table 7. Secondary model",
                "Table 8. Inter-reader agreement", "Table 9. Weighted Cohen&#x27;s kappa",
                "Table 10. Intraclass correlation", "Table 11. Power of the next study",
                "Table 12. Power grid"]  # fmt: skip
    assert len(captions) == len(expected)
    for caption, start in zip(captions, expected, strict=True):
        assert caption.startswith(start), (caption, start)
    figures = re.findall(r"<figcaption>Figure (\d+)\.", html)
    # 6 paired SNR/CNR plots, 3 MRMC forest plots, 1 non-inferiority plot, 3 Likert figures.
    assert figures == [str(i) for i in range(1, 14)]
    assert html.count("<svg") == 13
    assert "http://" not in html and "https://" not in html and "src=" not in html
    assert "Wilcoxon signed-rank test" in html and "statsmodels" in html
    # One kappa row per reader pair: 21 families x 2 arms x 3 pairs.
    kappa = html.split("Weighted Cohen&#x27;s kappa per reader pair")[1].split("</table>")[0]
    assert kappa.count("<tr>") == 1 + 21 * 2 * 3
    assert "Each sequence has its own y-axis" in html and "SNR, white matter" in html


def test_the_csv_tables_are_written(run):
    paired = pd.read_csv(run / "paired.csv")
    assert {"conventional_mean", "wilcoxon_p", "mean_difference_ci_low", "p_adjusted"} <= set(
        paired.columns
    )
    assert len(paired) == 3 * 7 * 4
    agreement = pd.read_csv(run / "agreement.csv")
    assert {"ICC(A,1)", "weighted_kappa_linear", "krippendorff_alpha_ordinal"} <= set(
        agreement["statistic"]
    )
    mrmc = pd.read_csv(run / "mrmc.csv")
    assert len(mrmc) == 21
    assert {"estimate", "random_readers_se", "random_readers_df", "random_readers_ci_low",
            "fixed_readers_p", "covariance_var_tr"} <= set(mrmc.columns)  # fmt: skip
    assert len(pd.read_csv(run / "mrmc_readers.csv")) == 21 * 3
    pooled = pd.read_csv(run / "pooled_model.csv")
    assert {"estimate", "ci_low", "fallback_estimate", "fallback_reason"} <= set(pooled.columns)
    noninferiority = pd.read_csv(run / "noninferiority.csv")
    assert {"estimate", "ci_low", "p_noninferiority_adjusted", "noninferior"} <= set(
        noninferiority.columns
    )
    power = pd.read_csv(run / "power.csv")
    assert list(power.columns) == ["sequence", "criterion", "readers", "cases", "power"]
    assert len(power) == 21 * 10 * 12
    assert len(pd.read_csv(run / "power_cases_needed.csv")) == 21 * 2 * 10
    assert len(pd.read_csv(run / "quantitative.csv")) > 0


def test_the_same_ratings_give_the_same_results(run, small_study, small_rois, tmp_path):
    shuffled = small_study.sample(frac=1.0, random_state=3)
    shuffled.to_csv(tmp_path / "ratings.csv", index=False)
    small_rois.to_csv(tmp_path / "rois.csv", index=False)
    assert main([str(tmp_path / "ratings.csv"), "--rois", str(tmp_path / "rois.csv"),
                 "--out", str(tmp_path / "out"), "--scale", "1-5"]) == 0  # fmt: skip
    first, second = _load(run), json.loads((tmp_path / "out" / "results.json").read_text())
    assert first["meta"]["input_sha256"] == second["meta"]["input_sha256"]

    # Rows follow the order in which sequences, criteria and readers first appear; the numbers
    # do not depend on the row order.
    def keyed(results):
        return {(r["sequence"], r["criterion"], r["reader"]): r for r in results["paired"]}

    assert keyed(first) == keyed(second)


def test_a_bad_csv_exits_with_the_error_naming_line_and_column(tmp_path):
    bad = tmp_path / "ratings.csv"
    bad.write_text(
        "study,site,reader,case,sequence,arm,criterion,score\n"
        "s,NYU,r1,c1,T2W,enhanced,noise,4\n"
        "s,NYU,r1,c1,T2W,deep,noise,3\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "readerstudy.analysis", str(bad), "--out", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        'error: ratings.csv, line 3: column "arm" is "deep"; expected "conventional" or '
        '"enhanced".\n'
    )
    assert not (tmp_path / "out").exists()


def test_a_missing_file_and_a_bad_scale_are_reported(tmp_path, capsys):
    assert main([str(tmp_path / "nope.csv"), "--out", str(tmp_path / "out")]) == 2
    assert "Cannot read the ratings file" in capsys.readouterr().err
    (tmp_path / "r.csv").write_text("study,site,reader,case,sequence,arm,criterion,score\n")
    assert main([str(tmp_path / "r.csv"), "--out", str(tmp_path / "o"), "--scale", "x"]) == 2
    assert capsys.readouterr().err == (
        'error: --scale "x" is not of the form MIN-MAX with integers, e.g. 1-5.\n'
    )


def test_sequences_and_criteria_follow_the_order_given(small_study):
    from readerstudy.analysis import run_analysis
    from readerstudy.demo.simulate import DEFAULT_CRITERIA

    shuffled = small_study.sample(frac=1.0, random_state=1)
    order = ["T1CE", "T2W", "FLAIR"]
    results = run_analysis(shuffled, scale=(1, 5), sequences=order, criteria=DEFAULT_CRITERIA)
    assert results["meta"]["sequences"] == order
    assert results["meta"]["criteria"] == list(DEFAULT_CRITERIA)
    expected = [(s, c) for s in order for c in DEFAULT_CRITERIA]
    assert [(r["sequence"], r["criterion"]) for r in results["pooled_model"]] == expected
    assert results["quantitative"] == []


def test_every_text_in_the_report_is_escaped(tmp_path):
    from readerstudy.analysis import run_analysis, write_outputs
    from readerstudy.demo.simulate import simulate_ratings

    evil = "<script>alert(1)</script>"
    frame = simulate_ratings(n_cases=6, readers=[evil, "R2"], sites=[f"{evil}site"],
                             sequences=[evil], criteria=["noise", evil], seed=1)  # fmt: skip
    frame["study"] = evil
    results = run_analysis(frame, scale=(1, 5))
    write_outputs(results, {"ratings": frame, "roi_stats": None}, tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_a_csv_without_its_scale_needs_scale_and_says_how(tmp_path, small_study, capsys):
    bare = small_study.drop(columns=["scale_min", "scale_max"])
    bare.to_csv(tmp_path / "ratings.csv", index=False)
    assert main([str(tmp_path / "ratings.csv"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "error: ratings.csv: the scale of the scores is unknown: the file has no scale_min and "
        "scale_max columns"
    )
    assert "--scale MIN-MAX" in err and "e.g. --scale 1-5" in err
    assert not (tmp_path / "out").exists()
    assert main([str(tmp_path / "ratings.csv"), "--out", str(tmp_path / "out"),
                 "--scale", "1-5"]) == 0  # fmt: skip
    meta = json.loads((tmp_path / "out" / "results.json").read_text())["meta"]
    assert meta["scale"] == [1, 5] and meta["scale_source"] == "given"


def test_a_scale_that_disagrees_with_the_file_is_refused(tmp_path, small_study, capsys):
    small_study.to_csv(tmp_path / "ratings.csv", index=False)
    assert main([str(tmp_path / "ratings.csv"), "--out", str(tmp_path / "o"),
                 "--scale", "1-7"]) == 2  # fmt: skip
    assert "--scale 1-7 disagrees with the file's scale" in capsys.readouterr().err


def test_the_unused_categories_of_the_scale_still_count(small_study):
    # Scores 3-5 only, on a 5-point instrument: the scale stays 1-5 (it comes from the file).
    from readerstudy.analysis import run_analysis
    from readerstudy.analysis.stats.methods import methods_paragraph

    high = small_study.assign(score=small_study["score"].clip(lower=3))
    results = run_analysis(high)
    assert results["meta"]["scale"] == [1, 5]
    assert "the instrument's 5-point scale (1-5," in methods_paragraph(results)
    narrow = run_analysis(high.drop(columns=["scale_min", "scale_max"]), scale=(3, 5))
    ac2 = [r["gwet_ac2_linear"] for r in results["agreement"]]
    assert ac2 != [r["gwet_ac2_linear"] for r in narrow["agreement"]]


def test_the_reml_icc_is_an_explicit_labelled_option(tmp_path, small_study):
    small_study.to_csv(tmp_path / "ratings.csv", index=False)
    assert main([str(tmp_path / "ratings.csv"), "--out", str(tmp_path / "out"),
                 "--icc", "reml"]) == 0  # fmt: skip
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["meta"]["icc_estimator"] == "reml"
    assert "REML" in results["meta"]["methods"]["icc"]
    html = (tmp_path / "out" / "report.html").read_text()
    assert "REML variance components constrained to be non-negative" in html
    assert "ICC estimator: reml" in html


def test_power_plans_the_next_study_from_results_json(run, tmp_path, capsys):
    out = tmp_path / "power.json"
    code = main(["power", str(run / "results.json"), "--effect", "0.3", "--sequence", "T2W",
                 "--criterion", "noise", "--readers", "3,5,8", "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "to detect 0.3 points" in printed and "T2W / noise: 80%:" in printed
    power = json.loads(out.read_text())
    assert power["effect"] == 0.3 and power["effect_source"] == "given"
    assert power["readers"] == [3, 5, 8] and len(power["families"]) == 1
    family = power["families"][0]
    # The same numbers as the analysis' own power key for that family, at this effect.
    from readerstudy.analysis.stats.power import PilotVariance, or_power

    mrmc = {(r["sequence"], r["criterion"]): r for r in _load(run)["mrmc"]}[("T2W", "noise")]
    pilot = PilotVariance.from_mrmc(mrmc)
    best = family["smallest"]["0.8"]
    exact = or_power(pilot, n_readers=best["readers"], n_cases=best["cases"], effect=0.3)
    assert best["power"] == pytest.approx(exact["power"], rel=1e-12)


def test_power_refuses_a_file_without_mrmc_results(tmp_path, capsys):
    (tmp_path / "old.json").write_text('{"meta": {}, "paired": []}')
    assert main(["power", str(tmp_path / "old.json"), "--effect", "0.3"]) == 2
    assert 'old.json has no MRMC results (key "mrmc")' in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{")
    assert main(["power", str(tmp_path / "bad.json")]) == 2
    assert "not a readable results.json" in capsys.readouterr().err


@pytest.mark.parametrize("edge", ["one reader", "an arm missing", "a ceiling", "two cases"])
def test_edge_studies_give_json_safe_results_and_a_report(tmp_path, edge):
    """Designs MRMC and the models must survive without inventing numbers (docs/analysis.md)."""
    from readerstudy.analysis import run_analysis, write_outputs
    from readerstudy.demo.simulate import simulate_ratings

    frame = simulate_ratings(n_cases=8, readers=["R1", "R2"], sites=["A"], seed=1)
    if edge == "one reader":
        frame = frame[frame["reader"] == "R1"]
    elif edge == "an arm missing":
        gone = (frame["sequence"] == "T2W") & (frame["criterion"] == "noise")
        frame = frame[~(gone & (frame["arm"] == "enhanced"))]
    elif edge == "a ceiling":
        frame = frame.assign(score=frame["score"].where(frame["arm"] == "conventional", 5))
    else:
        frame = simulate_ratings(n_cases=2, readers=["R1", "R2", "R3"], sites=["A"], seed=1,
                                 sequences=["T2W"], criteria=["motion_artifact"])  # fmt: skip
    results = run_analysis(frame)
    json.dumps(results, allow_nan=False)
    written = write_outputs(results, {"ratings": frame, "roi_stats": None}, tmp_path)
    html = written["report.html"].read_text()
    assert "Mean score difference" in html and "Power of the next study" in html
    first = results["mrmc"][0]
    if edge == "one reader":
        assert first["random_readers"]["se"] is None and first["fixed_readers"]["se"] > 0
        assert all(f["reason"] for f in results["power"]["families"])
    elif edge == "an arm missing":
        assert results["meta"]["mrmc_designs"][1]["design"] == "not_analysed"
        assert "not analysed: No scores for arm" in html
    elif edge == "a ceiling":
        assert all(r["method"] is None and r["fallback"] for r in results["pooled_model"])
        assert first["random_readers"]["se"] > 0
    else:
        assert first["n_cases"] == 2 and first["random_readers"]["se"] is not None


def test_the_analysis_csv_tables_neutralise_formulas(tmp_path):
    from readerstudy.analysis import run_analysis, write_outputs
    from readerstudy.demo.simulate import simulate_ratings

    frame = simulate_ratings(n_cases=6, readers=["=HYPERLINK(1)", "@R2"], sites=["NYU"], seed=3)
    results = run_analysis(frame, scale=(1, 5))
    write_outputs(results, {"ratings": frame, "roi_stats": None}, tmp_path)
    text = "".join(p.read_text() for p in tmp_path.glob("*.csv"))
    assert "'=HYPERLINK(1)" in text and "'@R2" in text
    for line in text.splitlines():
        for cell in line.split(","):
            assert not cell.startswith(("=", "@")), cell
