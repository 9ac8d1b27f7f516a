"""The one coordinator gate, for pages and for the API: signed in, coordinator of the study
(else 404), and two-factor verified in this session when the user has a confirmed device.

- ``coordinator_page``: a page of one study; the view gets the study instead of its slug.
- ``signed_in_coordinator_page``: a coordinator page of no one study (creating a study).
- ``CoordinatorAPIView``: every API endpoint of one study; ``self.study`` is resolved first.
- ``SignedInCoordinatorAPIView``: API endpoints of no one study (the study list, creation).

The membership is checked before the two-factor step, so an outsider learns nothing, not even
that the study exists. Token-authenticated scripts skip the two-factor step: their token is a
separate secret, created from a verified session.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from readerstudy.accounts.otp import needs_otp
from readerstudy.studies.access import get_study_for_coordinator

TWO_FACTOR_FIRST = "Verify your two-factor code first (/accounts/two-factor/verify/)."


def _two_factor_step(request):
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('accounts:otp_verify')}?{query}")


def signed_in_coordinator_page(view):
    """A signed-in, two-factor verified user; the view decides what they may do."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if needs_otp(request):
            return _two_factor_step(request)
        return view(request, *args, **kwargs)

    return wrapper


def coordinator_page(view):
    """Resolve ``slug`` to a study the user coordinates (404 otherwise) and pass it on."""

    @login_required
    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        study = get_study_for_coordinator(request.user, slug)
        if needs_otp(request):
            return _two_factor_step(request)
        return view(request, study, *args, **kwargs)

    return wrapper


def _require_two_factor(request) -> None:
    if isinstance(request.successful_authenticator, SessionAuthentication) and needs_otp(
        request._request
    ):
        raise PermissionDenied(TWO_FACTOR_FIRST)


class SignedInCoordinatorAPIView(APIView):
    """Authenticated (401/403 before anything else) and two-factor verified for sessions."""

    def check_permissions(self, request):
        super().check_permissions(request)
        _require_two_factor(request)


class CoordinatorAPIView(APIView):
    """Every API endpoint of one study derives from this; it resolves ``self.study`` first."""

    def check_permissions(self, request):
        super().check_permissions(request)  # anonymous → 401/403 before anything else
        self.study = get_study_for_coordinator(request.user, self.kwargs["slug"])
        _require_two_factor(request)


def bad_request(exc: ValidationError) -> Response:
    """A service's ValidationError as a 400 whose detail is the first sentence."""
    messages = exc.messages
    return Response(
        {"detail": messages[0] if messages else "Invalid input.", "errors": messages},
        status=status.HTTP_400_BAD_REQUEST,
    )
