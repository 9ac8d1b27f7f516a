"""Writes about people: sites, invitations, and membership changes (all audited)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Membership, Site, Study
from readerstudy.studies.services.study import membership_grant, site_get_or_create


@transaction.atomic
def site_add(*, study: Study, name: str, country: str = "", actor=None, request=None) -> Site:
    if study.sites.filter(name=name.strip()).exists():
        raise ValidationError(f"The study already has a site named {name.strip()!r}.")
    site, _ = site_get_or_create(study=study, name=name, country=country)
    audit_record(
        action="site.add",
        actor=actor,
        study=study,
        target=site,
        data={"name": site.name, "country": site.country},
        request=request,
    )
    return site


def set_password_link(user, request=None) -> str:
    """A one-time link to set a password. It stops working once the password is set (the token
    covers the password hash and last login) or after PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


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
    schedule_late_reader(study, membership, actor, request)
    return membership, link


def schedule_late_reader(study: Study, membership: Membership, actor=None, request=None) -> None:
    """A reader who joins an open study gets a schedule at once, like everyone at opening."""
    if not study.is_open or membership.role != Membership.Role.READER:
        return
    from readerstudy.reading.models import Schedule
    from readerstudy.reading.services import schedule_generate

    if not Schedule.objects.filter(study=study, reader=membership.user).exists():
        # seed=None: the reader's seed derives from the stored study seed, so it stays reproducible.
        schedule_generate(
            study=study, reader=membership.user, seed=None, actor=actor, request=request
        )


@transaction.atomic
def membership_deactivate(*, membership: Membership, actor=None, request=None) -> Membership:
    """Take a person off the study. Their scores stay; a reader gets no more work."""
    if not membership.is_active:
        return membership
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError("You cannot deactivate your own membership.")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        action="membership.deactivate",
        actor=actor,
        study=membership.study,
        target=membership,
        data={"user": membership.user.get_username(), "role": membership.role},
        request=request,
    )
    return membership


@transaction.atomic
def membership_activate(*, membership: Membership, actor=None, request=None) -> Membership:
    if membership.is_active:
        return membership
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    audit_record(
        action="membership.activate",
        actor=actor,
        study=membership.study,
        target=membership,
        data={"user": membership.user.get_username(), "role": membership.role},
        request=request,
    )
    schedule_late_reader(membership.study, membership, actor, request)
    return membership


@transaction.atomic
def membership_site_set(
    *, membership: Membership, site: Site, actor=None, request=None
) -> Membership:
    """Put a reader on a site (before opening: the site is part of every exported score)."""
    study = membership.study
    if site.study_id != study.pk:
        raise ValidationError("The site belongs to another study.")
    if not study.is_draft and membership.role == Membership.Role.READER:
        raise ValidationError("A reader's site cannot change once the study is open.")
    old = membership.site.name if membership.site else ""
    membership.site = site
    membership.save(update_fields=["site"])
    audit_record(
        action="membership.site",
        actor=actor,
        study=study,
        target=membership,
        data={"user": membership.user.get_username(), "changes": {"site": [old, site.name]}},
        request=request,
    )
    return membership
