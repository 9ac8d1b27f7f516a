"""Reading API (docs/reading-api.md). Thin views: access helper, serializer, service, serializer."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from readerstudy.reading.access import (
    get_assignment_for_reader,
    get_open_study_for_reader,
    get_pane_for_reader,
)
from readerstudy.reading.api import serializers as s
from readerstudy.reading.pixels import payload as pixels
from readerstudy.reading.selectors import assignments as selectors
from readerstudy.reading.services import (
    ReadingRefused,
    SessionNotOpen,
    assignment_start,
    assignment_submit,
    draft_save,
)
from readerstudy.reading.services.sessions import assignment_is_available, session2_opens_at

TAGS = ["reading"]
NOT_FOUND = OpenApiResponse(s.ErrorSerializer, description="Not yours, not open, or unknown.")


def _refused(exc: ReadingRefused) -> Response:
    return Response({"detail": exc.detail, **exc.extra}, status=exc.status_code)


def _first_message(errors, path: str = "") -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            return _first_message(value, f"{path}.{key}" if path else str(key))
    if isinstance(errors, list) and errors:
        return _first_message(errors[0], path)
    return f"{path}: {errors}" if path else str(errors)


def _parse_answers(request) -> tuple[dict | None, Response | None]:
    serializer = s.AnswersSerializer(data=request.data)
    if serializer.is_valid():
        return serializer.validated_data, None
    detail = "Some answers could not be read; nothing was saved. " + _first_message(
        serializer.errors
    )
    return None, Response(
        {"detail": detail, "errors": serializer.errors}, status=status.HTTP_400_BAD_REQUEST
    )


def _available_assignment(request, slug: str, read_order: int):
    """The reader's assignment, refusing session-2 assignments before the washout has passed."""
    assignment = get_assignment_for_reader(request.user, slug, read_order)
    if not assignment_is_available(
        assignment, study=assignment.study, schedule=assignment.schedule
    ):
        raise SessionNotOpen(session2_opens_at(assignment.study, assignment.schedule))
    return assignment


def _write(request, slug: str, read_order: int, service):
    """Parse the answers, find the reader's assignment and call ``service``: (result, error)."""
    answers, error = _parse_answers(request)
    if error is not None:
        return None, error
    try:
        assignment = _available_assignment(request, slug, read_order)
        return service(assignment=assignment, **answers, actor=request.user, request=request), None
    except ReadingRefused as exc:
        return None, _refused(exc)


class WorklistView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reading_worklist",
        responses=s.WorklistSerializer,
        summary="The reader's studies",
    )
    def get(self, request):
        entries = selectors.worklist_for_reader(request.user)
        if pixels.prewarm_enabled():
            pixels.prewarm(selectors.continue_series(entries))
        studies = []
        for entry in entries:
            entry = dict(entry)
            session2 = entry.pop("session2")
            entry["session2_opens_at"] = session2["opens_at"] if session2 else None
            studies.append(entry)
        return Response(s.WorklistSerializer({"studies": studies}).data)


class AssignmentListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reading_assignment_list",
        responses={200: s.AssignmentListSerializer, 404: NOT_FOUND},
        summary="The reader's assignments in their read order",
    )
    def get(self, request, slug: str):
        study = get_open_study_for_reader(request.user, slug)
        assignments = selectors.assignments_for_reader(study=study, reader=request.user)
        return Response(s.AssignmentListSerializer({"assignments": assignments}).data)


class NextAssignmentView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reading_next_assignment",
        responses={200: s.NextAssignmentSerializer, 404: NOT_FOUND},
        summary="The next assignment to read (read order and page URL; null when all are done)",
    )
    def get(self, request, slug: str):
        study = get_open_study_for_reader(request.user, slug)
        following = selectors.next_assignment(study=study, reader=request.user)
        data = {
            "read_order": following.read_order if following else None,
            "url": selectors.reading_url(study, following.read_order) if following else None,
        }
        return Response(s.NextAssignmentSerializer(data).data)


class AssignmentDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reading_assignment_detail",
        responses={
            200: s.AssignmentDetailSerializer,
            403: OpenApiResponse(s.ErrorSerializer, description="Session 2 is not open yet."),
            404: NOT_FOUND,
        },
        summary="One assignment: pane tokens, geometry, criteria and the saved answers",
    )
    def get(self, request, slug: str, read_order: int):
        try:
            assignment = _available_assignment(request, slug, read_order)
        except ReadingRefused as exc:
            return _refused(exc)
        assignment_start(assignment=assignment)
        detail = selectors.assignment_detail(assignment)
        following = detail.pop("next_read_order")
        # Load the next assignment's images while this one is read, so it opens warm.
        if pixels.prewarm_enabled():
            pixels.prewarm(selectors.pane_series_for_warming(assignment, following))
        return Response(s.AssignmentDetailSerializer(detail).data)


class DraftView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reading_draft_save",
        request=s.AnswersSerializer,
        responses={
            200: s.DraftSavedSerializer,
            400: s.ValidationErrorSerializer,
            403: s.ErrorSerializer,
            404: NOT_FOUND,
            409: s.LockedSerializer,
        },
        summary="Autosave the assignment's current answers (last write wins)",
    )
    def put(self, request, slug: str, read_order: int):
        assignment, error = _write(request, slug, read_order, draft_save)
        if error is not None:
            return error
        data = {
            "revision": assignment.revision,
            "saved_at": assignment.saved_at,
            "status": assignment.status,
        }
        return Response(s.DraftSavedSerializer(data).data)


class SubmitView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reading_submit",
        request=s.AnswersSerializer,
        responses={
            200: s.SubmittedSerializer,
            400: OpenApiResponse(
                s.MissingScoresSerializer,
                description="A required score is missing (the draft is saved) or input is bad.",
            ),
            403: s.ErrorSerializer,
            404: NOT_FOUND,
            409: s.LockedSerializer,
        },
        summary="Submit the assignment (idempotent)",
    )
    def post(self, request, slug: str, read_order: int):
        outcome, error = _write(request, slug, read_order, assignment_submit)
        if error is not None:
            return error
        if not outcome.submitted:
            return Response(
                {
                    "detail": "Score every required criterion before submitting.",
                    "missing": outcome.missing,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        assignment = outcome.assignment
        following = selectors.next_assignment(
            study=assignment.study, reader=request.user, after=assignment.read_order
        )
        data = {
            "status": "submitted",
            "next_url": selectors.reading_url(assignment.study, following.read_order)
            if following
            else None,
            "worklist_url": reverse("reading:worklist"),
        }
        return Response(s.SubmittedSerializer(data).data)


class PanePixelsView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reading_pane_slices",
        parameters=[
            OpenApiParameter("start", int, description="First slice (0-based).", default=0),
            OpenApiParameter("stop", int, description="One past the last slice (clamped)."),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="Slices start..stop-1, each byte-shuffled (low bytes, then high "
                "bytes), gzip content-encoded; headers X-Slice-Start and X-Slice-Count.",
            ),
            400: s.ErrorSerializer,
            404: NOT_FOUND,
        },
        summary="Pixels of one pane, by its opaque token",
    )
    def get(self, request, token: str):
        grant = get_pane_for_reader(request.user, token)
        if not grant.is_available():
            return _refused(SessionNotOpen(grant.session2_opens_at))
        series = grant.series
        requested = pixels.requested_range(request.query_params, series)
        if requested is None:
            return Response({"detail": pixels.RANGE_ERROR}, status=status.HTTP_400_BAD_REQUEST)
        payload = pixels.pixel_payload(series, *requested, pair=grant.pair)
        return pixels.payload_response(payload, cache_control="private, max-age=3600")
