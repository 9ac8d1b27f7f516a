"""Sequential design: one pane per task, session 2 only after session 1 plus the washout."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from readerstudy.reading.models import Assignment, Pane, Schedule
from tests.reading.conftest import open_sequential


def _submit(client, number):
    body = json.dumps({"scores": {"A": {"noise": 3}}, "active_seconds": 5})
    return client.post(
        f"/api/reading/glioma/assignments/{number}/submit", body, content_type="application/json"
    )


def test_a_sequential_task_has_one_pane(sequential, bob_client):
    detail = bob_client.get("/api/reading/glioma/assignments/1/").json()
    assert [p["name"] for p in detail["panes"]] == ["A"]
    assert detail["scores"] == {"A": {}}
    assert detail["assignment"]["ask_preference"] is False
    assert detail["assignment"]["total"] == 6
    response = bob_client.put(
        "/api/reading/glioma/assignments/1/draft",
        json.dumps({"scores": {"B": {"noise": 3}}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Unknown pane 'B'" in response.json()["errors"]["B"]


def test_session_2_is_closed_until_session_1_is_done_and_the_washout_has_passed(
    sequential, bob, bob_client
):
    session2 = Assignment.objects.get(reader=bob, read_order=4)
    assert session2.session == 2
    token = Pane.objects.get(assignment=session2).token
    urls = ["/api/reading/glioma/assignments/4/", f"/api/reading/panes/{token}/slices"]
    for url in urls:
        response = bob_client.get(url)
        assert response.status_code == 403
        assert "Session 2 opens" in response.json()["detail"]
    assert bob_client.get("/read/glioma/4/").status_code == 403
    draft = bob_client.put(
        "/api/reading/glioma/assignments/4/draft",
        json.dumps({"scores": {"A": {"noise": 3}}}),
        content_type="application/json",
    )
    assert draft.status_code == 403

    html = bob_client.get("/read/").content.decode()
    assert "Session 2 opens 28 days after you finish session 1." in html

    for number in (1, 2, 3):
        assert _submit(bob_client, number).status_code == 200
    schedule = Schedule.objects.get(reader=bob)
    assert schedule.session1_completed_at is not None
    opens = schedule.session1_completed_at + timedelta(days=28)
    html = bob_client.get("/read/").content.decode()
    assert f"Session 2 opens on {opens:%-d %B %Y, %H:%M} UTC." in html
    # The worklist has nothing to continue with during the washout.
    assert bob_client.get("/api/reading/worklist").json()["studies"][0]["continue_url"] is None
    for url in urls:  # the washout date is known now, and not yet reached
        response = bob_client.get(url)
        assert response.status_code == 403
        assert f"{opens:%Y-%m-%d}" in json.dumps(response.json())

    schedule.session1_completed_at = timezone.now() - timedelta(days=28, seconds=1)
    schedule.save()
    for url in urls:
        assert bob_client.get(url).status_code == 200
    assert bob_client.get("/read/glioma/4/").status_code == 200
    worklist = bob_client.get("/api/reading/worklist").json()["studies"][0]
    assert worklist["continue_url"] == "/read/glioma/4/"
    assert worklist["session2_opens_at"] is not None


def test_session_1_completion_is_stamped_only_by_the_last_session_1_submit(
    sequential, bob, bob_client
):
    _submit(bob_client, 1)
    _submit(bob_client, 2)
    assert Schedule.objects.get(reader=bob).session1_completed_at is None
    _submit(bob_client, 3)
    assert Schedule.objects.get(reader=bob).session1_completed_at is not None


def test_next_url_in_session_1_does_not_point_into_a_closed_session_2(sequential, bob_client):
    _submit(bob_client, 1)
    _submit(bob_client, 2)
    detail = bob_client.get("/api/reading/glioma/assignments/3/").json()
    assert detail["next_url"] is None
    assert _submit(bob_client, 3).json()["next_url"] is None


def test_a_zero_day_washout_opens_session_2_at_once(study, bob, bob_client):
    open_sequential(study, washout_days=0, cases=1, seed=1)
    assert _submit(bob_client, 1).json()["next_url"] == "/read/glioma/2/"
