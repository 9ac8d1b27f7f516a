"""The OpenAPI schema and the interactive docs are for signed-in users only."""

import pytest


@pytest.mark.django_db
def test_anonymous_users_get_neither_the_schema_nor_the_docs(client):
    assert client.get("/api/schema/").status_code in (401, 403)
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]


def test_signed_in_users_get_both(client, bob):
    client.force_login(bob)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
