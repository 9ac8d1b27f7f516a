"""Coordinator API of a study's cases: the case list with pairing status, and exclusions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework.response import Response

from readerstudy.coordinator.api import serializers as s
from readerstudy.coordinator.api.common import ANY_JSON, PAGE_SIZE, TAG
from readerstudy.coordinator.selectors.cases import case_rows, cases_search
from readerstudy.studies import services as setup
from readerstudy.studies.access import (
    get_case_for_coordinator,
)
from readerstudy.studies.gates import CoordinatorAPIView, bad_request


class CaseListView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Cases with site, pairing status and blinding-diff flags (paginated)",
        parameters=[
            OpenApiParameter("q", str, description="Search in case identifiers"),
            OpenApiParameter("show", str, enum=["", "incomplete", "tells", "excluded"]),
            OpenApiParameter("page", int),
        ],
        responses=ANY_JSON,
    )
    def get(self, request, slug):
        cases = cases_search(
            self.study,
            query=request.query_params.get("q", ""),
            show=request.query_params.get("show", ""),
        )
        page = Paginator(cases, PAGE_SIZE).get_page(request.query_params.get("page"))
        rows = case_rows(self.study, list(page.object_list))
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "cases": [
                    {
                        "id": row.case.pk,
                        "case": row.case.identifier,
                        "site": row.case.site.name,
                        "excluded": row.case.excluded,
                        "exclusion_reason": row.case.exclusion_reason,
                        "complete": row.complete,
                        "pairs": [
                            {
                                "sequence": p.sequence,
                                "status": p.status,
                                "reason": p.reason,
                                "tells": p.tells,
                            }
                            for p in row.pairs
                        ],
                    }
                    for row in rows
                ],
            }
        )


class CaseExclusionView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Exclude a case with a reason, or include it again (before opening)",
        request=s.ExclusionSerializer,
        responses=ANY_JSON,
    )
    def post(self, request, slug, case_id):
        case = get_case_for_coordinator(self.study, case_id)
        data = s.ExclusionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        who = {"actor": request.user, "request": request}
        try:
            if data.validated_data["excluded"]:
                setup.case_exclude(case=case, reason=data.validated_data.get("reason", ""), **who)
            else:
                setup.case_include(case=case, **who)
        except ValidationError as exc:
            return bad_request(exc)
        return Response(
            {"case": case.identifier, "excluded": case.excluded, "reason": case.exclusion_reason}
        )
