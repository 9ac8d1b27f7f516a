"""Imaging API: the progress of an import job, polled by the report page."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from readerstudy.accounts.otp import needs_otp
from readerstudy.imaging.access import get_import_job_for_coordinator
from readerstudy.imaging.models import ImportJob


class ImportProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)
    stage = serializers.CharField(help_text="What done/total count, e.g. 'Reading files'.")
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    finished = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True)
    report_url = serializers.CharField()


@extend_schema(tags=["imaging"], responses=ImportProgressSerializer)
@api_view(["GET"])
def import_progress(request: Request, slug: str, job_id: int) -> Response:
    """How far an import job has got. Coordinators of the study only (404 for anyone else)."""
    job = get_import_job_for_coordinator(request.user, slug, job_id)
    if isinstance(request.successful_authenticator, SessionAuthentication) and needs_otp(
        request._request
    ):
        raise PermissionDenied("Verify your two-factor code first (/accounts/two-factor/verify/).")
    data = {
        "status": job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "finished": job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED),
        "error": job.error,
        "report_url": reverse("imaging:import_detail", args=[slug, job.pk]),
    }
    return Response(ImportProgressSerializer(data).data)
