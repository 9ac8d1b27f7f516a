"""Coordinator ROI API: list, create and delete the ROIs of a case × sequence, and the
conventional series' pixels for the drawing canvas (coordinators of the study only, unblinded)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from readerstudy.imaging.access import get_roi_for_coordinator
from readerstudy.imaging.models import ROI
from readerstudy.imaging.selectors import conventional_series, pair_rois
from readerstudy.imaging.services.rois import roi_create, roi_delete
from readerstudy.reading.pixels.payload import (
    RANGE_ERROR,
    payload_response,
    pixel_payload,
    requested_range,
)
from readerstudy.studies.access import (
    get_case_for_coordinator,
    get_sequence_by_key_for_coordinator,
)
from readerstudy.studies.gates import CoordinatorAPIView, bad_request

TAG = ["rois"]


ANY_JSON = OpenApiResponse(response=OpenApiTypes.OBJECT)


class ROICreateSerializer(serializers.Serializer):
    label = serializers.ChoiceField(choices=ROI.Label.choices)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    slice_index = serializers.IntegerField(min_value=0, help_text="0-based slice index.")
    shape = serializers.ChoiceField(choices=ROI.Shape.choices)
    points = serializers.JSONField(
        help_text="Pixel coordinates (x = column, y = row, pixel centres on integers): "
        "ellipse [[cx, cy], [rx, ry]], polygon [[x, y], ...]."
    )


def _first_error(errors: dict) -> str:
    field, messages = next(iter(errors.items()))
    message = messages[0] if isinstance(messages, list) else messages
    return f'Field "{field}": {message}'


class PairROIsView(CoordinatorAPIView):
    def _pair(self, case_id: int, sequence_key: str):
        case = get_case_for_coordinator(self.study, case_id)
        return case, get_sequence_by_key_for_coordinator(self.study, sequence_key)

    @extend_schema(
        tags=TAG, summary="ROIs of a case × sequence with per-arm statistics", responses=ANY_JSON
    )
    def get(self, request, slug, case_id, sequence_key):
        return Response(pair_rois(*self._pair(case_id, sequence_key)))

    @extend_schema(
        tags=TAG,
        summary="Draw an ROI on a case × sequence (applies to both arms)",
        request=ROICreateSerializer,
        responses={201: ANY_JSON, 400: ANY_JSON},
    )
    def post(self, request, slug, case_id, sequence_key):
        case, sequence = self._pair(case_id, sequence_key)
        data = ROICreateSerializer(data=request.data)
        if not data.is_valid():
            return Response(
                {"detail": _first_error(data.errors), "errors": data.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            roi = roi_create(
                case=case,
                sequence=sequence,
                actor=request.user,
                request=request,
                **data.validated_data,
            )
        except ValidationError as exc:
            return bad_request(exc)
        return Response({"created": roi.pk, **pair_rois(case, sequence)}, status=201)


class ROIView(CoordinatorAPIView):
    @extend_schema(tags=TAG, summary="Delete an ROI", responses=ANY_JSON)
    def delete(self, request, slug, roi_id):
        roi = get_roi_for_coordinator(self.study, roi_id)
        case, sequence = roi.case, roi.sequence
        roi_delete(roi=roi, actor=request.user, request=request)
        return Response({"deleted": roi_id, **pair_rois(case, sequence)})


class PairPixelsView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Pixels of the conventional series of a case × sequence (coordinator, unblinded)",
        parameters=[
            OpenApiParameter("start", int, description="First slice (0-based).", default=0),
            OpenApiParameter("stop", int, description="One past the last slice (clamped)."),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ANY_JSON},
    )
    def get(self, request, slug, case_id, sequence_key):
        case = get_case_for_coordinator(self.study, case_id)
        sequence = get_sequence_by_key_for_coordinator(self.study, sequence_key)
        series = conventional_series(case, sequence)
        if series is None:
            return Response(
                {"detail": f"Case {case.identifier} has no conventional {sequence.key} series."},
                status=status.HTTP_404_NOT_FOUND,
            )
        requested = requested_range(request.query_params, series)
        if requested is None:
            return Response({"detail": RANGE_ERROR}, status=status.HTTP_400_BAD_REQUEST)
        # The same byte-shuffled gzip slices as the reading API, so the viewer's stack cache reads
        # them; no padding to the other arm (the coordinator is not blinded).
        payload = pixel_payload(series, *requested, pair=[series])
        return payload_response(payload, cache_control="private, no-store")
