"""Coordinator API of studies: list and create, detail, open and close."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import status
from rest_framework.response import Response

from readerstudy.coordinator.api import serializers as s
from readerstudy.coordinator.api.common import ANY_JSON, TAG
from readerstudy.reading.selectors.readiness import study_problems, workloads
from readerstudy.reading.services import study_open_checked
from readerstudy.studies import services as setup
from readerstudy.studies.access import (
    can_create_study,
    coordinated_studies,
)
from readerstudy.studies.gates import CoordinatorAPIView, SignedInCoordinatorAPIView, bad_request
from readerstudy.studies.services import study_create


def _study_detail(study) -> dict:
    return {
        **s.StudySerializer(study).data,
        "sequences": s.SequenceSerializer(study.sequences.all(), many=True).data,
        "criteria": s.CriterionSerializer(study.criteria.all(), many=True).data,
        "problems": s.ProblemSerializer(
            study_problems(study) if study.is_draft else [], many=True
        ).data,
        "workload": s.WorkloadSerializer(workloads(study), many=True).data,
    }


class StudyListView(SignedInCoordinatorAPIView):
    @extend_schema(
        tags=TAG, summary="Studies you coordinate", responses=s.StudySerializer(many=True)
    )
    def get(self, request):
        return Response(s.StudySerializer(coordinated_studies(request.user), many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Create a draft study from a template or from scratch",
        request=s.StudyCreateSerializer,
        responses={201: ANY_JSON},
    )
    def post(self, request):
        if not can_create_study(request.user):
            return Response(
                {"detail": "You may not create studies; ask an administrator."},
                status=status.HTTP_403_FORBIDDEN,
            )
        data = s.StudyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            study = study_create(
                slug=data.validated_data["slug"],
                title=data.validated_data.get("title") or None,
                template=data.validated_data.get("template") or None,
                created_by=request.user,
                request=request,
            )
        except ValidationError as exc:
            return bad_request(exc)
        return Response(_study_detail(study), status=status.HTTP_201_CREATED)


class StudyDetailView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Study settings, sequences, criteria, what is missing before opening, workload",
        responses=ANY_JSON,
    )
    def get(self, request, slug):
        return Response(_study_detail(self.study))

    @extend_schema(
        tags=TAG,
        summary="Change settings (after opening: title and description only; audited)",
        request=s.StudySerializer,
        responses=ANY_JSON,
    )
    def patch(self, request, slug):
        data = s.StudySerializer(self.study, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            setup.study_settings_update(
                study=self.study, data=data.validated_data, actor=request.user, request=request
            )
        except ValidationError as exc:
            return bad_request(exc)
        return Response(_study_detail(self.study))


class OpenView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Open the study: check it, then schedule every reader",
        request=s.OpenSerializer,
        responses={200: ANY_JSON, 400: ANY_JSON},
    )
    def post(self, request, slug):
        data = s.OpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = study_open_checked(
                study=self.study,
                seed=data.validated_data.get("seed"),
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            return bad_request(exc)
        return Response(
            {
                "status": "open",
                "seed": result["seed"],
                "readers": {r.reader: r.tasks for r in result["readers"]},
            }
        )


class CloseView(CoordinatorAPIView):
    @extend_schema(tags=TAG, summary="Close the study", request=None, responses=ANY_JSON)
    def post(self, request, slug):
        try:
            setup.study_close(study=self.study, actor=request.user, request=request)
        except ValidationError as exc:
            return bad_request(exc)
        return Response({"status": "closed"})
