"""Writes that set up studies: creation from a template, sites and memberships."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Criterion, Membership, Sequence, Site, Study
from readerstudy.studies.protocols import DEFAULT_TEMPLATE, load_template


@transaction.atomic
def study_create(
    *,
    slug: str,
    title: str | None = None,
    template: str | None = DEFAULT_TEMPLATE,
    created_by=None,
    request=None,
) -> Study:
    """Create a draft study, with the template's sequences and criteria unless template is None."""
    if slugify(slug) != slug:
        raise ValidationError(f"The slug {slug!r} may contain only a-z, 0-9, '-' and '_'.")
    if Study.objects.filter(slug=slug).exists():
        raise ValidationError(f"A study with the slug {slug!r} already exists.")
    data = load_template(template) if template else {"sequences": [], "criteria": []}
    study = Study.objects.create(
        slug=slug,
        title=title or data.get("title") or slug,
        description=data.get("description", ""),
        design=data.get("design", Study.Design.SIDE_BY_SIDE),
        washout_days=data.get("washout_days", 0),
        allow_revisions=data.get("allow_revisions", False),
        ask_preference=data.get("ask_preference", False),
        noninferiority_margin=data.get("noninferiority_margin", 0.5),
    )
    for order, item in enumerate(data["sequences"], start=1):
        Sequence.objects.create(study=study, key=item["key"], label=item["label"], order=order)
    for order, item in enumerate(data["criteria"], start=1):
        criterion = Criterion(
            study=study,
            key=item["key"],
            label=item["label"],
            help_text=item.get("help_text", ""),
            order=order,
            scale_min=item.get("scale_min", 1),
            scale_max=item.get("scale_max", 5),
            anchors=item["anchors"],
            required=item.get("required", True),
            noninferiority=item.get("noninferiority", False),
        )
        criterion.full_clean(exclude=["study"])
        criterion.save()
    if created_by is not None:
        Membership.objects.create(user=created_by, study=study, role=Membership.Role.COORDINATOR)
    audit_record(
        action="study.create",
        actor=created_by,
        study=study,
        target=study,
        data={"template": template or ""},
        request=request,
    )
    return study


@transaction.atomic
def site_get_or_create(*, study: Study, name: str, country: str = "") -> tuple[Site, bool]:
    name = name.strip()
    if not name:
        raise ValidationError("A site needs a name.")
    site, created = Site.objects.get_or_create(
        study=study, name=name, defaults={"country": country.strip()}
    )
    return site, created


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
