"""The reader's server-rendered pages: worklist, the study's list of assignments, reading page."""

from __future__ import annotations

import json
import re

import pytest

from readerstudy.reading.views.pages import duration

SCORES = {"A": {"overall_quality": 4, "noise": 4}, "B": {"overall_quality": 3, "noise": 3}}


def _submit(client, number, seconds=30):
    body = json.dumps({"scores": SCORES, "active_seconds": seconds})
    return client.post(
        f"/api/reading/glioma/assignments/{number}/submit", body, content_type="application/json"
    )


@pytest.mark.parametrize("probes", [True, False])
def test_the_reading_page_asks_for_test_probes_only_when_the_setting_is_on(
    opened, bob_client, settings, probes
):
    settings.FRONTEND_TEST_PROBES = probes
    html = bob_client.get("/read/glioma/3/").content.decode()
    root = re.findall(r"<div id=\"reading-app\"[^>]*></div>", html)[0]
    assert ("data-test-probes" in root) is probes
    assert html.count("data-test-probes") == int(probes)


def test_the_reading_page_holds_only_the_app_root_and_its_assets(opened, bob_client):
    response = bob_client.get("/read/glioma/3/")
    assert response.status_code == 200
    html = response.content.decode()
    root = re.findall(r"<div id=\"reading-app\"[^>]*></div>", html)
    assert len(root) == 1
    assert 'data-assignment-url="/api/reading/glioma/assignments/3/"' in root[0]
    assert 'data-worklist-url="/read/"' in root[0]
    key = re.search(r'data-reader="([0-9a-f]+)"', root[0]).group(1)
    assert len(key) == 32 and "bob" not in key
    assert '<link rel="stylesheet" href="/static/viewer/viewer.css">' in html
    assert '<link rel="stylesheet" href="/static/reading/reading.css">' in html
    assert '<script type="module" src="/static/reading/main.js"></script>' in html
    # No inline scripts and no inline styles (the CSP forbids them).
    assert len(re.findall(r"<script", html)) == 1
    assert "style=" not in html and "<style" not in html
    assert "site-header" not in html  # no bright chrome around the images
    assert "Case 3" in html
    assert response.cookies.get("csrftoken")


def test_the_reader_key_differs_between_readers(opened, bob_client, client):
    from readerstudy.studies.models import Membership

    erin = Membership.objects.get(user__username="erin").user
    client.force_login(erin)
    pattern = r'data-reader="([0-9a-f]+)"'
    mine = re.search(pattern, bob_client.get("/read/glioma/1/").content.decode()).group(1)
    hers = re.search(pattern, client.get("/read/glioma/1/").content.decode()).group(1)
    assert mine != hers


def test_the_worklist_shows_progress_time_and_one_continue_button(opened, bob_client):
    _submit(bob_client, 1, seconds=125)
    html = bob_client.get("/read/").content.decode()
    assert "<strong>1</strong> of 6 cases done" in html
    assert "Time spent: 2 min" in html
    continues = re.findall(r'<a class="button primary continue" href="([^"]+)"', html)
    assert continues == ["/read/glioma/2/"]
    assert "Submitted cases (1)" in html
    assert "Reopen to revise" not in html


def test_the_worklist_offers_reopen_only_when_the_study_allows_revisions(opened, bob_client):
    opened.allow_revisions = True
    opened.save()
    _submit(bob_client, 1)
    html = bob_client.get("/read/").content.decode()
    assert 'action="/read/glioma/1/reopen"' in html


def test_the_worklist_says_when_everything_is_done(opened, bob_client):
    for number in range(1, 7):
        assert _submit(bob_client, number).status_code == 200
    html = bob_client.get("/read/").content.decode()
    assert "All cases are done" in html
    assert 'class="button primary continue"' not in html


def test_the_study_page_lists_every_assignment_in_the_readers_order(opened, bob_client):
    _submit(bob_client, 2)
    html = bob_client.get("/read/glioma/").content.decode()
    labels = re.findall(r">(Case \d+)</a>", html)
    assert labels == [f"Case {n}" for n in range(1, 7)]
    assert "Submitted" in html and "Not started" in html


def test_a_reader_with_no_open_study_is_told_so(study, bob_client):
    html = bob_client.get("/read/").content.decode()
    assert "No study is open for you to read right now." in html


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0 s"), (42.4, "42 s"), (60, "1 min"), (3725, "1 h 02 min")]
)
def test_durations_read_naturally(seconds, text):
    assert duration(seconds) == text
