"""The methods paragraph says what was run: every sentence is checked against results.json.

Each topic has a checker that reads the facts from results.json on its own (counts, options,
fallbacks, cases per criterion and per MRMC family, alpha conventions, versions) and asserts that
the sentence states them; a sentence without a checker fails the test.
"""

from __future__ import annotations

import re

import pytest

from readerstudy.analysis import run_analysis
from readerstudy.analysis.stats import pooled
from readerstudy.analysis.stats.methods import methods_paragraph, methods_sentences


def _label(results: dict, key: str) -> str:
    return results["meta"]["labels"][key].lower()


def check_design(results: dict, text: str) -> None:
    meta = results["meta"]
    assert text.startswith(f"{meta['n_readers']} reader")
    for sequence in meta["sequences"]:
        assert results["meta"]["labels"][sequence] in text
    assert f"for {len(meta['criteria'])} criteria" in text
    counts = meta["n_cases_by_criterion"]
    if set(counts.values()) == {meta["n_cases"]}:
        assert f"each of {meta['n_cases']} cases" in text
    else:
        assert "each of" not in text
        for criterion, n in counts.items():
            assert f"{_label(results, criterion)} {n}" in text


def check_scale(results: dict, text: str) -> None:
    scales = {tuple(v) for v in results["meta"]["scales"].values()}
    if len(scales) == 1:
        low, high = scales.pop()
        assert f"{high - low + 1}-point scale ({low}-{high}," in text
    else:
        for criterion, (low, high) in results["meta"]["scales"].items():
            assert f"{_label(results, criterion)} {low}-{high}" in text
    assert "higher is better" in text


def check_paired(results: dict, text: str) -> None:
    assert "Wilcoxon signed-rank" in text
    name = {"holm": "Holm", "bh": "Benjamini-Hochberg"}[results["meta"]["adjust"]]
    assert f"with the {name} method" in text


def check_mrmc(results: dict, text: str) -> None:
    assert "readers and cases as random" in text and "Hillis" in text and "jackknife" in text
    counts = sorted({r["n_cases"] for r in results["mrmc"] if r["estimate"] is not None})
    if len(counts) == 1:
        assert f"{counts[0]} cases in every sequence-criterion family" in text
    else:
        assert f"{counts[0]} to {counts[-1]} cases per sequence-criterion family" in text
    designs = results["meta"]["mrmc_designs"]
    subset = sum(d["design"] == "complete_case_subset" for d in designs)
    refused = sum(d["design"] == "not_analysed" for d in designs)
    assert (f"In {subset} famil" in text) == bool(subset)
    assert (f"{refused} famil" in text and "could not be analysed" in text) == bool(refused)


def check_pooled_model(results: dict, text: str) -> None:
    assert "readers fixed" in text and "independence working correlation" in text
    assert "log cumulative odds ratio" in text
    fallbacks = [r for r in results["pooled_model"] if r["fallback"]]
    if fallbacks:
        assert f"In {len(fallbacks)} famil" in text and "exchangeable" in text
        for reason in {r["fallback"]["reason"] for r in fallbacks}:
            assert reason in text
    else:
        assert "Gaussian" not in text


def check_noninferiority(results: dict, text: str) -> None:
    rows = results["noninferiority"]
    assert rows
    assert f"above -{results['meta']['margin']:g} points" in text
    assert "one-sided alpha = 0.025" in text and "two-sided 95% confidence interval" in text
    assert f"Holm-adjusted across the {len(rows)} non-inferiority comparisons" in text
    for criterion in {r["criterion"] for r in rows}:
        assert _label(results, criterion) in text


def check_agreement(results: dict, text: str) -> None:
    if results["meta"]["icc_estimator"] == "reml":
        assert "REML" in text and "non-negative" in text
    else:
        assert "classic two-way ANOVA estimators, negative values included" in text


def check_power(results: dict, text: str) -> None:
    power = results["power"]
    assert f"difference of {power['effect']:g} points" in text
    assert f"alpha = {power['alpha']:g}" in text
    assert f"for {power['readers'][0]} to {power['readers'][-1]} readers" in text
    assert f"({power['min_cases']} to {power['max_cases']})" in text
    assert ("(the non-inferiority margin)" in text) == (power["effect_source"] == "margin")


def check_quantitative(results: dict, text: str) -> None:
    assert results["quantitative"]
    assert results["meta"]["methods"]["snr"] in text


def check_software(results: dict, text: str) -> None:
    versions = results["meta"]["software"]
    for package, name in (("readerstudy", "ReaderStudy"), ("python", "Python"),
                          ("numpy", "NumPy"), ("scipy", "SciPy"), ("pandas", "pandas"),
                          ("statsmodels", "statsmodels")):  # fmt: skip
        assert f"{name} {versions[package]}" in text


def check_alpha(results: dict, text: str) -> None:
    assert f"P < {results['meta']['alpha']:g}" in text
    assert ("one-sided alpha = 0.025" in text) == bool(results["noninferiority"])


CHECKERS = {name[len("check_") :]: f for name, f in globals().items() if name.startswith("check_")}


def _check_every_sentence(results: dict) -> list[str]:
    sentences = methods_sentences(results)
    for topic, text in sentences:
        assert topic in CHECKERS, f"no checker for the methods sentence {topic!r}: {text}"
        CHECKERS[topic](results, text)
    assert methods_paragraph(results) == " ".join(text for _, text in sentences)
    return [topic for topic, _ in sentences]


def test_every_sentence_matches_the_full_analysis(small_study, small_rois):
    results = run_analysis(small_study, roi_stats=small_rois)
    assert _check_every_sentence(results) == list(CHECKERS)


def test_the_sentences_follow_what_actually_ran(small_study, monkeypatch):
    """Uneven cases per criterion, a family not fully crossed, fallbacks, REML, BH, no ROIs,
    a given power effect."""
    ratings = small_study[
        ~(
            (small_study["criterion"] == "noise")
            & small_study["case"].isin(["case-001", "case-002"])
        )
    ]
    gone = (ratings["criterion"] == "motion_artifact") & (ratings["reader"] == "R2")
    ratings = ratings[~(gone & (ratings["case"] == "case-010") & (ratings["arm"] == "enhanced"))]
    monkeypatch.setattr(pooled, "ordinal_gee", lambda *args: None)
    results = run_analysis(
        ratings, adjust="bh", icc_estimator="reml", power_effect=0.4,
        noninferiority_criteria=["motion"], labels={"noise": "Image noise"},
    )  # fmt: skip
    topics = _check_every_sentence(results)
    assert "quantitative" not in topics
    text = dict(methods_sentences(results))
    assert "image noise 28" in text["design"]
    assert "In 3 families not every reader" in text["mrmc"]
    assert "28 to 30 cases per sequence-criterion family" in text["mrmc"]
    assert "In 21 families it could not be estimated" in text["pooled_model"]
    assert re.search(r"For motion artifact, the enhanced version", text["noninferiority"])


def test_without_non_inferiority_criteria_nothing_is_said_about_it(small_study):
    results = run_analysis(small_study, noninferiority_criteria=["nothing"])
    topics = _check_every_sentence(results)
    assert "noninferiority" not in topics
    assert "0.025" not in methods_paragraph(results)


@pytest.mark.parametrize("readers", [["R1"]])
def test_a_single_reader_study_says_only_readers_fixed_results_exist(small_study, readers):
    results = run_analysis(small_study[small_study["reader"].isin(readers)])
    _check_every_sentence(results)
    assert "only the readers-fixed result can be given" in dict(methods_sentences(results))["mrmc"]
    assert "power" not in dict(methods_sentences(results))
