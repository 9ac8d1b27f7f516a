"""Coordinator API of exports and the audit log."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from readerstudy.coordinator.api import serializers as s
from readerstudy.coordinator.api.common import PAGE_SIZE, TAG
from readerstudy.coordinator.exports.files import EXPORT_KINDS, FORMATS, study_export
from readerstudy.coordinator.forms.audit import AuditFilterForm
from readerstudy.coordinator.selectors.audit import audit_events
from readerstudy.coordinator.views.exports import export_response
from readerstudy.studies.gates import CoordinatorAPIView


class ExportView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Download an export: ratings, wide, key (unblinding), provenance, audit",
        description="CSV is UTF-8 with a byte-order mark and a header row; XLSX via openpyxl. "
        "Every download is audited.",
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    def get(self, request, slug, kind, fmt):
        if kind not in EXPORT_KINDS or fmt not in FORMATS:
            raise Http404("No such export.")
        form = AuditFilterForm(request.query_params)
        audit_filter = form.to_filter() if kind == "audit" and form.is_valid() else None
        export = study_export(
            study=self.study,
            kind=kind,
            fmt=fmt,
            actor=request.user,
            request=request,
            via="api",
            audit_filter=audit_filter,
        )
        return export_response(export)


class AuditView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="The study's audit trail, newest first (read-only)",
        parameters=[
            OpenApiParameter("action", str, description="Action prefix, e.g. 'export.'"),
            OpenApiParameter("actor", str),
            OpenApiParameter("target", str, description="e.g. Case or Case:12"),
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
            OpenApiParameter("page", int),
        ],
        responses=inline_serializer(
            "AuditPage",
            {
                "count": serializers.IntegerField(),
                "page": serializers.IntegerField(),
                "pages": serializers.IntegerField(),
                "events": s.AuditEventSerializer(many=True),
            },
        ),
    )
    def get(self, request, slug):
        form = AuditFilterForm(request.query_params)
        if not form.is_valid():
            return Response({"detail": "Bad filter.", "errors": form.errors}, status=400)
        page = Paginator(audit_events(self.study, form.to_filter()), PAGE_SIZE).get_page(
            request.query_params.get("page")
        )
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "events": s.AuditEventSerializer(page.object_list, many=True).data,
            }
        )
