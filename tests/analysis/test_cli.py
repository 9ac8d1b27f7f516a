"""End to end: ``python -m readerstudy.analysis`` on simulated CSVs, and its errors."""

import json
import math
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
    code = main([str(folder / "ratings.csv"), "--rois", str(folder / "rois.csv"),
                 "--out", str(folder / "out"), "--scale", "1-5"])  # fmt: skip
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


def test_results_json_has_every_documented_key_with_numbers_or_null(run):
    results = _load(run)
    assert set(results) == {"meta", "paired", "pooled_model", "noninferiority", "agreement",
                            "quantitative"}  # fmt: skip
    for row in results["paired"]:
        assert {"sequence", "criterion", "reader"} <= set(row)
        _numbers(row, "n", "p_adjusted", "rank_biserial", "improved", "unchanged", "worse")
        for arm in ("conventional", "enhanced"):
            _numbers(row[arm], *DESCRIPTIVE)
        _numbers(row["wilcoxon"], "V", "p")
        _numbers(row["mean_difference"], "estimate")
        _ci(row["mean_difference"]["ci95"])
    assert {r["reader"] for r in results["paired"]} == {"R1", "R2", "R3", "all"}
    for row in results["pooled_model"]:
        assert row["method"] in ("OrdinalGEE", "GEE", None)
        _numbers(row, "estimate", "p")
        _ci(row["ci95"])
    for row in results["noninferiority"]:
        _numbers(row, "margin", "p", "worse_fraction")
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
    meta = results["meta"]
    assert meta["scale"] == [1, 5] and meta["n_readers"] == 3 and meta["n_cases"] == 30
    assert meta["adjust"] == "holm" and meta["margin"] == 0.5
    assert len(meta["input_sha256"]) == 64 and len(meta["input_file_sha256"]) == 64
    assert {"readerstudy", "numpy", "scipy", "pandas", "statsmodels"} <= set(meta["software"])
    assert {"wilcoxon", "icc", "pooled_model", "noninferiority", "snr"} <= set(meta["methods"])


def test_the_report_is_self_contained_with_every_table_and_figure(run):
    html = (run / "report.html").read_text()
    for caption in ("Table 1. Cohort by site", "Table 2. SNR and CNR", "Table 3 (T2W)",
                    "Table 3 (FLAIR)", "Table 3 (T1CE)", "Table 4. Clustered model",
                    "Table 5. Non-inferiority", "Table 6. Inter-reader agreement",
                    "Table 7. Intraclass correlation"):  # fmt: skip
        assert caption in html
    assert html.count("<svg") == 3 + 6  # Likert bars per sequence + one paired plot per metric
    assert "http://" not in html and "https://" not in html and "src=" not in html
    assert "Wilcoxon signed-rank test" in html and "statsmodels" in html


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
    for name in ("noninferiority", "pooled_model", "quantitative"):
        assert len(pd.read_csv(run / f"{name}.csv")) > 0


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
