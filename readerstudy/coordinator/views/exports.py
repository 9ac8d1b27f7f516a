"""Export downloads from the dashboard (same builder and audit as the CLI and API)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from readerstudy.coordinator.exports.files import EXPORT_KINDS, FORMATS, study_export
from readerstudy.coordinator.forms.audit import AuditFilterForm
from readerstudy.studies.gates import coordinator_page


def export_response(export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@coordinator_page
def export_download(request, study, kind: str, fmt: str):
    if kind not in EXPORT_KINDS or fmt not in FORMATS:
        raise Http404("No such export.")
    audit_filter = None
    if kind == "audit":
        form = AuditFilterForm(request.GET)
        audit_filter = form.to_filter() if form.is_valid() else None
    export = study_export(
        study=study,
        kind=kind,
        fmt=fmt,
        actor=request.user,
        request=request,
        via="web",
        audit_filter=audit_filter,
    )
    return export_response(export)
