"""The client address behind a reverse proxy: X-Forwarded-For counts only from TRUSTED_PROXIES,
for the audit log and for the login lockout (django-axes)."""

import subprocess
import sys

import pytest
from django.test import RequestFactory, override_settings

from readerstudy.audit.client_address import client_address
from readerstudy.audit.models import AuditEvent
from tests.conftest import PASSWORD


def _request(remote: str, forwarded: str = ""):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_entry_it_added_is_the_client():
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    assert client_address(_request("10.0.0.5", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "192.168.1.1"])
def test_a_chain_of_trusted_proxies_is_skipped_from_the_right():
    request = _request("10.0.0.5", "198.51.100.7, 192.168.1.1")
    assert client_address(request) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_an_untrusted_peer_cannot_choose_its_address():
    assert client_address(_request("203.0.113.9", "10.0.0.1, 198.51.100.7")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_malformed_entry_falls_back_to_the_peer():
    assert client_address(_request("10.0.0.5", "not-an-address")) == "10.0.0.5"
    assert client_address(_request("10.0.0.5", "[2001:db8::1]:443")) == "2001:db8::1"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_audit_log_keeps_the_real_client(client, alice):
    client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",
    )
    assert AuditEvent.objects.get(action="auth.login").ip_address == "198.51.100.7"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"], AXES_FAILURE_LIMIT=3)
def test_one_client_behind_the_proxy_cannot_lock_out_another(client, bob):
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for _ in range(4):
        client.post(
            "/accounts/login/",
            {"username": "bob", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.66",
            **proxy,
        )
    attacker = client.post(
        "/accounts/login/",
        {"username": "bob", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.66",
        **proxy,
    )
    assert attacker.status_code == 429  # the attacker's own address is locked
    client.logout()
    reader = client.post(
        "/accounts/login/",
        {"username": "bob", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    assert reader.status_code == 302  # the reader, behind the same proxy, still signs in


@pytest.mark.django_db
def test_a_spoofed_header_does_not_dodge_the_lockout_without_a_trusted_proxy(client, bob):
    for number in range(6):
        client.post(
            "/accounts/login/",
            {"username": "bob", "password": "wrong"},
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "bob", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.66",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429


def test_a_malformed_setting_stops_the_server_at_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "readerstudy.settings", "DEBUG": "True",
             "TRUSTED_PROXIES": "10.0.0.0/8, proxy.local", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode != 0
    assert "TRUSTED_PROXIES has 'proxy.local'" in result.stderr
