"""Shared fixtures. Named users, as in healthchecks' tests:

- alice: coordinator of ``study``
- bob: reader of ``study`` (site NYU)
- charlie: outsider, a member of nothing
- dave: coordinator of ``other_study`` only
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from readerstudy.studies.models import Membership
from readerstudy.studies.services import membership_grant, site_add, study_create

PASSWORD = "correct horse battery staple"


def _user(username: str):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD
    )
    return user


@pytest.fixture
def alice(db):
    return _user("alice")


@pytest.fixture
def bob(db):
    return _user("bob")


@pytest.fixture
def charlie(db):
    return _user("charlie")


@pytest.fixture
def dave(db):
    return _user("dave")


@pytest.fixture
def study(db, alice, bob):
    """A draft study from the glioma template, with three sites, alice coordinating, bob reading."""
    study = study_create(slug="glioma", title="Glioma DL study")
    sites = {}
    for name, country in [("NYU", "USA"), ("Severance", "Korea"), ("SNUH", "Korea")]:
        sites[name] = site_add(study=study, name=name, country=country, exist_ok=True)
    Membership.objects.create(user=alice, study=study, role=Membership.Role.COORDINATOR)
    membership_grant(study=study, username="bob", role="reader", site=sites["NYU"])
    return study


@pytest.fixture
def other_study(db, dave):
    study = study_create(slug="other", title="Someone else's study")
    Membership.objects.create(user=dave, study=study, role=Membership.Role.COORDINATOR)
    return study
