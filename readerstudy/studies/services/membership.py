"""Writes of memberships: a user's role in a study (coordinator or reader), each change audited.

A reader who joins or returns to an open study also needs a schedule; the coordinator's people
services (``readerstudy.coordinator.services.people``) add that step.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Membership, Site, Study


@transaction.atomic
def membership_grant(
    *,
    study: Study,
    username: str,
    role: str,
    site: Site | None = None,
    email: str = "",
    password: str | None = None,
    actor=None,
    request=None,
) -> Membership:
    """Give a user (created if new) a role in a study. Readers must be placed on a site."""
    if role not in Membership.Role.values:
        raise ValidationError(f"Unknown role {role!r}; use 'coordinator' or 'reader'.")
    if role == Membership.Role.READER and site is None:
        raise ValidationError("Put each reader on a site.")
    if site is not None and site.study_id != study.pk:
        raise ValidationError("The site belongs to another study.")
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    membership, _ = Membership.objects.update_or_create(
        user=user, study=study, role=role, defaults={"site": site, "is_active": True}
    )
    audit_record(
        action="membership.grant",
        actor=actor,
        study=study,
        target=membership,
        data={"user": username, "role": role, "site": site.name if site else ""},
        request=request,
    )
    return membership


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
