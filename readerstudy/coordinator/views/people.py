"""Sites and people: add sites, invite readers and coordinators, deactivate, move between sites."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from readerstudy.coordinator.forms.setup import InviteForm, SiteForm
from readerstudy.coordinator.services import people
from readerstudy.coordinator.views.setup import report
from readerstudy.studies import services as study_services
from readerstudy.studies.access import get_membership_for_coordinator
from readerstudy.studies.gates import coordinator_page
from readerstudy.studies.models import Membership


def _back(study):
    return redirect(f"/studies/{study.slug}/people/")


@coordinator_page
def people_list(request, study):
    return _people_page(request, study)


def _people_page(request, study, invite_form=None):
    memberships = (
        Membership.objects.filter(study=study)
        .select_related("user", "site")
        .order_by("role", "-is_active", "site__name", "user__username")
    )
    return render(
        request,
        "studies/people.html",
        {
            "study": study,
            "tab": "people",
            "sites": study.sites.all(),
            "coordinators": [m for m in memberships if m.role == Membership.Role.COORDINATOR],
            "readers": [m for m in memberships if m.role == Membership.Role.READER],
            "site_form": SiteForm(),
            "invite_form": invite_form or InviteForm(study=study),
        },
    )


@coordinator_page
@require_POST
def site_add(request, study):
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            study_services.site_add(
                study=study, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            report(request, exc)
        else:
            messages.success(request, f"Site {form.cleaned_data['name']!r} added.")
    else:
        messages.error(request, "A site needs a name.")
    return _back(study)


@coordinator_page
@require_POST
def invite(request, study):
    form = InviteForm(request.POST, study=study)
    if form.is_valid():
        try:
            invitation = people.invitation_send(
                study=study,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                site=form.cleaned_data["site"],
                username=form.cleaned_data["username"].strip(),
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            membership = invitation.membership
            if invitation.created:
                sent = f"<{invitation.notified}> with a one-time set-password link"
            elif invitation.notified:
                sent = "(an existing account, notified at its own address)"
            else:
                sent = "(an existing account without an email address: tell them yourself)"
            messages.success(
                request,
                f"Invited {membership.user.get_username()} as "
                f"{membership.get_role_display().lower()} {sent}.",
            )
            return _back(study)
    return _people_page(request, study, invite_form=form)


@coordinator_page
@require_POST
def membership_action(request, study, membership_id: int):
    membership = get_membership_for_coordinator(study, membership_id)
    action = request.POST.get("action")
    who = {"actor": request.user, "request": request}
    try:
        if action == "deactivate":
            study_services.membership_deactivate(membership=membership, **who)
        elif action == "activate":
            people.membership_reactivate(membership=membership, **who)
        elif action == "site":
            site = study.sites.filter(pk=request.POST.get("site") or 0).first()
            if site is None:
                raise ValidationError("Choose one of this study's sites.")
            study_services.membership_site_set(membership=membership, site=site, **who)
        else:
            raise ValidationError(f"Unknown action {action!r}.")
    except ValidationError as exc:
        report(request, exc)
    else:
        messages.success(request, f"{membership.user.get_username()}: done.")
    return _back(study)
