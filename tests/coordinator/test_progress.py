"""The live dashboard's data, reopening a task with a reason, and the dashboard page itself."""

import statistics

import pytest

from readerstudy.audit.models import AuditEvent
from readerstudy.coordinator.selectors.progress import study_progress
from readerstudy.reading.models import Assignment
from readerstudy.studies.services import membership_grant
from tests.studies.builders import add_cases, add_schedule


@pytest.fixture
def reading(study, bob):
    study.status = "open"
    study.save()
    add_cases(study, 2)
    add_schedule(study, bob, submit=3, draft=1)
    kim = membership_grant(
        study=study, username="kim", role="reader", site=study.sites.get(name="SNUH")
    ).user
    add_schedule(study, kim, submit=6, seed=2)
    return study


def _reader(data, username):
    for site in data["sites"]:
        for row in site["readers"]:
            if row["username"] == username:
                return site["site"], row
    raise AssertionError(username)


def test_per_reader_progress_is_grouped_by_site(reading):
    data = study_progress(reading)
    site, bob = _reader(data, "bob")
    assert site == "NYU"
    assert (bob["done"], bob["total"], bob["drafts"]) == (3, 6, 1)
    seconds = [
        a.active_seconds
        for a in Assignment.objects.filter(reader__username="bob", status="submitted")
    ]
    assert bob["median_seconds"] == round(statistics.median(seconds), 1)
    assert bob["total_seconds"] == round(sum(seconds), 1)
    assert bob["last_activity"]
    assert _reader(data, "kim")[0] == "SNUH"
    assert data["totals"] == {"done": 9, "total": 12, "drafts": 1, "readers": 2}


def test_per_case_progress_counts_readers_done_with_every_sequence(reading):
    cases = {row["case"]: row for row in study_progress(reading)["cases"]}
    assert cases["P001"] == {"case": "P001", "site": "NYU", "readers_done": 2, "readers_total": 2}
    assert cases["P002"]["readers_done"] == 1  # bob has read only one of its three sequences


def test_the_timeline_climbs_to_the_number_of_submitted_tasks(reading):
    timeline = study_progress(reading)["timeline"]
    assert [p["done"] for p in timeline] == list(range(1, 10))
    assert timeline == sorted(timeline, key=lambda p: p["at"])


def test_the_progress_api_answers_json_for_the_dashboard(client, reading, alice):
    client.force_login(alice)
    response = client.get("/api/studies/glioma/progress")
    assert response.status_code == 200
    assert response.json()["totals"]["done"] == 9


def test_the_dashboard_page_loads_its_script_as_a_module_without_inline_code(
    client, reading, alice
):
    client.force_login(alice)
    page = client.get("/studies/glioma/progress/").content.decode()
    assert '<script type="module" src="/static/coordinator/dashboard.js"></script>' in page
    assert 'data-url="/api/studies/glioma/progress"' in page
    import re

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script found"
    assert "unsafe-inline" not in client.get("/studies/glioma/progress/")["Content-Security-Policy"]


def test_a_coordinator_reopens_a_task_with_a_reason(client, reading, alice):
    assignment = Assignment.objects.get(reader__username="bob", read_order=1)
    membership = reading.memberships.get(user__username="bob")
    client.force_login(alice)
    response = client.post(
        f"/studies/glioma/assignments/{assignment.pk}/reopen/", {"reason": "Scored the wrong pane"}
    )
    assert response["Location"] == f"/studies/glioma/readers/{membership.pk}/tasks/"
    assignment.refresh_from_db()
    assert assignment.status == "draft" and assignment.reopened_count == 1
    event = AuditEvent.objects.get(action="assignment.reopen")
    assert event.data["reason"] == "Scored the wrong pane" and event.actor_name == "alice"


def test_reopening_without_a_reason_is_refused(client, reading, alice):
    assignment = Assignment.objects.get(reader__username="bob", read_order=1)
    client.force_login(alice)
    page = client.post(
        f"/studies/glioma/assignments/{assignment.pk}/reopen/", {"reason": " "}, follow=True
    ).content.decode()
    assert "Give a reason for reopening" in page
    assignment.refresh_from_db()
    assert assignment.status == "submitted"


def test_the_reader_task_list_offers_reopening_only_for_submitted_tasks(client, reading, alice):
    membership = reading.memberships.get(user__username="bob")
    client.force_login(alice)
    page = client.get(f"/studies/glioma/readers/{membership.pk}/tasks/").content.decode()
    assert page.count('placeholder="Reason (recorded)"') == 3


def test_the_reopen_api_needs_a_reason_and_reopens(client, reading, alice):
    assignment = Assignment.objects.get(reader__username="bob", read_order=2)
    client.force_login(alice)
    url = f"/api/studies/glioma/assignments/{assignment.pk}/reopen"
    assert client.post(url, {}, content_type="application/json").status_code == 400
    response = client.post(url, {"reason": "Typo"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
