"""API tokens are for coordinators' scripts: only a coordinator of an active study membership
creates one (it replaces their previous token), and anyone can revoke their own. Audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from rest_framework.authtoken.models import Token

from readerstudy.audit.services import audit_record
from readerstudy.studies.access import coordinated_studies


def may_hold_api_token(user) -> bool:
    return user.is_authenticated and coordinated_studies(user).exists()


@transaction.atomic
def api_token_create(*, user, request=None) -> Token:
    if not may_hold_api_token(user):
        raise PermissionDenied("API tokens are for coordinators' scripts.")
    replaced = Token.objects.filter(user=user).exists()
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit_record(
        action="api_token.create", actor=user, data={"replaced": replaced}, request=request
    )
    return token


@transaction.atomic
def api_token_revoke(*, user, request=None) -> bool:
    """Delete the user's token; False when there was none."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(action="api_token.revoke", actor=user, request=request)
    return bool(deleted)
