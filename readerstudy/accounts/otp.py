"""Optional TOTP two-factor authentication (django-otp) for coordinators.

A coordinator who has confirmed a TOTP device must verify a token in each session before any
coordinator page or session-authenticated coordinator API call works. Token-authenticated API
scripts are exempt: their API token is a separate secret created from a verified session.
"""

from __future__ import annotations

from django_otp import user_has_device


def needs_otp(request) -> bool:
    """True when the signed-in user has a confirmed device but this session is not verified."""
    user = request.user
    if not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return user_has_device(user, confirmed=True)
