"""The reading plan: who reads which cases, and the workload that results, before opening."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from readerstudy.coordinator.forms.setup import PlanCsvForm, SplitForm
from readerstudy.coordinator.views.setup import report
from readerstudy.reading.selectors.readiness import study_problems, workloads
from readerstudy.studies.gates import coordinator_page
from readerstudy.studies.models import PlannedReading
from readerstudy.studies.selectors import active_readers, reading_plan
from readerstudy.studies.services import plan as assign

MAX_CSV_BYTES = 5 * 1024 * 1024


def _back(study):
    return redirect(f"/studies/{study.slug}/plan/")


@coordinator_page
def plan_page(request, study):
    plan = reading_plan(study)
    readers = list(active_readers(study))
    sites = list(study.sites.all())
    chosen: dict[int, set[int]] = {}
    if plan is not None and plan.source == "site":
        for reader_id, site_id in PlannedReading.objects.filter(plan=plan).values_list(
            "reader_id", "case__site_id"
        ):
            chosen.setdefault(reader_id, set()).add(site_id)
    matrix = [
        {
            "membership": membership,
            "sites": [(site, site.pk in chosen.get(membership.user_id, set())) for site in sites],
        }
        for membership in readers
    ]
    return render(
        request,
        "studies/plan.html",
        {
            "study": study,
            "tab": "plan",
            "plan": plan,
            "matrix": matrix,
            "sites": sites,
            "workloads": workloads(study),
            "problems": [
                p
                for p in study_problems(study)
                if p.code.startswith(("readers", "split", "unread", "no_readers"))
            ],
            "split_form": SplitForm(
                initial={
                    "readers_per_case": plan.readers_per_case
                    if plan and plan.readers_per_case
                    else min(2, len(readers) or 1)
                }
            ),
            "csv_form": PlanCsvForm(),
        },
    )


@coordinator_page
@require_POST
def plan_crossed(request, study):
    try:
        assign.reading_plan_fully_crossed(study=study, actor=request.user, request=request)
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, "Fully crossed: every reader reads every case.")
    return _back(study)


@coordinator_page
@require_POST
def plan_by_site(request, study):
    sites_by_reader = {}
    for membership in active_readers(study):
        values = request.POST.getlist(f"sites-{membership.user_id}")
        try:
            sites_by_reader[membership.user_id] = [int(v) for v in values]
        except ValueError:
            messages.error(request, "The site choice was not understood; try again.")
            return _back(study)
    try:
        assign.reading_plan_by_site(
            study=study, sites_by_reader=sites_by_reader, actor=request.user, request=request
        )
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, "Each reader now reads the cases of the sites ticked for them.")
    return _back(study)


@coordinator_page
@require_POST
def plan_csv(request, study):
    form = PlanCsvForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a CSV file with the header reader,case.")
        return _back(study)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_CSV_BYTES:
        messages.error(request, f"{upload.name}: the file is larger than 5 MB.")
        return _back(study)
    try:
        assign.reading_plan_from_csv(
            study=study,
            content=upload.read(),
            source=upload.name,
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, f"Reading plan read from {upload.name}.")
    return _back(study)


@coordinator_page
@require_POST
def plan_split(request, study):
    form = SplitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the number of readers per case as a whole number.")
        return _back(study)
    try:
        assign.reading_plan_split(
            study=study,
            readers_per_case=form.cleaned_data["readers_per_case"],
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(
            request, f"Split: {form.cleaned_data['readers_per_case']} readers per case, balanced."
        )
    return _back(study)
