"""Study setup: create from the template or from scratch, edit the protocol, the open check, and
the freeze after opening (only help texts and titles stay editable, and those edits are audited)."""

import pytest
from django.core.exceptions import ValidationError

from readerstudy.audit.models import AuditEvent
from readerstudy.reading.models import Schedule
from readerstudy.reading.selectors.readiness import study_problems
from readerstudy.reading.services import study_open_checked
from readerstudy.studies import services as setup
from readerstudy.studies.models import Study
from tests.studies.builders import add_cases


def _codes(study):
    return {p.code for p in study_problems(study) if p.blocking}


def _actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_a_coordinator_creates_a_study_from_the_template(client, study, alice):
    client.force_login(alice)
    response = client.post("/studies/new/", {"slug": "glioma-2", "template": "glioma_dl_template"})
    assert response.status_code == 302
    created = Study.objects.get(slug="glioma-2")
    assert list(created.sequences.values_list("key", flat=True)) == ["T2W", "FLAIR", "T1CE"]
    assert created.criteria.count() == 7
    assert created.memberships.get(user=alice).role == "coordinator"
    assert AuditEvent.objects.filter(action="study.create", study=created).exists()


def test_a_study_from_scratch_starts_empty_and_says_what_is_missing(client, study, alice):
    client.force_login(alice)
    client.post("/studies/new/", {"slug": "scratch", "title": "Scratch", "template": ""})
    scratch = Study.objects.get(slug="scratch")
    assert scratch.sequences.count() == 0
    assert {"no_sequences", "no_criteria", "no_readers", "no_cases"} <= _codes(scratch)
    page = client.get("/studies/scratch/").content.decode()
    assert "Add at least one sequence." in page
    assert 'id="open-study" disabled' in page


def test_the_slug_must_be_new(client, study, alice):
    client.force_login(alice)
    response = client.post("/studies/new/", {"slug": "glioma", "template": ""})
    assert "already exists" in response.content.decode()


def test_sequences_are_added_renamed_moved_and_removed(client, study, alice):
    client.force_login(alice)
    client.post("/studies/glioma/sequences/", {"key": "DWI", "label": "Diffusion"})
    dwi = study.sequences.get(key="DWI")
    client.post(f"/studies/glioma/sequences/{dwi.pk}/", {"action": "up"})
    assert list(study.sequences.values_list("key", flat=True)) == ["T2W", "FLAIR", "DWI", "T1CE"]
    client.post(f"/studies/glioma/sequences/{dwi.pk}/", {"action": "rename", "label": "DWI b1000"})
    dwi.refresh_from_db()
    assert dwi.label == "DWI b1000"
    client.post(f"/studies/glioma/sequences/{dwi.pk}/", {"action": "remove"})
    assert not study.sequences.filter(key="DWI").exists()
    assert [a for a in _actions() if a.startswith("sequence.")] == [
        "sequence.add",
        "sequence.move",
        "sequence.update",
        "sequence.remove",
    ]


def test_a_criterion_is_added_with_one_anchor_per_level(client, study, alice):
    client.force_login(alice)
    response = client.post(
        "/studies/glioma/criteria/new/",
        {
            "label": "Sharpness",
            "scale_min": 1,
            "scale_max": 3,
            "anchors": "Blurred\nAcceptable\nSharp",
            "required": "on",
        },
    )
    assert response.status_code == 302
    criterion = study.criteria.get(key="sharpness")
    assert criterion.anchors == ["Blurred", "Acceptable", "Sharp"]
    assert criterion.order == 8
    assert AuditEvent.objects.filter(action="criterion.add", target_id=str(criterion.pk)).exists()


def test_a_wrong_number_of_anchors_is_refused_with_a_clear_message(client, study, alice):
    client.force_login(alice)
    response = client.post(
        "/studies/glioma/criteria/new/",
        {"label": "Sharpness", "scale_min": 1, "scale_max": 5, "anchors": "Bad\nGood"},
    )
    assert (
        "Give 5 anchor texts, one per score level from 1 to 5; got 2." in response.content.decode()
    )
    assert not study.criteria.filter(key="sharpness").exists()


def test_criteria_without_anchors_block_opening(study, alice):
    setup.criterion_add(study=study, data={"label": "Sharpness"}, actor=alice)
    problems = [p for p in study_problems(study) if p.code == "criteria_without_anchors"]
    assert problems and "Sharpness" in problems[0].message and problems[0].blocking


def test_a_criterion_is_moved_and_removed(study, alice):
    noise = study.criteria.get(key="noise")
    setup.criterion_move(criterion=noise, direction="up", actor=alice)
    assert list(study.criteria.values_list("key", flat=True))[:2] == ["noise", "overall_quality"]
    setup.criterion_remove(criterion=noise, actor=alice)
    assert study.criteria.count() == 6


def test_settings_are_saved_and_audited_with_old_and_new_values(client, study, alice):
    client.force_login(alice)
    client.post(
        "/studies/glioma/settings/",
        {
            "title": "Glioma DL study",
            "description": "",
            "design": "sequential",
            "washout_days": 14,
            "allow_comment": "on",
            "noninferiority_margin": 0.5,
        },
    )
    study.refresh_from_db()
    assert study.design == "sequential" and study.washout_days == 14
    event = AuditEvent.objects.get(action="study.update")
    assert event.data["changes"]["design"] == ["side_by_side", "sequential"]
    assert event.data["changes"]["washout_days"] == [28, 14]


