"""Optional TOTP two-factor authentication for coordinators (django-otp), and API tokens."""

import re

from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from readerstudy.audit.models import AuditEvent
from tests.accounts.totp import _code, _enable, _fresh
from tests.conftest import PASSWORD


def test_the_setup_page_shows_the_otpauth_uri_and_secret(client, alice):
    client.force_login(alice)
    page = client.post("/accounts/two-factor/", {"action": "start"}).content.decode()
    assert re.search(r'value="otpauth://totp/alice\?secret=[A-Z2-7]+', page)
    assert 'id="otp-secret"' in page


def test_a_wrong_code_does_not_confirm_the_device(client, alice):
    client.force_login(alice)
    client.post("/accounts/two-factor/", {"action": "start"})
    page = client.post("/accounts/two-factor/", {"action": "confirm", "token": "000000"})
    assert "did not match" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()


def test_a_confirmed_device_is_required_for_coordinator_pages_in_each_new_session(
    client, study, alice
):
    client.force_login(alice)
    device = _enable(client, alice)
    assert device.confirmed
    assert AuditEvent.objects.filter(action="otp.enable", actor=alice).exists()
    assert client.get("/studies/glioma/").status_code == 200  # this session was verified

    client.logout()
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    response = client.get("/studies/glioma/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fstudies%2Fglioma%2F"
    assert client.get("/api/studies/glioma/progress").status_code == 403

    bad = client.post(
        "/accounts/two-factor/verify/", {"token": "123456", "next": "/studies/glioma/"}
    )
    assert "did not match" in bad.content.decode()
    response = client.post(
        "/accounts/two-factor/verify/", {"token": _code(_fresh(device)), "next": "/studies/glioma/"}
    )
    assert response.status_code == 302 and response["Location"] == "/studies/glioma/"
    assert client.get("/studies/glioma/").status_code == 200
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"otp.verify_failed", "otp.verify"} <= actions


def test_outsiders_with_a_device_still_get_404_not_the_two_factor_prompt(client, study, charlie):
    client.force_login(charlie)
    _enable(client, charlie)
    client.logout()
    client.force_login(charlie)
    assert client.get("/studies/glioma/").status_code == 404


def test_token_authenticated_scripts_are_not_asked_for_a_code(client, study, alice):
    client.force_login(alice)
    _enable(client, alice)
    token = Token.objects.create(user=alice)
    client.logout()
    response = client.get("/api/studies/glioma/progress", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_the_verify_step_refuses_an_offsite_next(client, alice):
    client.force_login(alice)
    device = _enable(client, alice)
    client.logout()
    client.force_login(alice)
    response = client.post(
        "/accounts/two-factor/verify/",
        {"token": _code(_fresh(device)), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_two_factor_can_be_turned_off_with_a_current_code(client, alice):
    client.force_login(alice)
    device = _enable(client, alice)
    client.post("/accounts/two-factor/", {"action": "disable", "token": _code(_fresh(device))})
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(action="otp.disable").exists()


def test_the_import_pages_ask_for_the_code_like_every_other_coordinator_page(client, study, alice):
    from readerstudy.imaging.models import ImportJob

    job = ImportJob.objects.create(study=study, created_by=alice, source_name="x.zip")
    client.force_login(alice)
    _enable(client, alice)
    client.logout()
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    for url in ("/studies/glioma/imports/new/", f"/studies/glioma/imports/{job.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/verify/?next=")
    assert client.get(f"/api/studies/glioma/imports/{job.pk}/progress/").status_code == 403
