"""Input that once caused a 500 gets a 400 with a message: JSON nested deeper than the API ever
needs, CSV that the csv module cannot read (a stray carriage return, a field over 128 KB), and the
API throttles a client that floods it."""

import pytest
from rest_framework.throttling import UserRateThrottle

from readerstudy.reading.models import Assignment
from tests.studies.builders import add_cases, add_schedule

NESTED = "[" * 50_000 + "]" * 50_000


@pytest.fixture
def reading(client, study, bob):
    add_cases(study, 1)
    add_schedule(study, bob)
    client.force_login(bob)
    return client, Assignment.objects.filter(reader=bob).order_by("read_order").first()


def _task_url(assignment) -> str:
    return f"/api/reading/{assignment.study.slug}/assignments/{assignment.read_order}/"


@pytest.mark.parametrize("endpoint,method", [("draft", "put"), ("submit", "post")])
def test_deeply_nested_json_is_refused_with_a_400(reading, endpoint, method):
    client, assignment = reading
    response = getattr(client, method)(
        _task_url(assignment) + endpoint, NESTED, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


def test_moderately_nested_json_past_the_limit_is_refused_too(reading):
    client, assignment = reading
    body = "[" * 40 + "]" * 40
    response = client.put(_task_url(assignment) + "draft", body, content_type="application/json")
    assert response.status_code == 400


def test_nested_json_on_a_coordinator_endpoint_is_refused(client, study, alice):
    client.force_login(alice)
    response = client.put(
        "/api/studies/glioma/reading-plan", NESTED, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "content",
    [
        b"reader,case\nbob\rx,P001\n",  # a stray carriage return inside an unquoted field
        b"reader,case\nbob," + b"x" * 140_000 + b"\n",  # a field over the csv module's limit
    ],
    ids=["stray-cr", "huge-field"],
)
def test_a_reading_plan_csv_the_csv_module_cannot_read_gets_a_message(
    client, study, alice, content
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    add_cases(study, 1)
    client.force_login(alice)
    upload = SimpleUploadedFile("plan.csv", content, content_type="text/csv")
    response = client.post("/studies/glioma/plan/csv/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "is not valid CSV" in response.content.decode()


def test_reading_plan_rows_with_quotes_or_returns_are_checked_not_crashed(client, study, alice):
    add_cases(study, 1)
    client.force_login(alice)
    response = client.put(
        "/api/studies/glioma/reading-plan",
        {"mode": "subset", "rows": [{"reader": 'bo"b\r', "case": "P001"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "not an active reader" in response.json()["detail"]


def test_the_api_throttles_a_flooding_client(client, bob, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": None})
    cache.clear()  # earlier tests' requests of the same user id
    client.force_login(bob)
    codes = [client.get("/api/reading/worklist").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
