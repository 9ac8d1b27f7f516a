"""Resumable chunked uploads of DICOM zips, started and completed by the import page's script.

POST uploads {name, size} → {id, offset}; GET uploads/<id> → {offset}; PUT uploads/<id>?offset=N
with the raw chunk → {offset}; POST uploads/<id>/complete (optional manifest) → the import job.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from readerstudy.audit.services import audit_record
from readerstudy.imaging.intake.manifest import ManifestError
from readerstudy.imaging.models import ImportJob
from readerstudy.imaging.services.intake import ImportRefused, manifest_check
from readerstudy.imaging.services.uploads import (
    MAX_CHUNK_BYTES,
    UploadError,
    upload_chunk,
    upload_chunk_names,
    upload_get,
    upload_start,
)
from readerstudy.imaging.tasks import import_job_run
from readerstudy.studies.gates import CoordinatorAPIView


class UploadSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=255)
    size = serializers.IntegerField(min_value=1)
    offset = serializers.IntegerField(read_only=True)
    chunk_bytes = serializers.IntegerField(read_only=True)


def _data(upload) -> dict:
    return {
        "id": upload.id,
        "name": upload.name,
        "size": upload.size,
        "offset": upload.offset,
        "chunk_bytes": MAX_CHUNK_BYTES // 2,
    }


def _refused(error: UploadError, code=status.HTTP_400_BAD_REQUEST) -> Response:
    body = {"detail": str(error)}
    if error.offset is not None:
        body["offset"] = error.offset
        code = status.HTTP_409_CONFLICT
    return Response(body, status=code)


class UploadListView(CoordinatorAPIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["imaging"], request=UploadSerializer, responses=UploadSerializer)
    def post(self, request, slug: str) -> Response:
        """Start a chunked upload of a zip for this study."""
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            upload = upload_start(study_id=self.study.pk, **serializer.validated_data)
        except UploadError as error:
            return _refused(error)
        return Response(_data(upload), status=status.HTTP_201_CREATED)


class UploadView(CoordinatorAPIView):
    parser_classes: list = []  # the chunk is read raw, never parsed

    @extend_schema(tags=["imaging"], responses=UploadSerializer)
    def get(self, request, slug: str, upload_id: str) -> Response:
        """How far an upload got (to resume it)."""
        try:
            return Response(_data(upload_get(study_id=self.study.pk, upload_id=upload_id)))
        except UploadError as error:
            return Response({"detail": str(error)}, status=status.HTTP_404_NOT_FOUND)

    @extend_schema(tags=["imaging"], request=bytes, responses=UploadSerializer)
    def put(self, request, slug: str, upload_id: str) -> Response:
        """Append one chunk (the raw body) at ``?offset=N``; 409 with the real offset if not."""
        try:
            offset = int(request.query_params.get("offset", ""))
        except ValueError:
            return Response({"detail": "Give ?offset=N."}, status=status.HTTP_400_BAD_REQUEST)
        data = request._request.read(MAX_CHUNK_BYTES + 1)
        try:
            upload = upload_chunk(
                study_id=self.study.pk, upload_id=upload_id, offset=offset, data=data
            )
        except UploadError as error:
            return _refused(error)
        return Response(_data(upload))


class UploadCompleteView(CoordinatorAPIView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(tags=["imaging"], responses={202: None})
    def post(self, request, slug: str, upload_id: str) -> Response:
        """Import the completed upload (with an optional ``manifest`` file) as a background job."""
        study = self.study
        try:
            upload = upload_get(study_id=study.pk, upload_id=upload_id)
        except UploadError as error:
            return Response({"detail": str(error)}, status=status.HTTP_404_NOT_FOUND)
        if not upload.complete:
            return Response(
                {"detail": "The upload is not complete.", "offset": upload.offset},
                status=status.HTTP_409_CONFLICT,
            )
        if not study.is_draft:
            return Response(
                {"detail": "DICOM can only be imported while the study is a draft."},
                status=status.HTTP_409_CONFLICT,
            )
        manifest = request.FILES.get("manifest")
        if manifest is not None:
            try:
                manifest_check(study=study, data=manifest.read())
            except (ImportRefused, ManifestError) as error:
                return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
            manifest.seek(0)
        with transaction.atomic():
            job = ImportJob.objects.create(
                study=study,
                created_by=request.user,
                source_name=upload.name,
                manifest=manifest or "",
                stage="Waiting to start",
            )
            audit_record(
                action="import.upload",
                study=study,
                target=job,
                data={"source": upload.name, "bytes": upload.size, "chunked": True},
                request=request,
            )
        result = import_job_run.enqueue(job_id=job.pk, chunks=upload_chunk_names(upload))
        ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
        return Response(
            {
                "job": job.pk,
                "report_url": reverse("coordinator:import_detail", args=[slug, job.pk]),
            },
            status=status.HTTP_202_ACCEPTED,
        )
