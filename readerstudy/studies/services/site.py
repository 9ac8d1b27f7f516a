"""Writes of a study's sites: hospitals contributing cases and readers (each addition audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Site, Study


@transaction.atomic
def site_add(
    *, study: Study, name: str, country: str = "", exist_ok: bool = False, actor=None, request=None
) -> Site:
    """Add a site to the study. With ``exist_ok`` an existing site of that name is returned as it
    is (imports and the demo name sites that may exist); otherwise a duplicate is refused."""
    name = name.strip()
    if not name:
        raise ValidationError("A site needs a name.")
    existing = study.sites.filter(name=name).first()
    if existing is not None:
        if exist_ok:
            return existing
        raise ValidationError(f"The study already has a site named {name!r}.")
    site = Site.objects.create(study=study, name=name, country=country.strip())
    audit_record(
        action="site.add",
        actor=actor,
        study=study,
        target=site,
        data={"name": site.name, "country": site.country},
        request=request,
    )
    return site
