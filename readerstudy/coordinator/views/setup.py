"""Study setup pages: create, overview with the open check, settings, sequences, criteria,
opening and closing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from readerstudy.coordinator.forms.setup import (
    CriterionForm,
    CriterionHelpTextForm,
    SequenceForm,
    StudyCreateForm,
    StudySettingsForm,
    StudyTextForm,
)
from readerstudy.reading import services as reading_services
from readerstudy.reading.selectors.readiness import study_problems, workloads
from readerstudy.studies import services as setup
from readerstudy.studies.access import (
    can_create_study,
    get_criterion_for_coordinator,
    get_sequence_for_coordinator,
)
from readerstudy.studies.gates import coordinator_page, signed_in_coordinator_page
from readerstudy.studies.services import study_create


def report(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def back(study, anchor: str = ""):
    return redirect(f"/studies/{study.slug}/{anchor}")


@signed_in_coordinator_page
def study_new(request):
    if not can_create_study(request.user):
        raise PermissionDenied("Ask an administrator for the right to create studies.")
    form = StudyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = study_create(
                slug=form.cleaned_data["slug"],
                title=form.cleaned_data["title"] or None,
                template=form.cleaned_data["template"] or None,
                created_by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Study {study.slug!r} created as a draft.")
            return back(study)
    return render(request, "studies/new.html", {"form": form})


@coordinator_page
def study_overview(request, study):
    problems = study_problems(study) if study.is_draft else []
    return render(
        request,
        "studies/overview.html",
        {
            "study": study,
            "tab": "setup",
            "problems": problems,
            "blocking": [p for p in problems if p.blocking],
            "settings_form": (StudySettingsForm if study.is_draft else StudyTextForm)(
                instance=study
            ),
            "sequence_form": SequenceForm(),
            "sequences": study.sequences.all(),
            "criteria": study.criteria.all(),
            "workloads": workloads(study),
        },
    )


@coordinator_page
@require_POST
def study_settings(request, study):
    form_class = StudySettingsForm if study.is_draft else StudyTextForm
    form = form_class(request.POST, instance=study)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return back(study)
    study.refresh_from_db()  # the ModelForm wrote into the instance; the service compares
    try:
        setup.study_settings_update(
            study=study, data=form.cleaned_data, actor=request.user, request=request
        )
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, "Settings saved.")
    return back(study)


@coordinator_page
@require_POST
def sequence_add(request, study):
    form = SequenceForm(request.POST)
    if form.is_valid():
        try:
            setup.sequence_add(
                study=study, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            report(request, exc)
    else:
        messages.error(request, "A sequence needs a label.")
    return back(study, "#sequences")


@coordinator_page
@require_POST
def sequence_action(request, study, sequence_id: int):
    sequence = get_sequence_for_coordinator(study, sequence_id)
    action = request.POST.get("action")
    who = {"actor": request.user, "request": request}
    try:
        if action in ("up", "down"):
            setup.sequence_move(sequence=sequence, direction=action, **who)
        elif action == "remove":
            setup.sequence_remove(sequence=sequence, **who)
        elif action == "rename":
            setup.sequence_update(sequence=sequence, label=request.POST.get("label", ""), **who)
        else:
            messages.error(request, f"Unknown action {action!r}.")
    except ValidationError as exc:
        report(request, exc)
    return back(study, "#sequences")


def _criterion_initial(criterion) -> dict:
    return {
        "key": criterion.key,
        "label": criterion.label,
        "help_text": criterion.help_text,
        "scale_min": criterion.scale_min,
        "scale_max": criterion.scale_max,
        "anchors": "\n".join(criterion.anchors or []),
        "required": criterion.required,
        "noninferiority": criterion.noninferiority,
    }


@coordinator_page
def criterion_new(request, study):
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            setup.criterion_add(
                study=study, data=form.cleaned_data, actor=request.user, request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return back(study, "#criteria")
    return render(
        request, "studies/criterion_form.html", {"study": study, "tab": "setup", "form": form}
    )


@coordinator_page
def criterion_edit(request, study, criterion_id: int):
    criterion = get_criterion_for_coordinator(study, criterion_id)
    form_class = CriterionForm if study.is_draft else CriterionHelpTextForm
    form = form_class(request.POST or None, initial=_criterion_initial(criterion))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("key", None)  # keys are stable identifiers in exports
        try:
            setup.criterion_update(
                criterion=criterion, data=data, actor=request.user, request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Criterion {criterion.label!r} saved.")
            return back(study, "#criteria")
    return render(
        request,
        "studies/criterion_form.html",
        {"study": study, "tab": "setup", "form": form, "criterion": criterion},
    )


@coordinator_page
@require_POST
def criterion_action(request, study, criterion_id: int):
    criterion = get_criterion_for_coordinator(study, criterion_id)
    action = request.POST.get("action")
    who = {"actor": request.user, "request": request}
    try:
        if action in ("up", "down"):
            setup.criterion_move(criterion=criterion, direction=action, **who)
        elif action == "remove":
            setup.criterion_remove(criterion=criterion, **who)
        else:
            messages.error(request, f"Unknown action {action!r}.")
    except ValidationError as exc:
        report(request, exc)
    return back(study, "#criteria")


@coordinator_page
@require_POST
def study_open(request, study):
    raw_seed = request.POST.get("seed", "").strip()
    try:
        seed = int(raw_seed) if raw_seed else None
    except ValueError:
        messages.error(request, f"The seed {raw_seed!r} is not a whole number.")
        return back(study)
    try:
        result = reading_services.study_open_checked(
            study=study, seed=seed, actor=request.user, request=request
        )
    except ValidationError as exc:
        report(request, exc)
        return back(study)
    messages.success(
        request, f"The study is open (seed {result['seed']}); readers can start reading."
    )
    return redirect(f"/studies/{study.slug}/progress/")


@coordinator_page
@require_POST
def study_close(request, study):
    try:
        setup.study_close(study=study, actor=request.user, request=request)
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, "The study is closed. Exports remain available.")
    return redirect(f"/studies/{study.slug}/progress/")
