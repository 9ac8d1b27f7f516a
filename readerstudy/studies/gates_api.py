"""Shared gate for the coordinator API: authenticated, coordinator of the study (else 404),
and, for browser sessions of users with a confirmed TOTP device, an OTP-verified session."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from readerstudy.accounts.otp import needs_otp
from readerstudy.studies.access import get_study_for_coordinator


class CoordinatorAPIView(APIView):
    """Every coordinator endpoint derives from this; it resolves ``self.study`` first."""

    def check_permissions(self, request):
        super().check_permissions(request)  # anonymous → 401/403 before anything else
        self.study = get_study_for_coordinator(request.user, self.kwargs["slug"])
        if isinstance(request.successful_authenticator, SessionAuthentication) and needs_otp(
            request._request
        ):
            raise PermissionDenied(
                "Verify your two-factor code first (/accounts/two-factor/verify/)."
            )


def bad_request(exc: ValidationError) -> Response:
    """A service's ValidationError as a 400 whose detail is the first sentence."""
    messages = exc.messages
    return Response(
        {"detail": messages[0] if messages else "Invalid input.", "errors": messages},
        status=status.HTTP_400_BAD_REQUEST,
    )
