"""People changes as the coordinator makes them: invitations, and readers joining an open study.

Each combines the audited writers below it: a membership (``readerstudy.studies.services``) and,
for a reader of an open study, a schedule of their own (``readerstudy.reading.services``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Invitation:
    """What an invitation did: the membership, and whether the account was created by it."""

    membership: Membership
    created: bool
    link: str | None  # the one-time set-password link, only ever for an account created now
    notified: str  # the address the notice went to ("" when the account has none)


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
) -> Invitation:
    """Give a person a role in the study and email them.

    The person is found by ``username`` when given, else by ``email``. An invitation never hands
    out credentials for an account that already exists: an existing account is added to the study
    and notified at its own address (not the one typed), and its email stays as it is. Only an
    account created by this invitation gets a one-time link to set its password, sent to the
    address typed. Otherwise a coordinator of one study could take over any account that has no
    password yet (a pending invitee, or a reader added without one), a coordinator's included.
    """
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{email!r} is not a valid email address.") from None
    user_model = get_user_model()
    existing = (
        user_model.objects.filter(username=username).first()
        if username
        else user_model.objects.filter(email__iexact=email).order_by("pk").first()
    )
    membership = membership_grant(
        study=study,
        username=existing.get_username() if existing else (username or _free_username(email)),
        role=role,
        site=site,
        email=email,
        actor=actor,
        request=request,
    )
    user = membership.user
    created = existing is None
    link = set_password_link(user, request) if created else None
    notified = email if created else user.email
    login_path = reverse("accounts:login")
    login_url = request.build_absolute_uri(login_path) if request else login_path
    if notified:
        send_mail(
            subject=f"Invitation: {study.title}",
            message=_invitation_text(study, role, link, login_url),
            from_email=None,
            recipient_list=[notified],
        )
    audit_record(
        action="invitation.send",
        actor=actor,
        study=study,
        target=membership,
        data={
            "user": user.get_username(),
            "email": email,
            "notified": notified,
            "role": role,
            "site": site.name if site else "",
            "account_created": created,
            "set_password_link": link is not None,
        },
        request=request,
    )
    schedule_ensure(study=study, membership=membership, actor=actor, request=request)
    return Invitation(membership=membership, created=created, link=link, notified=notified)


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
