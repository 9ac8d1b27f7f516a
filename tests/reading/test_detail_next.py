"""The assignment detail's progress and next assignment come from one aggregate; they must agree
with the plain selectors (next_assignment and the worklist's counts) in every state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from readerstudy.reading.models import Assignment, Schedule
from readerstudy.reading.selectors import assignments as selectors


def _assert_agrees(study, reader):
    assignments = list(Assignment.objects.filter(study=study, reader=reader).order_by("read_order"))
    done = sum(a.status == Assignment.Status.SUBMITTED for a in assignments)
    for assignment in assignments:
        detail = selectors.assignment_detail(assignment)
        following = selectors.next_assignment(
            study=study, reader=reader, schedule=assignment.schedule, after=assignment.read_order
        )
        assert detail["next_read_order"] == (following.read_order if following else None)
        assert (detail["assignment"]["total"], detail["assignment"]["done"]) == (
            len(assignments),
            done,
        )
        expected_url = selectors.reading_url(study, following.read_order) if following else None
        assert detail["next_url"] == expected_url


@pytest.mark.parametrize("submitted", [(), (1,), (6,), (1, 2, 3), (2, 4, 6), (1, 2, 3, 4, 5, 6)])
def test_next_assignment_and_progress_match_the_plain_selectors(opened, bob, submitted):
    Assignment.objects.filter(reader=bob, read_order__in=submitted).update(
        status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
    )
    _assert_agrees(opened, bob)


def test_the_next_assignment_skips_a_closed_session_2(sequential, bob):
    study = sequential
    for count in range(4):  # session 1 is tasks 1-3: none, some, then all of it submitted
        numbers = list(range(1, count + 1))
        Assignment.objects.filter(reader=bob, read_order__in=numbers).update(
            status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
        )
        _assert_agrees(study, bob)
    schedule = Schedule.objects.get(reader=bob)
    schedule.session1_completed_at = timezone.now() - timedelta(days=29)
    schedule.save()
    _assert_agrees(study, bob)
