"""Analysis runs: the service records and enqueues, the task (inline in tests: ImmediateBackend)
stores results.json, report.html and the CSV tables in the default storage, failures are
recorded as sentences."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from readerstudy.analysis import selectors
from readerstudy.analysis.models import AnalysisRun
from readerstudy.analysis.report.tables import TABLE_NAMES
from readerstudy.analysis.services import analysis_run
from readerstudy.analysis.stats.results import RESULT_KEYS
from readerstudy.audit.models import AuditEvent
from tests.accounts.totp import _enable
from tests.analysis.django_builders import build_scored_study


@pytest.fixture
def scored_study(study):
    """``study`` (alice coordinates, bob reads) with erin and frank, scored and with ROIs."""
    return build_scored_study(study)


def test_a_run_stores_every_output_under_an_opaque_prefix(scored_study, alice):
    run = analysis_run(study=scored_study, actor=alice)

    assert run.status == AnalysisRun.Status.DONE, run.error
    assert run.progress == 100 and run.stage == "Done" and run.finished_at is not None
    assert set(run.files) == {"results.json", "report.html"} | {f"{n}.csv" for n in TABLE_NAMES}
    for name, key in run.files.items():
        assert key == f"{run.storage_prefix}{name}" and default_storage.exists(key)
    assert run.storage_prefix.startswith("analysis/") and "glioma" not in run.storage_prefix
    with default_storage.open(run.files["results.json"]) as handle:
        results = json.load(handle)
    assert set(results) == set(RESULT_KEYS) and results["quantitative"]
    assert run.summary == {
        "n_scores": 288, "n_readers": 3, "n_cases": 8, "n_sites": 1, "scale": [1, 5],
        "quantitative": True,
    }  # fmt: skip
    assert run.created_by == alice and run.task_id


def test_two_runs_never_share_a_prefix(scored_study, alice):
    first = analysis_run(study=scored_study, actor=alice)
    second = analysis_run(study=scored_study, actor=alice, adjust="bh", margin=0.25)

    assert first.storage_prefix != second.storage_prefix
    assert (second.adjust, second.margin) == ("bh", 0.25)
    assert selectors.latest_run(scored_study) == second


def test_the_margin_defaults_to_the_studys(scored_study, alice):
    scored_study.noninferiority_margin = 0.8
    scored_study.save()

    assert analysis_run(study=scored_study, actor=alice).margin == 0.8


def test_starting_a_run_is_audited(scored_study, alice):
    run = analysis_run(study=scored_study, actor=alice, adjust="bh")

    event = AuditEvent.objects.get(action="analysis.run")
    assert event.actor == alice and event.target_id == str(run.pk)
    assert event.data == {"margin": 0.5, "adjust": "bh"}


def test_an_unexpected_failure_is_recorded_and_nothing_is_stored(scored_study, alice, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(selectors, "study_analysis", broken)

    run = analysis_run(study=scored_study, actor=alice)

    assert run.status == AnalysisRun.Status.FAILED and run.files == {}
    assert run.error.startswith("The analysis stopped because of an unexpected error")
    assert "RuntimeError: the disk is on fire" in run.error
    assert run.finished_at is not None


def test_a_study_without_submitted_scores_fails_with_a_sentence(study, alice):
    build_scored_study(study, cases=2, rois=False, scores=False)

    run = analysis_run(study=study, actor=alice)

    assert run.status == AnalysisRun.Status.FAILED
    assert run.error == (
        "The analysis could not run: The study 'glioma' has no submitted scores yet; the "
        "analysis needs at least one submitted task."
    )


def test_a_storage_failure_removes_what_was_already_stored(scored_study, alice, monkeypatch):
    saved = []
    original = default_storage.save

    def flaky(name, content, **kwargs):
        if len(saved) == 2:
            raise OSError("No space left on device")
        saved.append(original(name, content, **kwargs))
        return saved[-1]

    monkeypatch.setattr(default_storage, "save", flaky)

    run = analysis_run(study=scored_study, actor=alice)

    assert run.status == AnalysisRun.Status.FAILED and "No space left on device" in run.error
    assert len(saved) == 2 and not any(default_storage.exists(key) for key in saved)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"margin": 0}, "must be a positive number of score points, not 0"),
        ({"margin": "half"}, "must be a number of score points, not 'half'"),
        ({"margin": float("nan")}, "must be a positive number"),
        ({"adjust": "bonferroni"}, 'Unknown multiplicity adjustment "bonferroni"'),
    ],
)
def test_it_refuses_bad_options_and_records_nothing(scored_study, alice, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        analysis_run(study=scored_study, actor=alice, **kwargs)
    assert not AnalysisRun.objects.exists()
    assert not AuditEvent.objects.filter(action="analysis.run").exists()


def test_a_second_run_waits_for_the_one_under_way(scored_study, alice):
    AnalysisRun.objects.create(study=scored_study, margin=0.5, status="running")

    with pytest.raises(ValidationError, match="already running"):
        analysis_run(study=scored_study, actor=alice)


def test_a_stuck_run_no_longer_blocks(scored_study, alice):
    stuck = AnalysisRun.objects.create(study=scored_study, margin=0.5, status="queued")
    AnalysisRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=1))

    assert analysis_run(study=scored_study, actor=alice).status == AnalysisRun.Status.DONE


def test_the_database_refuses_a_bad_status_margin_or_progress(scored_study):
    from django.db import IntegrityError, transaction

    for fields in ({"status": "lost"}, {"margin": 0}, {"progress": 101}, {"adjust": "x"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            AnalysisRun.objects.create(study=scored_study, **({"margin": 0.5} | fields))


def test_a_superuser_can_inspect_runs_in_the_admin(client, scored_study, alice, django_user_model):
    run = analysis_run(study=scored_study, actor=alice)
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    _enable(client, admin)  # staff reach the admin through two-factor

    assert client.get("/admin/analysis/analysisrun/").status_code == 200
    assert client.get(f"/admin/analysis/analysisrun/{run.pk}/change/").status_code == 200
