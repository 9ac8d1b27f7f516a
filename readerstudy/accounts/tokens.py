"""API tokens for coordinators' scripts: ``Authorization: Token <key>`` that expires.

Every token expires ``API_TOKEN_TTL_DAYS`` (default 90) after its stored creation date, whatever
it was used for; an expired token is refused with a sentence saying how to get a new one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> timedelta:
    return timedelta(days=int(getattr(settings, "API_TOKEN_TTL_DAYS", 90)))


def token_expires_at(token: Token) -> datetime:
    return token.created + token_lifetime()


def token_is_expired(token: Token, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens past their lifetime."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            raise exceptions.AuthenticationFailed(
                f"This API token expired on {token_expires_at(token):%Y-%m-%d %H:%M} UTC; "
                "create a new one at /accounts/api-token/."
            )
        return user, token
