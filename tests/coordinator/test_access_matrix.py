"""The access-denied matrix: every coordinator URL (pages and API, of every app) × anonymous, a
reader (bob), an outsider (charlie) and a coordinator of another study (dave).

URLs are not listed by hand: the test walks the URL configuration and takes every route under
``studies/<slug>/`` and ``api/studies/<slug>/``, so a newly added coordinator URL without
protection fails here.
"""

from __future__ import annotations

import pytest

from readerstudy.audit.models import AuditEvent
from tests.coordinator.routes import OWN_NAMESPACES, ROUTES, _url


def test_the_walk_finds_the_coordinator_urls():
    names = {name for _, namespace, name in ROUTES if namespace in OWN_NAMESPACES}
    for expected in ("overview", "open", "progress", "export", "audit", "thumbnail", "reopen"):
        assert expected in names
    assert len(ROUTES) >= 38


def _non_auth_events() -> int:
    return AuditEvent.objects.exclude(action__startswith="auth.").count()


@pytest.mark.parametrize("route,namespace,name", ROUTES, ids=[r[0] for r in ROUTES])
@pytest.mark.parametrize("who", ["anonymous", "bob", "charlie", "dave"])
def test_coordinator_urls_deny_everyone_but_the_studys_coordinators(
    client, world, who, route, namespace, name, request
):
    url, _ = _url(route, world)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    before = _non_auth_events()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        code = response.status_code
        if who == "anonymous":
            if url.startswith("/api/"):
                assert code in (401, 403), (method, url, code)
            else:
                assert code == 302 and "/accounts/login/" in response["Location"], (
                    method,
                    url,
                    code,
                )
        elif namespace in OWN_NAMESPACES:
            assert code == 404, (who, method, url, code)
        else:
            # Other apps' coordinator URLs: never a success, never a redirect into the page.
            assert code in (403, 404, 405), (who, method, url, code)
    assert _non_auth_events() == before, "a denied request changed something"


@pytest.mark.parametrize(
    "route,namespace,name",
    [r for r in ROUTES if r[1] in OWN_NAMESPACES],
    ids=[r[0] for r in ROUTES if r[1] in OWN_NAMESPACES],
)
def test_the_studys_coordinator_gets_through_the_same_urls(
    client, world, alice, route, namespace, name
):
    url, known = _url(route, world)
    assert known, f"{route}: add a value for its converter to the world fixture"
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code in (200, 405), (url, response.status_code)


def test_a_coordinator_of_x_does_not_see_y_in_the_study_list_api(client, study, other_study, dave):
    client.force_login(dave)
    slugs = [item["slug"] for item in client.get("/api/studies/").json()]
    assert slugs == ["other"]


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_readers_and_outsiders_cannot_create_studies(client, study, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/studies/new/").status_code == 403
    response = client.post("/api/studies/", {"slug": "mine"})
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_login_from_the_new_study_page(client, db):
    response = client.get("/studies/new/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
