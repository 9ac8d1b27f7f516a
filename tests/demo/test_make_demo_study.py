"""make_demo_study: the phantom goes through the real import; a second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from readerstudy.audit.models import AuditEvent
from readerstudy.demo.cases import demo_cases
from readerstudy.demo.phantom.dicom import ENHANCED_TELLS
from readerstudy.imaging.models import PairCheck, Series
from readerstudy.studies.models import Case, Membership, Study

# How the pair check names each tell the phantom plants (phantom_dicom.ENHANCED_TELLS keys).
TELL_NAMES = {
    "SeriesInstanceUID": "SeriesInstanceUID root",
    "SOPInstanceUID": "SOPInstanceUID root",
    "0x00110010": "private creators",
    "0x00111001": "(0011,1001) DLRECON_VENDOR",
    "0x00111002": "(0011,1002) DLRECON_VENDOR",
}


def make_demo(**options) -> str:
    out = io.StringIO()
    call_command(
        "make_demo_study", cases=3, matrix=32, slices=4, no_progress=True, stdout=out, **options
    )
    return out.getvalue()


@pytest.fixture
def var_dir(tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        yield tmp_path


def test_cases_are_split_evenly_across_the_three_sites():
    cases = demo_cases(12)
    assert [site for _, site in cases] == ["NYU"] * 4 + ["Severance"] * 4 + ["SNUH"] * 4
    assert cases[0] == ("NYU-01", "NYU") and cases[4] == ("SEV-01", "Severance")


def test_the_demo_study_is_built_through_the_import(db, var_dir):
    out = make_demo()

    study = Study.objects.get(slug="demo")
    assert study.title == "Demo: DL-enhanced glioma MRI" and study.is_open
    assert sorted((s.name, s.country) for s in study.sites.all()) == [
        ("NYU", "USA"),
        ("SNUH", "Korea"),
        ("Severance", "Korea"),
    ]
    assert Case.objects.filter(study=study).count() == 3
    assert Series.objects.filter(case__study=study).count() == 18
    assert PairCheck.objects.filter(case__study=study, status="complete").count() == 9
    assert AuditEvent.objects.filter(action="import.run", study=study).exists()
    readers = Membership.objects.filter(study=study, role="reader").select_related("site", "user")
    assert {(m.user.username, m.site.name) for m in readers} == {
        ("reader-nyu", "NYU"),
        ("reader-severance", "Severance"),
        ("reader-snuh", "SNUH"),
    }
    users = get_user_model().objects
    assert users.get(username="coordinator").check_password("demo-coordinator")
    assert users.get(username="reader-snuh").check_password("demo-reader")
    assert "Demo study 'demo' is ready: 3 cases, 18 series" in out
    assert "coordinator  coordinator       demo-coordinator  —" in out
    assert "reader       reader-snuh       demo-reader       SNUH" in out


def test_every_planted_tell_is_found_by_the_pair_check(db, var_dir):
    make_demo()

    for check in PairCheck.objects.filter(case__study__slug="demo"):
        listed = {tell["attribute"] for tell in check.tells}
        for tell in ENHANCED_TELLS:
            assert TELL_NAMES.get(tell, tell) in listed, (check, tell)


def test_running_it_again_changes_nothing_and_says_so(db, var_dir):
    make_demo()
    counts = (Series.objects.count(), Case.objects.count(), Membership.objects.count())
    events = AuditEvent.objects.exclude(action="import.run").count()

    out = make_demo()

    assert (Series.objects.count(), Case.objects.count(), Membership.objects.count()) == counts
    assert AuditEvent.objects.exclude(action="import.run").count() == events
    assert "The demo study 'demo' already exists (3 cases, 18 series); nothing was changed." in out


def test_a_closed_demo_study_is_left_alone(db, var_dir):
    make_demo()
    Study.objects.filter(slug="demo").update(status="closed")

    out = make_demo()

    assert "The demo study 'demo' already exists (3 cases, 18 series); nothing was changed." in out
    assert Study.objects.get(slug="demo").status == "closed"
