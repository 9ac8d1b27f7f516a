"""manage.py analyze: the study's submitted scores and ROIs through the same analysis as the CLI."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from readerstudy.analysis.report.tables import TABLE_NAMES
from readerstudy.analysis.stats.results import RESULT_KEYS
from readerstudy.audit.models import AuditEvent
from readerstudy.reading.models import Rating
from tests.analysis.django_builders import CRITERIA, SEQUENCES, build_scored_study


@pytest.fixture
def scored_study(study):
    """``study`` (alice coordinates, bob reads) with erin and frank, scored and with ROIs."""
    return build_scored_study(study)


PAIRED_KEYS = {
    "sequence", "criterion", "reader", "n", "conventional", "enhanced", "wilcoxon",
    "p_adjusted", "rank_biserial", "mean_difference", "improved", "unchanged", "worse",
}  # fmt: skip


def analyze(slug: str, out, *args) -> str:
    stdout = io.StringIO()
    call_command("analyze", slug, "--out", str(out), *args, stdout=stdout)
    return stdout.getvalue()


def test_it_writes_results_json_with_every_key_the_tables_and_the_report(scored_study, tmp_path):
    out = analyze("glioma", tmp_path / "out")

    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert set(results) == set(RESULT_KEYS)
    meta = results["meta"]
    assert meta["study"] == "glioma" and meta["scale"] == [1, 5]
    assert meta["sequences"] == SEQUENCES and meta["criteria"] == CRITERIA
    assert meta["n_readers"] == 3 and meta["n_cases"] == 8 and meta["n_scores"] == 288
    assert meta["margin"] == 0.5 and meta["adjust"] == "holm"
    assert set(results["paired"][0]) == PAIRED_KEYS
    # 2 sequences x 3 criteria x (3 readers + "all").
    assert len(results["paired"]) == 24
    assert {r["reader"] for r in results["paired"]} == {"bob", "erin", "frank", "all"}
    assert {(q["sequence"], q["metric"]) for q in results["quantitative"]} >= {
        ("T2W", "snr_white_matter"),
        ("FLAIR", "cnr_lesion_white_matter"),
    }
    for name in TABLE_NAMES:
        assert (tmp_path / "out" / f"{name}.csv").exists(), name
    report = (tmp_path / "out" / "report.html").read_text()
    assert report.startswith("<!DOCTYPE html>") and "<svg" in report and "<script" not in report
    assert "Analysed 288 scores of 3 readers on 8 cases of 'glioma' (with ROI statistics)" in out


def test_it_uses_the_studys_margin_unless_told_otherwise(scored_study, tmp_path):
    scored_study.noninferiority_margin = 0.75
    scored_study.save()

    analyze("glioma", tmp_path / "a")
    analyze("glioma", tmp_path / "b", "--margin", "0.3", "--adjust", "bh")

    meta_a = json.loads((tmp_path / "a" / "results.json").read_text())["meta"]
    meta_b = json.loads((tmp_path / "b" / "results.json").read_text())["meta"]
    assert (meta_a["margin"], meta_a["adjust"]) == (0.75, "holm")
    assert (meta_b["margin"], meta_b["adjust"]) == (0.3, "bh")


def test_the_scale_comes_from_the_criteria_not_from_the_scores(scored_study, tmp_path):
    # No score of 1 or 5 is left, yet weighted kappa and AC2 must still use all five categories.
    Rating.objects.filter(score=1).update(score=2)
    Rating.objects.filter(score=5).update(score=4)

    analyze("glioma", tmp_path)

    assert json.loads((tmp_path / "results.json").read_text())["meta"]["scale"] == [1, 5]


def test_each_criterion_keeps_its_own_scale_from_the_study(scored_study, tmp_path):
    from readerstudy.studies.models import Criterion

    Criterion.objects.filter(study=scored_study, key="noise").update(scale_max=7)

    analyze("glioma", tmp_path)

    meta = json.loads((tmp_path / "results.json").read_text())["meta"]
    assert meta["scales"] == {"overall_quality": [1, 5], "noise": [1, 7], "motion_artifact": [1, 5]}
    assert meta["scale"] == [1, 7] and meta["scale_source"] == "file"
    assert "noise 1-7" in (tmp_path / "report.html").read_text()


def test_mrmc_labels_and_the_studys_non_inferiority_criteria(scored_study, tmp_path):
    analyze("glioma", tmp_path, "--icc", "reml", "--power-effect", "0.4")

    results = json.loads((tmp_path / "results.json").read_text())
    meta = results["meta"]
    assert meta["labels"]["overall_quality"] == "Overall image quality"
    assert meta["labels"]["T2W"] == "T2-weighted"
    # Only the criteria the study marks for non-inferiority are tested (motion, of these three).
    assert meta["noninferiority_criteria"] == ["motion_artifact"]
    assert [(r["sequence"], r["criterion"]) for r in results["noninferiority"]] == [
        ("T2W", "motion_artifact"),
        ("FLAIR", "motion_artifact"),
    ]
    assert meta["icc_estimator"] == "reml" and results["power"]["effect"] == 0.4
    assert [(r["sequence"], r["criterion"]) for r in results["mrmc"]] == [
        (s, c) for s in SEQUENCES for c in CRITERIA
    ]
    assert all(r["n_readers"] == 3 and r["n_cases"] == 8 for r in results["mrmc"])
    report = (tmp_path / "report.html").read_text()
    assert "Overall image quality" in report and "T2-weighted" in report
    event = AuditEvent.objects.get(action="analysis.export")
    assert event.data["icc_estimator"] == "reml" and event.data["power_effect"] == 0.4


def test_it_refuses_a_power_effect_that_is_not_positive(scored_study, tmp_path):
    with pytest.raises(CommandError, match=r"must be a positive number of points, not 0\.0"):
        analyze("glioma", tmp_path, "--power-effect", "0")


def test_it_runs_without_rois_and_says_so(study, tmp_path):
    build_scored_study(study, cases=6, rois=False)

    out = analyze("glioma", tmp_path)

    assert json.loads((tmp_path / "results.json").read_text())["quantitative"] == []
    assert "(without ROI statistics)" in out


def test_it_is_recorded_in_the_audit_trail(scored_study, tmp_path):
    analyze("glioma", tmp_path)

    event = AuditEvent.objects.get(action="analysis.export")
    assert event.study == scored_study
    assert event.data["via"] == "cli" and event.data["n_scores"] == 288
    assert "results.json" in event.data["files"]


def test_it_refuses_an_unknown_study(db, tmp_path):
    with pytest.raises(CommandError, match="No study with the slug 'nope'"):
        analyze("nope", tmp_path)


def test_it_says_when_there_is_nothing_to_analyse(study, tmp_path):
    build_scored_study(study, cases=2, rois=False, scores=False)

    with pytest.raises(CommandError, match="has no submitted scores yet"):
        analyze("glioma", tmp_path)
    assert not (tmp_path / "results.json").exists()


def test_it_refuses_a_margin_that_is_not_positive(scored_study, tmp_path):
    with pytest.raises(CommandError, match="must be a positive number of score points, not -1"):
        analyze("glioma", tmp_path, "--margin", "-1")
