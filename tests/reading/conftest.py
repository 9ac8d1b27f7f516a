"""Fixtures for the reading tests: small studies opened with a fixed seed.

``study`` (tests/conftest.py) is the glioma template with alice coordinating and bob reading at
NYU; here it is trimmed to keep the tests fast unless a test needs the full protocol.
"""

from __future__ import annotations

import pytest
from django.test import Client

from readerstudy.reading.models import Assignment
from readerstudy.reading.services import study_open
from readerstudy.studies.models import Study
from tests.conftest import PASSWORD
from tests.factories import add_cases, add_reader, keep_criteria, keep_sequences

SEED = 20261124


@pytest.fixture(autouse=True)
def _no_pixel_prewarm(settings):
    # Background warming of the pixel cache would make tests depend on thread timing.
    settings.READING_PIXEL_PREWARM = False


def open_sequential(study, *, washout_days: int = 28, cases: int = 3, seed: int = 5):
    """``study`` in the sequential design with one sequence (T2W) and criterion (noise); opened."""
    study.design = Study.Design.SEQUENTIAL
    study.washout_days = washout_days
    study.save()
    keep_sequences(study, ["T2W"])
    keep_criteria(study, ["noise"])
    add_cases(study, cases)
    study_open(study=study, seed=seed)
    study.refresh_from_db()
    return study


@pytest.fixture
def sequential(study, bob):
    """Sequential design, 28-day washout, three cases; opened."""
    return open_sequential(study)


@pytest.fixture
def small_study(study):
    """Two sequences, two criteria, three cases; bob reads; still a draft."""
    keep_sequences(study, ["T2W", "FLAIR"])
    keep_criteria(study, ["overall_quality", "noise"])
    add_cases(study, 3)
    return study


@pytest.fixture
def opened(small_study):
    """``small_study`` opened with a fixed seed; erin is a second reader of it."""
    add_reader(small_study, "erin", password=PASSWORD)
    study_open(study=small_study, seed=SEED)
    small_study.refresh_from_db()
    return small_study


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


def first_assignment(study, user) -> Assignment:
    return Assignment.objects.get(study=study, reader=user, read_order=1)
