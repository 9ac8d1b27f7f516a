"""Two-factor everywhere: a coordinator with a confirmed TOTP device whose session is signed in
with the password only gets no coordinator page or API, of any study or of none (the study list
and study creation included), until the session is verified. Routes are walked, not listed."""

from __future__ import annotations

import pytest

from readerstudy.studies.models import Study
from tests.accounts.totp import _enable
from tests.coordinator.routes import ROUTES, _url

STUDYLESS = [
    ("get", "/studies/new/"),
    ("post", "/studies/new/"),
    ("get", "/api/studies/"),
    ("post", "/api/studies/"),
]


@pytest.fixture
def password_only(client, alice):
    """alice has a confirmed device, but this session was signed in with the password only."""
    client.force_login(alice)
    _enable(client, alice)
    client.logout()
    client.force_login(alice)
    return client


def _refused(url: str, response) -> bool:
    if url.startswith("/api/"):
        return response.status_code == 403 and "two-factor" in response.json()["detail"]
    return response.status_code == 302 and "/accounts/two-factor/verify/" in response["Location"]


@pytest.mark.parametrize("method,url", STUDYLESS)
def test_study_creation_and_the_study_list_need_the_second_factor(password_only, method, url):
    response = getattr(password_only, method)(url, {"slug": "sneaky", "template": ""})
    assert _refused(url, response), (method, url, response.status_code)
    assert not Study.objects.filter(slug="sneaky").exists()


@pytest.mark.parametrize("route,namespace,name", ROUTES, ids=[r[0] for r in ROUTES])
def test_every_coordinator_url_of_a_study_needs_the_second_factor(
    password_only, world, route, namespace, name
):
    url, _ = _url(route, world)
    response = password_only.get(url)
    if response.status_code == 405:  # POST-only: the gate runs before the method check
        response = password_only.post(url)
    assert _refused(url, response), (url, response.status_code)
