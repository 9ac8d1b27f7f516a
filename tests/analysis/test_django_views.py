"""The Analysis page, its report and downloads, and the analysis API: coordinators of the study
only (the access matrix in tests/studies walks every route for the other roles)."""

from __future__ import annotations

import json
import re

import pytest

from readerstudy.analysis.models import AnalysisRun
from readerstudy.analysis.services import analysis_run
from readerstudy.analysis.views import REPORT_CSP
from readerstudy.audit.models import AuditEvent
from tests.analysis.django_builders import build_scored_study


@pytest.fixture
def scored_study(study):
    """``study`` (alice coordinates, bob reads) with erin and frank, scored and with ROIs."""
    return build_scored_study(study)


PAGE = "/studies/glioma/analysis/"


@pytest.fixture
def coordinator(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def done_run(scored_study, alice):
    return analysis_run(study=scored_study, actor=alice)


def test_the_page_invites_a_first_run(coordinator, scored_study):
    html = coordinator.get(PAGE).content.decode()

    assert "No analysis has finished yet" in html
    assert 'id="run-analysis"' in html and 'value="0.5"' in html
    assert "<iframe" not in html and "analysis-progress.js" not in html


def test_the_run_button_runs_it_and_the_page_shows_the_report_and_downloads(
    coordinator, scored_study
):
    response = coordinator.post(PAGE + "run/", {"margin": "0.4", "adjust": "bh"})

    assert response.status_code == 302 and response["Location"] == PAGE
    run = AnalysisRun.objects.get()
    assert (run.status, run.margin, run.adjust) == ("done", 0.4, "bh")
    html = coordinator.get(PAGE).content.decode()
    frame = re.search(r"<iframe[^>]*>", html).group(0)
    assert "sandbox" in frame and f'src="{PAGE}runs/{run.pk}/report/"' in frame
    for name in run.files:
        assert f'href="{PAGE}runs/{run.pk}/files/{name}"' in html
    assert "288 scores, 3 readers, 8 cases" in html


def test_the_page_has_no_inline_script(coordinator, done_run):
    html = coordinator.get(PAGE).content.decode()

    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_a_refused_start_is_shown_as_a_message(coordinator, scored_study):
    coordinator.post(PAGE + "run/", {"margin": "-2"})

    html = coordinator.get(PAGE).content.decode()
    assert "must be a positive number of score points, not -2" in html
    assert not AnalysisRun.objects.exists()


def test_a_running_analysis_shows_progress_polled_by_the_module(coordinator, scored_study):
    run = AnalysisRun.objects.create(
        study=scored_study, margin=0.5, status="running", stage="Computing statistics", progress=20
    )

    html = coordinator.get(PAGE).content.decode()

    assert f'data-progress-url="/api/studies/glioma/analysis/runs/{run.pk}"' in html
    assert "Computing statistics" in html and 'value="20"' in html
    assert "coordinator/analysis-progress.js" in html
    assert re.search(r'id="run-analysis"\s+disabled', html)


def test_a_failed_run_shows_its_error(coordinator, scored_study):
    AnalysisRun.objects.create(
        study=scored_study, margin=0.5, status="failed", error="The analysis could not run: X."
    )

    html = coordinator.get(PAGE).content.decode()

    assert 'id="analysis-error"' in html and "The analysis could not run: X." in html


def test_the_report_has_its_own_relaxed_policy_and_may_be_framed_by_the_site_only(
    coordinator, done_run
):
    response = coordinator.get(f"{PAGE}runs/{done_run.pk}/report/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == REPORT_CSP
    assert "script-src" not in REPORT_CSP and "sandbox" in REPORT_CSP
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = response.content.decode()
    assert "<svg" in html and "Table 1. Cohort by site" in html


def test_other_pages_keep_the_strict_policy(coordinator, done_run):
    response = coordinator.get(PAGE)

    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_download_is_an_attachment_and_is_audited(coordinator, done_run, alice):
    response = coordinator.get(f"{PAGE}runs/{done_run.pk}/files/results.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="glioma-analysis-{done_run.pk}-results.json"'
    )
    assert set(json.loads(b"".join(response.streaming_content))) >= {"meta", "paired"}
    event = AuditEvent.objects.get(action="analysis.download")
    assert event.actor == alice and event.data == {"file": "results.json"}
    csv = coordinator.get(f"{PAGE}runs/{done_run.pk}/files/paired.csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("name", ["nope.csv", "..%2F..%2Fsettings.py", "report"])
def test_only_the_runs_own_outputs_can_be_downloaded(coordinator, done_run, name):
    assert coordinator.get(f"{PAGE}runs/{done_run.pk}/files/{name}").status_code == 404


def test_a_failed_run_has_no_report(coordinator, scored_study):
    run = AnalysisRun.objects.create(study=scored_study, margin=0.5, status="failed")

    assert coordinator.get(f"{PAGE}runs/{run.pk}/report/").status_code == 404


def test_a_run_of_another_study_is_not_found_here(coordinator, done_run, other_study):
    other = AnalysisRun.objects.create(study=other_study, margin=0.5, status="done")

    assert coordinator.get(f"{PAGE}runs/{other.pk}/report/").status_code == 404
    assert coordinator.get(f"/api/studies/glioma/analysis/runs/{other.pk}").status_code == 404


@pytest.mark.parametrize("who", ["bob", "charlie", "dave"])
def test_readers_outsiders_and_other_coordinators_get_404_for_a_real_run(
    client, done_run, other_study, who, request
):
    client.force_login(request.getfixturevalue(who))
    for url in (
        PAGE,
        f"{PAGE}runs/{done_run.pk}/report/",
        f"{PAGE}runs/{done_run.pk}/files/results.json",
        f"/api/studies/glioma/analysis/runs/{done_run.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(PAGE + "run/").status_code == 404
    assert AnalysisRun.objects.count() == 1


def test_the_api_starts_a_run_and_reports_its_outputs(coordinator, scored_study):
    response = coordinator.post(
        "/api/studies/glioma/analysis/runs", {"adjust": "bh"}, content_type="application/json"
    )

    assert response.status_code == 202
    data = response.json()
    assert data["status"] == "done" and data["finished"] and data["progress"] == 100
    assert data["adjust"] == "bh" and data["margin"] == 0.5 and data["created_by"] == "alice"
    assert data["report_url"] == f"{PAGE}runs/{data['id']}/report/"
    assert data["files"]["results.json"] == f"{PAGE}runs/{data['id']}/files/results.json"
    detail = coordinator.get(f"/api/studies/glioma/analysis/runs/{data['id']}").json()
    assert detail == data
    assert [r["id"] for r in coordinator.get("/api/studies/glioma/analysis/runs").json()] == [
        data["id"]
    ]


def test_the_api_refuses_bad_options_with_a_sentence(coordinator, scored_study):
    response = coordinator.post(
        "/api/studies/glioma/analysis/runs", {"margin": -1}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "must be a positive number of score points" in response.json()["detail"]


def test_the_api_shows_progress_of_a_run_under_way(coordinator, scored_study):
    run = AnalysisRun.objects.create(
        study=scored_study, margin=0.5, status="running", stage="Rendering the report", progress=70
    )

    data = coordinator.get(f"/api/studies/glioma/analysis/runs/{run.pk}").json()

    assert (data["status"], data["stage"], data["progress"], data["finished"]) == (
        "running", "Rendering the report", 70, False,
    )  # fmt: skip
    assert data["report_url"] is None and data["files"] == {}
    assert data["page_url"] == PAGE
