"""Access denied, for every reading page and endpoint and every role that is not the owner.

alice coordinates the study (coordinators do not read), bob reads it, erin is another reader of
the same study, charlie is an outsider, gina reads only another study.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from readerstudy.reading.models import Pane
from readerstudy.reading.services import study_open
from readerstudy.studies.models import Membership, Study
from tests.conftest import PASSWORD
from tests.factories import add_cases, add_reader, keep_criteria, keep_sequences

ANSWERS = json.dumps({"scores": {}, "comment": "", "preference": None, "active_seconds": 1})


def _endpoints(token: str, read_order: int = 1) -> list[tuple[str, str]]:
    return [
        ("get", "/read/glioma/"),
        ("get", f"/read/glioma/{read_order}/"),
        ("post", f"/read/glioma/{read_order}/reopen"),
        ("get", "/api/reading/glioma/assignments"),
        ("get", "/api/reading/glioma/assignments/next"),
        ("get", f"/api/reading/glioma/assignments/{read_order}/"),
        ("put", f"/api/reading/glioma/assignments/{read_order}/draft"),
        ("post", f"/api/reading/glioma/assignments/{read_order}/submit"),
        ("get", f"/api/reading/panes/{token}/slices?start=0&stop=2"),
    ]


def _call(client: Client, method: str, url: str):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, ANSWERS, content_type="application/json")


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def bob_token(opened, bob) -> str:
    return Pane.objects.filter(assignment__reader=bob, assignment__read_order=1).first().token


@pytest.fixture
def gina(other_study, dave):
    """A reader of another open study only."""
    keep_sequences(other_study, ["T2W"])
    keep_criteria(other_study, ["noise"])
    add_cases(other_study, 2, identifier_prefix="OT")
    user = add_reader(other_study, "gina", password=PASSWORD)
    study_open(study=other_study, seed=7)
    return user


def test_the_owner_reaches_every_endpoint(opened, bob, bob_token):
    client = _client(bob)
    for method, url in _endpoints(bob_token):
        response = _call(client, method, url)
        if url.endswith("/reopen"):
            assert response.status_code == 404  # this study allows no revisions
        elif url.endswith("/submit"):
            assert response.status_code == 400  # scores missing, but reached
        else:
            assert response.status_code == 200, url


def test_anonymous_users_are_sent_to_log_in_or_refused(opened, bob_token):
    client = _client(None)
    assert client.get("/read/").status_code == 302
    assert client.get("/api/reading/worklist").status_code in (401, 403)
    for method, url in _endpoints(bob_token):
        response = _call(client, method, url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), url
            assert bob_token not in response.content.decode()
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["charlie", "alice", "gina"])
def test_outsiders_coordinators_and_other_studies_readers_get_404(request, opened, bob_token, who):
    user = request.getfixturevalue(who)
    client = _client(user)
    for method, url in _endpoints(bob_token):
        response = _call(client, method, url)
        assert response.status_code == 404, (who, url)
        assert bob_token not in response.content.decode()
    worklist = client.get("/api/reading/worklist").json()
    assert all(study["slug"] != "glioma" for study in worklist["studies"])
    assert "glioma" not in client.get("/read/").content.decode()


def test_a_coordinator_with_no_reader_role_sees_no_reading(opened, alice):
    client = _client(alice)
    assert client.get("/api/reading/worklist").json() == {"studies": []}


def test_another_reader_of_the_same_study_cannot_use_bobs_tokens(opened, bob, bob_token):
    erin = Membership.objects.get(study=opened, user__username="erin").user
    client = _client(erin)
    response = client.get(f"/api/reading/panes/{bob_token}/slices")
    assert response.status_code == 404
    # erin's own assignment 1 is hers: none of bob's tokens appear in it.
    detail = client.get("/api/reading/glioma/assignments/1/").content.decode()
    for token in Pane.objects.filter(assignment__reader=bob).values_list("token", flat=True):
        assert token not in detail
    # And bob cannot use erin's tokens either.
    erin_token = Pane.objects.filter(assignment__reader=erin).first().token
    assert _client(bob).get(f"/api/reading/panes/{erin_token}/slices").status_code == 404


def test_read_orders_beyond_the_readers_own_answer_404(opened, bob):
    client = _client(bob)
    for url in ("/read/glioma/7/", "/api/reading/glioma/assignments/7/", "/read/glioma/0/"):
        assert client.get(url).status_code == 404, url
    response = client.put(
        "/api/reading/glioma/assignments/99/draft", ANSWERS, content_type="application/json"
    )
    assert response.status_code == 404


def test_an_unknown_token_answers_404(opened, bob):
    client = _client(bob)
    assert client.get("/api/reading/panes/not-a-token/slices").status_code == 404
    assert client.get("/api/reading/panes/" + "x" * 80 + "/slices").status_code == 404


@pytest.mark.parametrize("status", [Study.Status.CLOSED, Study.Status.DRAFT])
def test_a_study_that_is_not_open_answers_404_everywhere(opened, bob, bob_token, status):
    opened.status = status
    opened.save()
    client = _client(bob)
    for method, url in _endpoints(bob_token):
        assert _call(client, method, url).status_code == 404, url
    assert client.get("/api/reading/worklist").json() == {"studies": []}


def test_a_deactivated_reader_answers_404_everywhere(opened, bob, bob_token):
    Membership.objects.filter(user=bob, study=opened).update(is_active=False)
    client = _client(bob)
    for method, url in _endpoints(bob_token):
        assert _call(client, method, url).status_code == 404, url


def test_a_reader_cannot_reach_coordinator_pages_or_the_unblinding_key(opened, bob):
    client = _client(bob)
    for url in ("/studies/glioma/", "/admin/reading/pane/", "/admin/"):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        if response.status_code == 302:
            assert "/login/" in response["Location"]


def test_the_reader_reopen_works_only_where_revisions_are_allowed(opened, bob):
    client = _client(bob)
    scores = {"A": {"overall_quality": 4, "noise": 4}, "B": {"overall_quality": 3, "noise": 3}}
    payload = json.dumps({"scores": scores, "active_seconds": 3})
    client.post(
        "/api/reading/glioma/assignments/1/submit", payload, content_type="application/json"
    )
    assert client.post("/read/glioma/1/reopen").status_code == 404
    opened.allow_revisions = True
    opened.save()
    response = client.post("/read/glioma/1/reopen")
    assert response.status_code == 302 and response["Location"] == "/read/glioma/1/"
    assert (
        client.get("/api/reading/glioma/assignments/1/").json()["assignment"]["status"] == "draft"
    )
    assert client.get("/read/glioma/1/reopen").status_code == 405
