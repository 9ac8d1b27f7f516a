"""Playwright fixtures: Debian's chromium against pytest-django's live server.

The browser is ``$CHROMIUM_PATH`` (default Debian's /usr/bin/chromium). Skipped with a clear message
when it is missing, unless READERSTUDY_REQUIRE_BROWSER=1 (CI), in which case a missing browser is a
failure. Never downloads a browser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readerstudy.reading.services import study_open
from tests.conftest import PASSWORD
from tests.factories import add_cases, keep_criteria, keep_sequences

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
# it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"Browser tests need Chromium at {CHROMIUM} (apt-get install chromium, or set "
        "CHROMIUM_PATH)."
    )
    if os.environ.get("READERSTUDY_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " READERSTUDY_REQUIRE_BROWSER=1 makes this a failure.")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1600, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def reading_study(transactional_db, study, bob, settings):
    """The glioma study trimmed to two sequences × three criteria, four cases, open, bob reads."""
    settings.READING_PIXEL_PREWARM = False
    bob.set_password(PASSWORD)
    bob.save()
    keep_sequences(study, ["T2W", "FLAIR"])
    keep_criteria(study, ["overall_quality", "noise", "lesion_conspicuity"])
    add_cases(study, 4, shape=(9, 96, 96))
    study_open(study=study, seed=2026)
    study.refresh_from_db()
    return study


def log_in(page, username: str = "bob", password: str = PASSWORD, next_url: str = "/read/"):
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_url}")
