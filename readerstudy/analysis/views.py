"""The coordinator's Analysis page: start a run, follow it, read the report, download outputs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from readerstudy.analysis.access import get_analysis_run_for_coordinator
from readerstudy.analysis.models import AnalysisRun
from readerstudy.analysis.selectors import latest_finished_run, recent_runs
from readerstudy.analysis.services import analysis_run
from readerstudy.audit.services import audit_record
from readerstudy.studies.gates import coordinator_page

# The report is self-contained: inline CSS and inline SVG, no scripts, no requests. This policy
# lets exactly that through, and the sandbox keeps it in an opaque origin even when the report is
# opened on its own.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)
CONTENT_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
# How the outputs are listed on the page: report and JSON first, then the tables.
FIRST = ("report.html", "results.json")


def output_names(run: AnalysisRun) -> list[str]:
    names = list(run.files)
    return [n for n in FIRST if n in names] + sorted(n for n in names if n not in FIRST)


@coordinator_page
def analysis_page(request, study):
    runs = recent_runs(study)
    run = runs[0] if runs else None
    report_run = run if run is not None and run.status == AnalysisRun.Status.DONE else None
    if report_run is None:
        report_run = latest_finished_run(study)
    return render(
        request,
        "analysis/analysis.html",
        {
            "study": study,
            "tab": "analysis",
            "run": run,
            "report_run": report_run,
            "outputs": output_names(report_run) if report_run else [],
            "runs": runs,
            "adjust_choices": AnalysisRun.Adjust.choices,
        },
    )


@coordinator_page
@require_POST
def analysis_start(request, study):
    margin = request.POST.get("margin", "").strip() or None
    try:
        analysis_run(
            study=study,
            actor=request.user,
            margin=margin,
            adjust=request.POST.get("adjust", "holm"),
            request=request,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("analysis:page", slug=study.slug)


def _stored(run: AnalysisRun, name: str) -> str:
    key = run.files.get(name) if run.status == AnalysisRun.Status.DONE else None
    if not key or not default_storage.exists(key):
        raise Http404("No such output of this analysis run.")
    return key


@coordinator_page
@xframe_options_sameorigin
def analysis_report(request, study, run_id: int):
    """The run's report as a page of its own (shown in a sandboxed frame on the Analysis page)."""
    run = get_analysis_run_for_coordinator(study, run_id)
    with default_storage.open(_stored(run, "report.html"), "rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=CONTENT_TYPES[".html"])
    response["Content-Security-Policy"] = REPORT_CSP
    response["Cache-Control"] = "no-store"
    return response


@coordinator_page
def analysis_download(request, study, run_id: int, filename: str):
    """One output file of a run as a download (every download is in the audit trail)."""
    run = get_analysis_run_for_coordinator(study, run_id)
    key = _stored(run, filename)
    audit_record(
        action="analysis.download",
        study=study,
        target=run,
        data={"file": filename},
        request=request,
    )
    suffix = filename[filename.rfind(".") :] if "." in filename else ""
    response = FileResponse(
        default_storage.open(key, "rb"),
        as_attachment=True,
        filename=f"{study.slug}-analysis-{run.pk}-{filename}",
        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
    )
    response["Cache-Control"] = "no-store"
    return response
