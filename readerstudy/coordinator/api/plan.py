"""Coordinator API of the reading plan: who reads which cases."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework.response import Response

from readerstudy.coordinator.api import serializers as s
from readerstudy.coordinator.api.common import ANY_JSON, TAG
from readerstudy.reading.selectors.readiness import workloads
from readerstudy.studies.gates import CoordinatorAPIView, bad_request
from readerstudy.studies.models import PlannedReading
from readerstudy.studies.selectors import reading_plan
from readerstudy.studies.services import plan as assign


def _plan_data(study) -> dict:
    plan = reading_plan(study)
    rows = []
    if plan is not None and not plan.is_fully_crossed:
        rows = [
            {"reader": reader, "case": case}
            for reader, case in PlannedReading.objects.filter(plan=plan)
            .order_by("reader__username", "case__identifier")
            .values_list("reader__username", "case__identifier")
        ]
    return {
        "mode": plan.mode if plan else "fully_crossed",
        "readers_per_case": plan.readers_per_case if plan else None,
        "rows": rows,
        "workload": s.WorkloadSerializer(workloads(study), many=True).data,
    }


class ReadingPlanView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG, summary="The assignment plan and resulting workload", responses=ANY_JSON
    )
    def get(self, request, slug):
        return Response(_plan_data(self.study))

    @extend_schema(
        tags=TAG,
        summary="Set the plan: fully crossed, split (readers_per_case) or subset (rows)",
        request=s.ReadingPlanSerializer,
        responses=ANY_JSON,
    )
    def put(self, request, slug):
        data = s.ReadingPlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mode = data.validated_data["mode"]
        who = {"study": self.study, "actor": request.user, "request": request}
        try:
            if mode == "fully_crossed":
                assign.reading_plan_fully_crossed(**who)
            elif mode == "split":
                if not data.validated_data.get("readers_per_case"):
                    raise ValidationError("A split needs readers_per_case.")
                assign.reading_plan_split(
                    readers_per_case=data.validated_data["readers_per_case"], **who
                )
            else:
                rows = [
                    (str(row["reader"]).strip(), str(row["case"]).strip())
                    for row in data.validated_data.get("rows", [])
                ]
                assign.reading_plan_from_rows(rows=rows, **who)
        except ValidationError as exc:
            return bad_request(exc)
        return Response(_plan_data(self.study))
