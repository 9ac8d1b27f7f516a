"""DICOMweb STOW-RS into the study's inbox, and the inbox's contents for the import page.

``POST /api/studies/<slug>/dicomweb/studies`` takes ``multipart/related;
type="application/dicom"`` from a PACS or script authenticated with a coordinator's token. The
body is read as a stream, one part at a time (a part spooled to a temporary file), so a
multi-GB request is never held in memory: DRF's parsers and ``request.body`` are never used.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from readerstudy.imaging.dicomnet.multipart import MultipartError
from readerstudy.imaging.dicomnet.stow import receive_stow, wsgi_body
from readerstudy.imaging.dicomnet.stow_response import stow_response
from readerstudy.imaging.selectors import inbox_series
from readerstudy.imaging.services.inbox import inbox_store
from readerstudy.studies.gates import CoordinatorAPIView


def _body(django_request):
    """The request body as a stream: WSGI input limited to Content-Length, or Django's own
    spooled body under ASGI."""
    if "wsgi.input" in django_request.META:
        return wsgi_body(django_request.META)
    return django_request


@method_decorator(csrf_exempt, name="dispatch")  # token-authenticated scripts; see the gate
class StowView(CoordinatorAPIView):
    parser_classes: list = []  # never build request.data: that would read the whole body

    @extend_schema(
        tags=["imaging"],
        request={"multipart/related": bytes},
        responses={
            200: OpenApiResponse(description="All instances stored (application/dicom+json)."),
            202: OpenApiResponse(description="Some stored, some failed (FailedSOPSequence)."),
            409: OpenApiResponse(description="None stored."),
        },
    )
    def post(self, request, slug: str, study_uid: str | None = None) -> HttpResponse:
        """Store DICOM instances (STOW-RS, PS3.18 10.5) in the study's inbox.

        Coordinators of the study only (404 for anyone else). Nothing is imported until a
        coordinator imports the inbox.
        """
        study = self.study
        if not study.is_draft:
            return HttpResponse(
                "DICOM can only be received while the study is a draft.",
                status=status.HTTP_409_CONFLICT,
                content_type="text/plain",
            )
        source = f"STOW-RS by {request.user.username}"

        def store(header, stream):
            inbox_store(study=study, header=header, stream=stream, source=source)
            return None

        django_request = request._request
        try:
            result = receive_stow(
                _body(django_request),
                django_request.META.get("CONTENT_TYPE"),
                store,
                study_instance_uid=study_uid,
                max_part_bytes=settings.MAX_UPLOAD_BYTES,
            )
        except MultipartError as error:
            code = getattr(error, "status", 400)
            return HttpResponse(str(error), status=code, content_type="text/plain")
        code, payload, content_type = stow_response(result)
        return HttpResponse(payload, status=code, content_type=content_type)


class InboxSeriesSerializer(serializers.Serializer):
    series_uid = serializers.CharField()
    instances = serializers.IntegerField()
    bytes = serializers.IntegerField()
    first_received = serializers.DateTimeField()
    last_received = serializers.DateTimeField()
    source = serializers.CharField()


class InboxView(CoordinatorAPIView):
    @extend_schema(tags=["imaging"], responses=InboxSeriesSerializer(many=True))
    def get(self, request, slug: str) -> Response:
        """The series waiting in the study's inbox, newest first, with instance counts."""
        return Response(InboxSeriesSerializer(inbox_series(self.study), many=True).data)
