"""The coordinator's audit viewer: read-only, filterable, paginated; CSV via the exports."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from readerstudy.coordinator.forms.audit import AuditFilterForm
from readerstudy.coordinator.selectors.audit import audit_actions, audit_events
from readerstudy.studies.gates import coordinator_page

EVENTS_PER_PAGE = 50


@coordinator_page
@require_GET
def audit_log(request, study):
    form = AuditFilterForm(request.GET or None)
    filters = form.to_filter() if form.is_valid() else None
    events = audit_events(study, filters).select_related("study")
    page_obj = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audit/events.html",
        {
            "study": study,
            "tab": "audit",
            "form": form,
            "page_obj": page_obj,
            "actions": audit_actions(study),
            "querystring": params.urlencode(),
        },
    )