def test_incomplete_pairs_and_missing_readers_are_listed(study, alice):
    from readerstudy.studies.models import Membership

    add_cases(study, 1, complete=False)
    Membership.objects.filter(study=study, role="reader").update(is_active=False)
    codes = _codes(study)
    assert {"incomplete_pairs", "no_readers"} <= codes
    message = next(p.message for p in study_problems(study) if p.code == "incomplete_pairs")
    assert "P001 T2W (The enhanced series is missing.)" in message


def test_blinding_tells_are_a_warning_not_a_blocker(study):
    add_cases(study, 1)
    problems = {p.code: p for p in study_problems(study)}
    assert problems["blinding_tells"].blocking is False
    assert _codes(study) == set()


def test_excluding_a_case_needs_a_reason_and_is_audited(client, study, alice):
    case = add_cases(study, 1)[0]
    client.force_login(alice)
    client.post(f"/studies/glioma/cases/{case.pk}/exclusion/", {"reason": ""})
    case.refresh_from_db()
    assert not case.excluded
    client.post(f"/studies/glioma/cases/{case.pk}/exclusion/", {"reason": "Motion, non-diagnostic"})
    case.refresh_from_db()
    assert case.excluded and case.exclusion_reason == "Motion, non-diagnostic"
    event = AuditEvent.objects.get(action="case.exclude")
    assert event.data == {"case": "P001", "reason": "Motion, non-diagnostic"}


def test_an_excluded_incomplete_case_no_longer_blocks_opening(study, alice):
    case = add_cases(study, 1, complete=False)[0]
    setup.case_exclude(case=case, reason="Enhanced series never delivered", actor=alice)
    assert "incomplete_pairs" not in _codes(study)


@pytest.fixture
def opened(study, alice):
    add_cases(study, 2)
    study_open_checked(study=study, seed=7, actor=alice)
    study.refresh_from_db()
    return study


def test_opening_from_the_page_schedules_every_reader(client, study, alice, bob):
    add_cases(study, 2)
    client.force_login(alice)
    response = client.post("/studies/glioma/open/", {"seed": "42"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.status == "open" and study.randomization_seed == 42
    assert Schedule.objects.get(study=study, reader=bob).assignments.count() == 6
    assert AuditEvent.objects.filter(action="study.open", study=study).count() == 1


def test_a_study_with_blocking_problems_does_not_open(client, study, alice):
    client.force_login(alice)
    response = client.post("/studies/glioma/open/", follow=True)
    study.refresh_from_db()
    assert study.status == "draft"
    assert "The study cannot open yet." in response.content.decode()


def test_the_structure_is_frozen_once_open(opened, alice):
    with pytest.raises(ValidationError, match="structure is frozen"):
        setup.sequence_add(study=opened, label="DWI", actor=alice)
    criterion = opened.criteria.get(key="noise")
    with pytest.raises(ValidationError, match="structure is frozen"):
        setup.criterion_update(criterion=criterion, data={"label": "Grain"}, actor=alice)
    with pytest.raises(ValidationError, match="structure is frozen"):
        setup.study_settings_update(study=opened, data={"design": "sequential"}, actor=alice)
    with pytest.raises(ValidationError, match="structure is frozen"):
        setup.case_exclude(case=opened.cases.first(), reason="late", actor=alice)
    with pytest.raises(ValidationError, match="structure is frozen"):
        setup.criterion_remove(criterion=criterion, actor=alice)


def test_help_text_typos_stay_editable_after_opening_and_are_audited(client, opened, alice):
    criterion = opened.criteria.get(key="noise")
    client.force_login(alice)
    client.post(
        f"/studies/glioma/criteria/{criterion.pk}/",
        {"label": "ignored", "help_text": "Perceived image noise (fixed typo)."},
    )
    criterion.refresh_from_db()
    assert criterion.help_text == "Perceived image noise (fixed typo)."
    assert criterion.label == "Noise"
    event = AuditEvent.objects.get(action="criterion.update")
    assert event.data["status"] == "open"
    assert event.data["changes"]["help_text"][1] == "Perceived image noise (fixed typo)."


def test_the_title_can_be_corrected_after_opening(client, opened, alice):
    client.force_login(alice)
    client.post("/studies/glioma/settings/", {"title": "Glioma DL (corrected)", "description": "x"})
    opened.refresh_from_db()
    assert opened.title == "Glioma DL (corrected)"
    assert AuditEvent.objects.filter(action="study.update").exists()


def test_closing_the_study_is_audited(client, opened, alice):
    client.force_login(alice)
    client.post("/studies/glioma/close/")
    opened.refresh_from_db()
    assert opened.status == "closed" and opened.closed_at is not None
    assert AuditEvent.objects.filter(action="study.close", study=opened).exists()


def test_a_draft_study_cannot_be_closed(study, alice):
    with pytest.raises(ValidationError, match="Only an open study can be closed"):
        setup.study_close(study=study, actor=alice)
