"""Coordinator API of progress: the live dashboard's numbers, and reopening a reader's task."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework.response import Response

from readerstudy.coordinator.api import serializers as s
from readerstudy.coordinator.api.common import ANY_JSON, TAG
from readerstudy.coordinator.selectors.progress import study_progress
from readerstudy.reading.access import get_assignment_for_coordinator
from readerstudy.studies.gates import CoordinatorAPIView, bad_request


class ProgressView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Live progress: per reader by site, per case, completions over time",
        responses=ANY_JSON,
    )
    def get(self, request, slug):
        return Response(study_progress(self.study))


class ReopenView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Reopen a reader's submitted task, with a reason (audited)",
        request=s.ReasonSerializer,
        responses=ANY_JSON,
    )
    def post(self, request, slug, assignment_id):
        from readerstudy.reading.services import assignment_reopen

        assignment = get_assignment_for_coordinator(self.study, assignment_id)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            if not self.study.is_open:
                raise ValidationError("Tasks can be reopened only while the study is open.")
            assignment = assignment_reopen(
                assignment=assignment,
                reason=data.validated_data["reason"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            return bad_request(exc)
        return Response(
            {
                "assignment": assignment.pk,
                "reader": assignment.reader.get_username(),
                "status": assignment.status,
            }
        )
