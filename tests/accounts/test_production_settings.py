"""Production settings: secure cookies, HSTS and a Content Security Policy without inline scripts.

The settings module is executed afresh under a throwaway name with a production environment, so
the test sees exactly what a deployment with HTTPS=True gets.
"""

import importlib.util
from pathlib import Path

import pytest

import readerstudy

SETTINGS_FILE = Path(readerstudy.__file__).parent / "settings.py"


def _load(monkeypatch, **env):
    for name in ("DEBUG", "HTTPS", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "production-secret-for-the-test")
    monkeypatch.setenv("ALLOWED_HOSTS", "reader.example.org")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("readerstudy_settings_probe", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_https_sets_secure_cookies_hsts_and_redirects(monkeypatch):
    settings = _load(monkeypatch, DEBUG="False", HTTPS="True")
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert settings.SECURE_SSL_REDIRECT is True
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_without_https_cookies_are_not_marked_secure(monkeypatch):
    settings = _load(monkeypatch, DEBUG="False", HTTPS="False")
    assert settings.SESSION_COOKIE_SECURE is False
    assert settings.SECURE_HSTS_SECONDS == 0


def test_the_csp_forbids_inline_scripts_and_foreign_sources(monkeypatch):
    settings = _load(monkeypatch, DEBUG="False", HTTPS="True")
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2]
        for part in settings.CONTENT_SECURITY_POLICY.split(";")
    )
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in settings.CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in settings.CONTENT_SECURITY_POLICY
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_a_production_start_without_a_secret_key_fails(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SECRET_KEY", "")
    spec = importlib.util.spec_from_file_location("readerstudy_settings_probe2", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setenv("DEBUG", "False")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        spec.loader.exec_module(module)


@pytest.mark.django_db
def test_coordinator_pages_carry_the_csp_and_no_inline_scripts(client, study, alice):
    import re

    client.force_login(alice)
    for url in ("/studies/glioma/", "/studies/glioma/people/", "/studies/glioma/audit/"):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        page = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert " on" + "click=" not in page and "javascript:" not in page
