"""The API token page: a coordinator's token with its creation and expiry dates, create
(shown once), replace and revoke. Readers are told tokens are for coordinators' scripts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from readerstudy.accounts.tokens import token_expires_at, token_is_expired, token_lifetime
from readerstudy.coordinator.services.tokens import (
    api_token_create,
    api_token_revoke,
    may_hold_api_token,
)
from readerstudy.studies.gates import signed_in_coordinator_page


def _page(request, *, new_key: str = "", status: int = 200):
    token = Token.objects.filter(user=request.user).first()
    context = {
        "allowed": may_hold_api_token(request.user),
        "token": token,
        "expires_at": token_expires_at(token) if token else None,
        "expired": token_is_expired(token) if token else False,
        "lifetime_days": token_lifetime().days,
        "new_key": new_key,
    }
    return render(request, "accounts/api_token.html", context, status=status)


@signed_in_coordinator_page
def api_token(request):
    return _page(request)


@signed_in_coordinator_page
@require_POST
def api_token_new(request):
    try:
        token = api_token_create(user=request.user, request=request)
    except PermissionDenied:
        return _page(request, status=403)
    return _page(request, new_key=token.key)


@signed_in_coordinator_page
@require_POST
def api_token_delete(request):
    if api_token_revoke(user=request.user, request=request):
        messages.success(request, "Your API token is revoked; scripts using it stop working now.")
    return redirect("coordinator:api_token")
