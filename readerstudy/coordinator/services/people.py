"""People changes as the coordinator makes them: invitations, and readers joining an open study.

Each combines the audited writers below it: a membership (``readerstudy.studies.services``) and,
for a reader of an open study, a schedule of their own (``readerstudy.reading.services``).
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from readerstudy.accounts.links import set_password_link
from readerstudy.audit.services import audit_record
from readerstudy.reading.services import schedule_ensure
from readerstudy.studies.models import Membership, Site, Study
from readerstudy.studies.services.membership import membership_activate, membership_grant


def _free_username(email: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", email.split("@")[0])[:140] or "user"
    user_model = get_user_model()
    candidate, number = base, 1
    while user_model.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


def _invitation_text(study: Study, role: str, link: str | None, login_url: str) -> str:
    lines = [f"You have been invited to the reader study “{study.title}” as a {role}.", ""]
    if link:
        lines += [
            "Set your password with this one-time link:",
            link,
            "",
            "The link works once. Afterwards, sign in at:",
        ]
    else:
        lines += ["Sign in with your existing account at:"]
    lines += [login_url, ""]
    return "\n".join(lines)


@transaction.atomic
def invitation_send(
    *,
    study: Study,
    email: str,
    role: str,
    site: Site | None = None,
    username: str = "",
    actor=None,
    request=None,
) -> tuple[Membership, str | None]:
    """Give a person (by email) a role in the study and email them.

    A new person gets an account without a usable password and a one-time link to set one; a person
    who already has a password just gets the notice. Returns the membership and the link (if any).
    """
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{email!r} is not a valid email address.") from None
    user_model = get_user_model()
    user = (
        user_model.objects.filter(username=username).first()
        if username
        else user_model.objects.filter(email__iexact=email).order_by("pk").first()
    )
    membership = membership_grant(
        study=study,
        username=user.get_username() if user else (username or _free_username(email)),
        role=role,
        site=site,
        email=email,
        actor=actor,
        request=request,
    )
    user = membership.user
    if not user.email:
        user.email = email
        user.save(update_fields=["email"])
    link = None if user.has_usable_password() else set_password_link(user, request)
    login_path = reverse("accounts:login")
    login_url = request.build_absolute_uri(login_path) if request else login_path
    send_mail(
        subject=f"Invitation: {study.title}",
        message=_invitation_text(study, role, link, login_url),
        from_email=None,
        recipient_list=[email],
    )
    audit_record(
        action="invitation.send",
        actor=actor,
        study=study,
        target=membership,
        data={
            "user": user.get_username(),
            "email": email,
            "role": role,
            "site": site.name if site else "",
            "set_password_link": link is not None,
        },
        request=request,
    )
    schedule_ensure(study=study, membership=membership, actor=actor, request=request)
    return membership, link


@transaction.atomic
def membership_reactivate(*, membership: Membership, actor=None, request=None) -> Membership:
    """Take a deactivated person back into the study; a reader of an open study gets a schedule."""
    membership = membership_activate(membership=membership, actor=actor, request=request)
    schedule_ensure(study=membership.study, membership=membership, actor=actor, request=request)
    return membership


@transaction.atomic
def membership_add(
    *,
    study: Study,
    username: str,
    role: str,
    site_name: str = "",
    email: str = "",
    password: str | None = None,
    actor=None,
) -> tuple[Membership, str | None]:
    """Give ``username`` (created if new) a role in the study, as ``add_reader`` does.

    A new account without ``password`` gets a one-time set-password link (returned); a reader of
    an open study gets a schedule at once. Refusals are ValidationErrors naming the problem.
    """
    site = None
    if site_name:
        site = study.sites.filter(name=site_name).first()
        if site is None:
            known = ", ".join(study.sites.values_list("name", flat=True)) or "none yet"
            raise ValidationError(
                f"The study {study.slug!r} has no site named {site_name!r} (sites: {known})."
            )
    membership = membership_grant(
        study=study,
        username=username,
        role=role,
        site=site,
        email=email or "",
        password=password,
        actor=actor,
    )
    user = membership.user
    if password and not user.check_password(password):
        # An existing account: the password is only set for new ones, unless asked explicitly.
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            action="account.password_set",
            actor=actor,
            study=study,
            target=user,
            data={"via": "cli"},
        )
    link = None if user.has_usable_password() else set_password_link(user)
    schedule_ensure(study=study, membership=membership, actor=actor)
    return membership, link
