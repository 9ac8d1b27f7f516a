"""The browser tests skip without chromium, and fail instead when CI requires a browser."""

from pathlib import Path

import pytest

import tests.browser.conftest as bc


def test_a_missing_chromium_skips_unless_a_browser_is_required(monkeypatch):
    monkeypatch.setattr(bc, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("READERSTUDY_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="need Chromium at /nonexistent/chromium"):
        bc._require_browser()
    monkeypatch.setenv("READERSTUDY_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="READERSTUDY_REQUIRE_BROWSER=1"):
        bc._require_browser()
