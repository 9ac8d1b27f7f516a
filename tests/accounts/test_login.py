import pytest
from django.test import override_settings

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_the_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_home_lists_only_the_users_own_studies(client, study, other_study, bob):
    client.force_login(bob)
    response = client.get("/")
    assert b"Glioma DL study" in response.content
    assert b"Someone else" not in response.content


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failed_logins_are_throttled_even_with_the_right_password(client, alice):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_every_response_carries_a_csp_without_inline_scripts(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.django_db
@override_settings(SESSION_IDLE_TIMEOUT_SECONDS=60)
def test_idle_sessions_time_out(client, alice, monkeypatch):
    import time

    client.force_login(alice)
    assert client.get("/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3600)
    response = client.get("/")
    assert response.status_code == 302
