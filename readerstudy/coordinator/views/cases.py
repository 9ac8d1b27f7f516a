"""The coordinator's case list and case page: pairing, blinding-diff flags, unblinded previews."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from readerstudy.coordinator.forms.setup import ExclusionForm
from readerstudy.coordinator.selectors.cases import CASE_FILTERS, case_rows, cases_search
from readerstudy.coordinator.views.setup import report
from readerstudy.imaging.access import get_series_for_coordinator
from readerstudy.imaging.thumbnails import series_thumbnail_png
from readerstudy.studies import services as setup
from readerstudy.studies.access import get_case_for_coordinator
from readerstudy.studies.gates import coordinator_page

CASES_PER_PAGE = 25


@coordinator_page
def case_list(request, study):
    query = request.GET.get("q", "").strip()
    show = request.GET.get("show", "")
    show = show if show in CASE_FILTERS else ""
    try:
        site_id = int(request.GET.get("site") or 0) or None
    except ValueError:
        site_id = None
    page = Paginator(cases_search(study, query=query, site_id=site_id, show=show), CASES_PER_PAGE)
    page_obj = page.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "studies/cases.html",
        {
            "study": study,
            "tab": "cases",
            "rows": case_rows(study, list(page_obj.object_list)),
            "page_obj": page_obj,
            "query": query,
            "show": show,
            "site_id": site_id,
            "sites": study.sites.all(),
            "filters": CASE_FILTERS,
            "querystring": params.urlencode(),
        },
    )


@coordinator_page
def case_detail(request, study, case_id: int):
    case = get_case_for_coordinator(study, case_id)
    return render(
        request,
        "studies/case_detail.html",
        {
            "study": study,
            "tab": "cases",
            "case": case,
            "row": case_rows(study, [case])[0],
            "form": ExclusionForm(),
        },
    )


@coordinator_page
@require_POST
def case_exclusion(request, study, case_id: int):
    case = get_case_for_coordinator(study, case_id)
    who = {"actor": request.user, "request": request}
    try:
        if request.POST.get("action") == "include":
            setup.case_include(case=case, **who)
            messages.success(request, f"Case {case.identifier} is back in the study.")
        else:
            setup.case_exclude(case=case, reason=request.POST.get("reason", ""), **who)
            messages.success(request, f"Case {case.identifier} is excluded.")
    except ValidationError as exc:
        report(request, exc)
    return redirect(f"/studies/{study.slug}/cases/{case.pk}/")


@coordinator_page
def series_thumbnail(request, study, series_id: int):
    series = get_series_for_coordinator(study, series_id)
    response = HttpResponse(series_thumbnail_png(series), content_type="image/png")
    # Unblinded pictures: never cached by shared caches.
    response["Cache-Control"] = "private, max-age=600"
    return response
