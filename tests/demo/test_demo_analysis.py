"""make_demo_study's completed demo: simulated scores through the reading services, demo ROIs on
the phantom, one analysis run, and what the demo must show: the enhanced arm has higher SNR and
higher quality scores.

Truth for the SNR: the phantom's enhanced reconstruction scales the noise by 0.35
(``phantom_noise.RECONSTRUCTIONS``) and keeps tissue means, so in homogeneous white matter the
apparent SNR mean/SD rises by about 1 / 0.35 = 2.86 (Gudbjartsson & Patz 1995, high-SNR limit of
Rician noise).
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from readerstudy.analysis.models import AnalysisRun
from readerstudy.audit.models import AuditEvent
from readerstudy.demo.phantom.noise import RECONSTRUCTIONS
from readerstudy.imaging.models import ROI, Series
from readerstudy.reading.models import Assignment, Rating
from readerstudy.reading.selectors.frame import ratings_frame
from readerstudy.studies.models import Membership, Study


@pytest.fixture
def var_dir(tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        yield tmp_path


def make_demo(**options) -> str:
    out = io.StringIO()
    call_command("make_demo_study", no_progress=True, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_the_completed_demo_shows_higher_snr_and_quality_for_the_enhanced_arm(db, var_dir):
    out = make_demo(cases=4, matrix=96, slices=8)

    study = Study.objects.get(slug="demo-completed")
    assert study.title == "Demo: completed study with simulated scores" and study.is_open
    assignments = Assignment.objects.filter(study=study)
    assert assignments.count() == 4 * 3 * 3
    assert not assignments.exclude(status="submitted").exists()
    # Every score went through the reading services: one audited change each, one submit per task.
    ratings = Rating.objects.filter(assignment__study=study).count()
    assert ratings == 4 * 3 * 3 * 2 * 7
    assert AuditEvent.objects.filter(study=study, action="rating.change").count() == ratings
    assert AuditEvent.objects.filter(study=study, action="assignment.submit").count() == 36
    frame = ratings_frame(study)
    assert (frame["started_at"] != "").all() and (frame["submitted_at"] != "").all()
    assert (frame["duration_s"] > 0).all()
    run = AnalysisRun.objects.get(study=study)
    assert run.status == "done" and run.summary["quantitative"], run.error
    assert "coordinator finds the completed study's report at" in out

    call_command("analyze", "demo-completed", "--out", str(var_dir / "out"), stdout=io.StringIO())
    results = json.loads((var_dir / "out" / "results.json").read_text())

    expected = 1 / RECONSTRUCTIONS["enhanced"].noise_scale
    snr = {q["sequence"]: q for q in results["quantitative"] if q["metric"] == "snr_white_matter"}
    assert set(snr) == {"T2W", "FLAIR", "T1CE"}
    for sequence, row in snr.items():
        ratio = row["enhanced"]["mean"] / row["conventional"]["mean"]
        assert 0.8 * expected < ratio < 1.2 * expected, (sequence, ratio)
        assert row["mean_difference"]["ci95"][0] > 0
    pooled = {(r["sequence"], r["criterion"]): r for r in results["paired"] if r["reader"] == "all"}
    for sequence in ("T2W", "FLAIR", "T1CE"):
        for criterion in ("overall_quality", "noise"):
            row = pooled[sequence, criterion]
            assert row["enhanced"]["mean"] > row["conventional"]["mean"], (sequence, criterion)
            assert row["improved"] > row["worse"]


def test_running_it_again_duplicates_nothing_and_says_so(db, var_dir):
    make_demo(cases=3, matrix=32, slices=4)

    def counts():
        return {
            model.__name__: model.objects.count()
            for model in (Study, Membership, Series, ROI, Assignment, Rating, AnalysisRun)
        } | {"events": AuditEvent.objects.exclude(action="import.run").count()}

    before = counts()
    out = make_demo(cases=3, matrix=32, slices=4)

    assert counts() == before
    assert "The demo study 'demo' already exists (3 cases, 18 series); nothing was changed." in out
    assert (
        "The demo study 'demo-completed' already exists (3 cases, 18 series, 27 submitted "
        "tasks); nothing was changed."
    ) in out
    # The same four accounts serve both studies.
    for slug in ("demo", "demo-completed"):
        assert set(
            Membership.objects.filter(study__slug=slug).values_list("user__username", flat=True)
        ) == {"coordinator", "reader-nyu", "reader-severance", "reader-snuh"}
    assert "reader       reader-nyu        demo-reader       NYU        demo, demo-completed" in out


def test_the_demo_opens_for_reading_with_rois(db, var_dir):
    make_demo(cases=3, matrix=32, slices=4)

    demo = Study.objects.get(slug="demo")
    assert demo.is_open and demo.randomization_seed == 2025
    assert Assignment.objects.filter(study=demo, status="pending").count() == 3 * 3 * 3
    assert ROI.objects.filter(case__study=demo).exists()
    assert not Rating.objects.filter(assignment__study=demo).exists()
