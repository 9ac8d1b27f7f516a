"""The database itself refuses inconsistent data, not only Python validation."""

import pytest
from django.db import IntegrityError, transaction

from readerstudy.imaging.models import Series
from readerstudy.reading.models import Assignment, Schedule, Task
from readerstudy.studies.models import Case, Criterion, Membership, Sequence, Site, Study


def _series(case, sequence, arm, key):
    return Series.objects.create(
        case=case,
        sequence=sequence,
        arm=arm,
        rows=4,
        columns=4,
        slices=2,
        window_center=1,
        window_width=2,
        intensity_low=0,
        intensity_high=2,
        storage_key=key,
        content_sha256="0" * 64,
    )


@pytest.fixture
def case(study):
    return Case.objects.create(study=study, site=study.sites.first(), identifier="P001")


def test_a_second_series_for_the_same_case_sequence_arm_is_refused(case):
    sequence = case.study.sequences.get(key="T2W")
    _series(case, sequence, "conventional", "k1")
    _series(case, sequence, "enhanced", "k2")
    with pytest.raises(IntegrityError), transaction.atomic():
        _series(case, sequence, "conventional", "k3")


def test_an_unknown_arm_is_refused_by_the_database(case):
    sequence = case.study.sequences.get(key="T2W")
    with pytest.raises(IntegrityError), transaction.atomic():
        _series(case, sequence, "sharpened", "k4")


def test_storage_keys_are_unique(case):
    t2, flair = case.study.sequences.get(key="T2W"), case.study.sequences.get(key="FLAIR")
    _series(case, t2, "conventional", "same")
    with pytest.raises(IntegrityError), transaction.atomic():
        _series(case, flair, "conventional", "same")


def test_case_identifiers_are_unique_within_a_study(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(study=case.study, site=case.site, identifier="P001")


def test_an_excluded_case_needs_a_reason(case):
    case.excluded = True
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_site_names_sequence_keys_and_criterion_keys_are_unique_in_a_study(study):
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.create(study=study, name="NYU")
    with pytest.raises(IntegrityError), transaction.atomic():
        Sequence.objects.create(study=study, key="T2W", label="again")
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(study=study, key="noise", label="again", anchors=[])


def test_a_criterion_scale_must_run_upwards(study):
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(
            study=study, key="x", label="x", scale_min=5, scale_max=1, anchors=[]
        )


def test_study_status_and_design_are_checked(study):
    with pytest.raises(IntegrityError), transaction.atomic():
        Study.objects.filter(pk=study.pk).update(status="archived")
    with pytest.raises(IntegrityError), transaction.atomic():
        Study.objects.filter(pk=study.pk).update(design="crossover")


def test_a_user_holds_a_role_once_per_study(study, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=bob, study=study, role="reader")


def test_a_task_is_assigned_to_a_reader_once_and_read_orders_are_unique(study, bob, case):
    sequence = study.sequences.get(key="T2W")
    task = Task.objects.create(study=study, case=case, sequence=sequence)
    other = Task.objects.create(study=study, case=case, sequence=study.sequences.get(key="FLAIR"))
    schedule = Schedule.objects.create(study=study, reader=bob, seed=1)
    Assignment.objects.create(schedule=schedule, task=task, reader=bob, study=study, read_order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            schedule=schedule, task=task, reader=bob, study=study, read_order=2
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            schedule=schedule, task=other, reader=bob, study=study, read_order=1
        )


def test_a_submitted_assignment_needs_a_submission_time(study, bob, case):
    task = Task.objects.create(study=study, case=case, sequence=study.sequences.get(key="T2W"))
    schedule = Schedule.objects.create(study=study, reader=bob, seed=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            schedule=schedule,
            task=task,
            reader=bob,
            study=study,
            read_order=1,
            status="submitted",
        )
