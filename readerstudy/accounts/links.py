"""One-time links to set a password (invitations): Django's password-reset token."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def set_password_link(user, request=None) -> str:
    """A one-time link to set a password. It stops working once the password is set (the token
    covers the password hash and last login) or after PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path
