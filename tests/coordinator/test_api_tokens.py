"""API tokens: for coordinators' scripts only, shown once, listed with their expiry, revocable,
and refused once older than API_TOKEN_TTL_DAYS (counted from their stored creation date)."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from readerstudy.audit.models import AuditEvent


def test_an_api_token_is_created_shown_once_and_audited(client, study, alice):
    client.force_login(alice)
    page = client.post("/accounts/api-token/new/").content.decode()
    key = Token.objects.get(user=alice).key
    assert key in page
    listing = client.get("/accounts/api-token/").content.decode()
    assert key not in listing and key[:4] in listing and "Expires" in listing
    client.post("/accounts/api-token/new/")
    assert Token.objects.get(user=alice).key != key
    events = AuditEvent.objects.filter(action="api_token.create").order_by("id")
    assert [e.data["replaced"] for e in events] == [False, True]


def test_a_reader_cannot_mint_a_token(client, study, bob):
    client.force_login(bob)
    page = client.get("/accounts/api-token/")
    assert (
        "for coordinators" in page.content.decode()
        and "Create a token" not in page.content.decode()
    )
    response = client.post("/accounts/api-token/new/")
    assert response.status_code == 403
    assert not Token.objects.filter(user=bob).exists()
    assert not AuditEvent.objects.filter(action="api_token.create").exists()


def test_an_outsider_cannot_mint_a_token_either(client, charlie):
    client.force_login(charlie)
    assert client.post("/accounts/api-token/new/").status_code == 403
    assert not Token.objects.filter(user=charlie).exists()


def test_anonymous_users_are_sent_to_sign_in(client, db):
    for url in ("/accounts/api-token/", "/accounts/api-token/new/", "/accounts/api-token/revoke/"):
        response = client.post(url) if url.endswith(("new/", "revoke/")) else client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_token_is_revoked_and_stops_working(client, study, alice):
    token = Token.objects.create(user=alice)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/studies/glioma/progress", **auth).status_code == 200
    client.force_login(alice)
    client.post("/accounts/api-token/revoke/")
    client.logout()
    assert not Token.objects.filter(user=alice).exists()
    assert client.get("/api/studies/glioma/progress", **auth).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=alice).exists()


def test_a_token_expires_counted_from_its_creation_date(client, study, alice):
    token = Token.objects.create(user=alice)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=89))
    assert client.get("/api/studies/glioma/progress", **auth).status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=91))
    response = client.get("/api/studies/glioma/progress", **auth)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@override_settings(API_TOKEN_TTL_DAYS=7)
def test_the_lifetime_is_a_setting(client, study, alice):
    token = Token.objects.create(user=alice)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=8))
    response = client.get("/api/studies/glioma/progress", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
