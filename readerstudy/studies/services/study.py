"""Writes of a study itself: creation from a protocol template, settings, closing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from readerstudy.audit.services import audit_record
from readerstudy.studies.aetitle import unique_ae_title
from readerstudy.studies.models import Criterion, Membership, Sequence, Study
from readerstudy.studies.protocols import DEFAULT_TEMPLATE, load_template
from readerstudy.studies.services.common import audit_changes, field_changes, require_draft


@transaction.atomic
def _free_ae_title(slug: str) -> str | None:
    """The slug's default AE title, made unique among the studies' titles; None if the slug
    yields no usable title (the coordinator then sets one)."""
    taken = Study.objects.exclude(dicom_ae_title=None).values_list("dicom_ae_title", flat=True)
    try:
        return unique_ae_title(slug, list(taken))
    except ValueError:
        return None


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
        modalities=list(data.get("modalities", [])),
        dicom_ae_title=_free_ae_title(slug),
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


SETTINGS_FIELDS = (
    "title",
    "description",
    "design",
    "washout_days",
    "allow_revisions",
    "ask_preference",
    "allow_comment",
    "noninferiority_margin",
)


TEXT_ONLY_FIELDS = ("title", "description")


@transaction.atomic
def study_settings_update(*, study: Study, data: dict[str, Any], actor=None, request=None) -> Study:
    """Change the study's settings; after opening only the title and description."""
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown study setting(s): {', '.join(sorted(unknown))}.")
    changes = field_changes(study, data, SETTINGS_FIELDS)
    if not study.is_draft and set(changes) - set(TEXT_ONLY_FIELDS):
        require_draft(study)
    if "design" in changes and data["design"] not in Study.Design.values:
        raise ValidationError(f"Unknown design {data['design']!r}.")
    if "title" in changes and not str(data["title"]).strip():
        raise ValidationError("A study needs a title.")
    if "noninferiority_margin" in changes and not float(data["noninferiority_margin"]) > 0:
        raise ValidationError("The non-inferiority margin must be above zero.")
    for field, (_old, new) in changes.items():
        setattr(study, field, new)
    study.save()
    audit_changes(
        "study.update", study=study, target=study, changes=changes, actor=actor, request=request
    )
    return study


@transaction.atomic
def study_close(*, study: Study, actor=None, request=None) -> Study:
    """Close an open study: readers can no longer read or change scores; exports stay."""
    if not study.is_open:
        raise ValidationError(f"Only an open study can be closed; this one is {study.status}.")
    study.status = Study.Status.CLOSED
    study.closed_at = timezone.now()
    study.save(update_fields=["status", "closed_at"])
    audit_record(action="study.close", actor=actor, study=study, target=study, request=request)
    return study
