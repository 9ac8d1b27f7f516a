"""Coordinator API views: thin wrappers over the same services and selectors as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from readerstudy.coordinator.api import serializers as s
from readerstudy.coordinator.exports.files import EXPORT_KINDS, FORMATS, study_export
from readerstudy.coordinator.forms.audit import AuditFilterForm
from readerstudy.coordinator.selectors.audit import audit_events
from readerstudy.coordinator.selectors.cases import case_rows, cases_search
from readerstudy.coordinator.selectors.progress import study_progress
from readerstudy.coordinator.services import people
from readerstudy.coordinator.views.exports import export_response
from readerstudy.reading.access import get_assignment_for_coordinator
from readerstudy.reading.selectors.readiness import study_problems, workloads
from readerstudy.reading.services import study_open_checked
from readerstudy.studies import services as setup
from readerstudy.studies import services as study_services
from readerstudy.studies.access import (
    can_create_study,
    coordinated_studies,
    get_case_for_coordinator,
    get_membership_for_coordinator,
)
from readerstudy.studies.gates_api import CoordinatorAPIView, bad_request
from readerstudy.studies.models import Membership, PlannedReading
from readerstudy.studies.selectors import assignment_plan
from readerstudy.studies.services import plan as assign
from readerstudy.studies.services import study_create

TAG = ["coordinator"]
ANY_JSON = OpenApiResponse(response=OpenApiTypes.OBJECT)
PAGE_SIZE = 50


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


class StudyListView(APIView):
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


class ProgressView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Live progress: per reader by site, per case, completions over time",
        responses=ANY_JSON,
    )
    def get(self, request, slug):
        return Response(study_progress(self.study))


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


class MemberListView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG, summary="Readers and coordinators", responses=s.MembershipSerializer(many=True)
    )
    def get(self, request, slug):
        members = Membership.objects.filter(study=self.study).select_related("user", "site")
        return Response(s.MembershipSerializer(members, many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Invite a reader or coordinator by email (one-time set-password link)",
        request=s.InviteSerializer,
        responses={201: s.MembershipSerializer},
    )
    def post(self, request, slug):
        data = s.InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site_name = data.validated_data.get("site", "")
        site = self.study.sites.filter(name=site_name).first() if site_name else None
        if site_name and site is None:
            return Response({"detail": f"The study has no site named {site_name!r}."}, status=400)
        try:
            membership, _link = people.invitation_send(
                study=self.study,
                email=data.validated_data["email"],
                role=data.validated_data["role"],
                site=site,
                username=data.validated_data.get("username", ""),
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            return bad_request(exc)
        return Response(s.MembershipSerializer(membership).data, status=201)


class MemberView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Deactivate (scores kept), reactivate, or move a reader to a site",
        operation_id="studies_member_action",
        request=s.MembershipActionSerializer,
        responses=s.MembershipSerializer,
    )
    def post(self, request, slug, membership_id):
        membership = get_membership_for_coordinator(self.study, membership_id)
        data = s.MembershipActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        who = {"actor": request.user, "request": request}
        try:
            if action == "deactivate":
                study_services.membership_deactivate(membership=membership, **who)
            elif action == "activate":
                people.member_activate(membership=membership, **who)
            else:
                site = self.study.sites.filter(name=data.validated_data.get("site", "")).first()
                if site is None:
                    raise ValidationError("Name one of this study's sites.")
                study_services.membership_site_set(membership=membership, site=site, **who)
        except ValidationError as exc:
            return bad_request(exc)
        return Response(s.MembershipSerializer(membership).data)


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


def _plan_data(study) -> dict:
    plan = assignment_plan(study)
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


class AssignmentPlanView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG, summary="The assignment plan and resulting workload", responses=ANY_JSON
    )
    def get(self, request, slug):
        return Response(_plan_data(self.study))

    @extend_schema(
        tags=TAG,
        summary="Set the plan: fully crossed, split (readers_per_case) or subset (rows)",
        request=s.AssignmentPlanSerializer,
        responses=ANY_JSON,
    )
    def put(self, request, slug):
        data = s.AssignmentPlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mode = data.validated_data["mode"]
        who = {"study": self.study, "actor": request.user, "request": request}
        try:
            if mode == "fully_crossed":
                assign.assignment_plan_fully_crossed(**who)
            elif mode == "split":
                if not data.validated_data.get("readers_per_case"):
                    raise ValidationError("A split needs readers_per_case.")
                assign.assignment_plan_split(
                    readers_per_case=data.validated_data["readers_per_case"], **who
                )
            else:
                lines = ["reader,case"] + [
                    f"{row['reader']},{row['case']}" for row in data.validated_data.get("rows", [])
                ]
                assign.assignment_plan_from_csv(
                    content="\n".join(lines).encode(), source="rows", **who
                )
        except ValidationError as exc:
            return bad_request(exc)
        return Response(_plan_data(self.study))


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
