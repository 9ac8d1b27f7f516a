"""Imaging API: the progress of an import job, polled by the report page."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from readerstudy.imaging.access import get_import_job_for_coordinator
from readerstudy.imaging.models import ImportJob
from readerstudy.studies.gates import CoordinatorAPIView


class ImportProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)
    stage = serializers.CharField(help_text="What done/total count, e.g. 'Reading files'.")
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    finished = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True)
    report_url = serializers.CharField()


class ImportProgressView(CoordinatorAPIView):
    @extend_schema(tags=["imaging"], responses=ImportProgressSerializer)
    def get(self, request, slug: str, job_id: int) -> Response:
        """How far an import job has got. Coordinators of the study only (404 for anyone else)."""
        job = get_import_job_for_coordinator(self.study, job_id)
        return Response(ImportProgressSerializer(_progress(job, slug)).data)


def _progress(job: ImportJob, slug: str) -> dict:
    return {
        "status": job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "finished": job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED),
        "error": job.error,
        "report_url": reverse("coordinator:import_detail", args=[slug, job.pk]),
    }
