"""Analysis API: start a run, list runs, follow one (the Analysis page polls the last)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from readerstudy.analysis.access import get_analysis_run_for_coordinator
from readerstudy.analysis.models import AnalysisRun
from readerstudy.analysis.selectors import recent_runs
from readerstudy.analysis.services import analysis_run
from readerstudy.analysis.views import output_names
from readerstudy.studies.gates import CoordinatorAPIView, bad_request

TAG = ["analysis"]


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AnalysisRun.Status.choices)
    stage = serializers.CharField(help_text="What the run is doing, e.g. 'Computing statistics'.")
    progress = serializers.IntegerField(help_text="Percent done, 0–100.")
    finished = serializers.BooleanField()
    margin = serializers.FloatField()
    adjust = serializers.ChoiceField(choices=AnalysisRun.Adjust.choices)
    error = serializers.CharField(allow_blank=True)
    created_by = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    summary = serializers.DictField()
    page_url = serializers.CharField()
    report_url = serializers.CharField(allow_null=True)
    files = serializers.DictField(child=serializers.CharField(), help_text="name → download URL")


class RunStartSerializer(serializers.Serializer):
    margin = serializers.FloatField(required=False, allow_null=True, default=None)
    adjust = serializers.ChoiceField(choices=AnalysisRun.Adjust.choices, default="holm")


def run_data(run: AnalysisRun) -> dict:
    slug = run.study.slug
    done = run.status == AnalysisRun.Status.DONE
    files = {
        name: reverse("analysis:download", args=[slug, run.pk, name]) for name in output_names(run)
    }
    data = {
        "id": run.pk,
        "status": run.status,
        "stage": run.stage,
        "progress": run.progress,
        "finished": run.finished,
        "margin": run.margin,
        "adjust": run.adjust,
        "error": run.error,
        "created_by": run.created_by.get_username() if run.created_by else "",
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "summary": run.summary,
        "page_url": reverse("analysis:page", args=[slug]),
        "report_url": reverse("analysis:report", args=[slug, run.pk]) if done else None,
        "files": files if done else {},
    }
    return RunSerializer(data).data


class RunListView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG, summary="The study's recent analysis runs", responses=RunSerializer(many=True)
    )
    def get(self, request, slug):
        return Response([run_data(run) for run in recent_runs(self.study, limit=20)])

    @extend_schema(
        tags=TAG,
        summary="Start an analysis run (a background task); poll the run for progress",
        request=RunStartSerializer,
        responses={202: RunSerializer},
    )
    def post(self, request, slug):
        data = RunStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run = analysis_run(
                study=self.study,
                actor=request.user,
                margin=data.validated_data["margin"],
                adjust=data.validated_data["adjust"],
                request=request._request,
            )
        except ValidationError as exc:
            return bad_request(exc)
        return Response(run_data(run), status=status.HTTP_202_ACCEPTED)


class RunDetailView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG, summary="One analysis run: progress, error, outputs", responses=RunSerializer
    )
    def get(self, request, slug, run_id: int):
        return Response(run_data(get_analysis_run_for_coordinator(self.study, run_id)))
