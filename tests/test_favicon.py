"""Every page names its icon, so browsers do not ask for /favicon.ico (a 404 on every visit)."""

from __future__ import annotations

from django.contrib.staticfiles import finders


def test_pages_link_an_icon_that_exists(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/base/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("base/favicon.svg")
