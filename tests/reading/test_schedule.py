"""Schedules: balance of the hidden placement, reproducibility, sessions, regeneration."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from readerstudy.imaging.models import PairCheck
from readerstudy.reading.models import Assignment, Pane, Schedule
from readerstudy.reading.services import schedule_generate, study_open
from readerstudy.reading.services.schedule import balanced_flags, reader_seed
from readerstudy.studies.models import Study
from tests.factories import add_cases, add_reader, keep_criteria

SEED = 1234


def _placements(study, reader) -> list[tuple[int, str, str, str]]:
    """(read order, case, sequence, arm in pane A) for each of the reader's tasks."""
    panes = Pane.objects.filter(
        assignment__study=study, assignment__reader=reader, name="A"
    ).select_related("assignment__task__case", "assignment__task__sequence", "series")
    return sorted(
        (
            p.assignment.read_order,
            p.assignment.task.case.identifier,
            p.assignment.task.sequence.key,
            p.series.arm,
        )
        for p in panes
    )


@pytest.mark.parametrize("sizes", [[1], [2], [3], [4, 5], [7, 7, 7], [5, 6, 9, 1], [0, 3]])
@pytest.mark.parametrize("seed", [0, 1, 99])
def test_balanced_flags_give_half_per_group_and_overall(sizes, seed):
    flags = balanced_flags(np.random.default_rng(seed), sizes)
    for n, chosen in zip(sizes, flags, strict=True):
        assert len(chosen) == n
        assert chosen.sum() in (n // 2, (n + 1) // 2)
    total = sum(sizes)
    assert sum(int(f.sum()) for f in flags) in (total // 2, (total + 1) // 2)


@pytest.mark.parametrize("n_cases", [1, 2, 5, 8, 11])
def test_it_balances_dl_on_the_left_per_reader_and_per_sequence(study, n_cases):
    add_cases(study, n_cases)
    add_reader(study, "erin")
    study_open(study=study, seed=SEED)
    sequences = list(study.sequences.values_list("key", flat=True))
    assert len(sequences) == 3
    for membership in study.memberships.filter(role="reader"):
        placements = _placements(study, membership.user)
        assert len(placements) == n_cases * 3
        left = Counter(seq for _, _, seq, arm in placements if arm == "enhanced")
        for key in sequences:
            assert left[key] in (n_cases // 2, (n_cases + 1) // 2)
        total = len(placements)
        assert sum(left.values()) in (total // 2, (total + 1) // 2)
        # Pane B always shows the other arm.
        for assignment in Assignment.objects.filter(study=study, reader=membership.user):
            arms = sorted(p.series.arm for p in assignment.panes.all())
            assert arms == ["conventional", "enhanced"]


def test_it_numbers_tasks_one_to_n_in_a_random_order(study):
    add_cases(study, 6)
    study_open(study=study, seed=SEED)
    orders = list(Assignment.objects.filter(study=study).values_list("read_order", flat=True))
    assert sorted(orders) == list(range(1, 19))
    canonical = sorted(
        _placements(study, study.memberships.get(role="reader").user), key=lambda p: (p[1], p[2])
    )
    assert [p[0] for p in canonical] != list(range(1, 19))


def test_the_same_seed_gives_the_same_schedule(study, bob):
    add_cases(study, 5)
    study_open(study=study, seed=SEED)
    first = _placements(study, bob)
    schedule = Schedule.objects.get(study=study, reader=bob)
    assert schedule.seed == reader_seed(SEED, bob.pk)
    again = schedule_generate(study=study, reader=bob, seed=SEED)
    assert _placements(study, bob) == first
    assert again.seed == schedule.seed


def test_another_seed_gives_another_schedule(study, bob):
    add_cases(study, 5)
    study_open(study=study, seed=SEED)
    first = _placements(study, bob)
    schedule_generate(study=study, reader=bob, seed=SEED + 1)
    assert _placements(study, bob) != first


def test_readers_get_different_orders_from_one_study_seed(study, bob):
    add_cases(study, 6)
    erin = add_reader(study, "erin")
    study_open(study=study, seed=SEED)
    assert reader_seed(SEED, bob.pk) != reader_seed(SEED, erin.pk)
    order_bob = [(c, s) for _, c, s, _ in _placements(study, bob)]
    order_erin = [(c, s) for _, c, s, _ in _placements(study, erin)]
    assert sorted(order_bob) == sorted(order_erin)
    assert order_bob != order_erin


def test_it_refuses_to_regenerate_once_the_reader_has_started(study, bob):
    add_cases(study, 2)
    study_open(study=study, seed=SEED)
    assignment = Assignment.objects.get(study=study, reader=bob, read_order=1)
    assignment.status = Assignment.Status.DRAFT
    assignment.save()
    before = _placements(study, bob)
    with pytest.raises(ValidationError, match="started reading"):
        schedule_generate(study=study, reader=bob, seed=SEED + 1)
    assert _placements(study, bob) == before


def test_a_reader_added_after_opening_gets_a_schedule(study, bob):
    add_cases(study, 3)
    study_open(study=study, seed=SEED)
    study.refresh_from_db()
    frank = add_reader(study, "frank")
    schedule = schedule_generate(study=study, reader=frank, seed=None)
    assert schedule.seed == reader_seed(SEED, frank.pk)
    assert Assignment.objects.filter(study=study, reader=frank).count() == 9
    assert Pane.objects.filter(assignment__reader=frank).count() == 18


def test_it_skips_incomplete_pairs_and_reports_them(study, bob):
    cases = add_cases(study, 3)
    check = PairCheck.objects.get(case=cases[0], sequence__key="FLAIR")
    check.status = PairCheck.Status.MISMATCH
    check.reason = "rows differ"
    check.save()
    result = study_open(study=study, seed=SEED)
    summary = result["readers"][0]
    assert summary.tasks == 8
    assert summary.skipped == [
        {"case": "PT-0000", "sequence": "FLAIR", "reason": "geometry mismatch: rows differ"}
    ]


def test_it_skips_excluded_cases(study, bob):
    cases = add_cases(study, 3)
    cases[1].excluded = True
    cases[1].exclusion_reason = "motion"
    cases[1].save()
    study_open(study=study, seed=SEED)
    assert Assignment.objects.filter(reader=bob).count() == 6


def test_pane_tokens_are_long_random_and_unique(study):
    add_cases(study, 4)
    add_reader(study, "erin")
    study_open(study=study, seed=SEED)
    tokens = list(Pane.objects.values_list("token", flat=True))
    assert len(tokens) == len(set(tokens)) == 4 * 3 * 2 * 2
    assert all(len(token) >= 43 for token in tokens)


def test_it_refuses_to_open_a_study_that_is_not_ready(study):
    study.memberships.filter(role="reader").delete()
    criterion = study.criteria.first()
    criterion.anchors = ["only one"]
    criterion.save()
    with pytest.raises(ValidationError) as exc:
        study_open(study=study, seed=SEED)
    messages = exc.value.messages
    assert "Add at least one active reader." in messages
    assert any("needs 5 anchor texts" in m and criterion.key in m for m in messages)
    assert any("complete conventional/enhanced pair" in m for m in messages)
    study.refresh_from_db()
    assert study.status == Study.Status.DRAFT
    assert not Schedule.objects.filter(study=study).exists()


def test_opening_stores_the_seed_and_a_random_one_when_none_is_given(study):
    add_cases(study, 1)
    result = study_open(study=study)
    study.refresh_from_db()
    assert study.status == Study.Status.OPEN
    assert study.opened_at is not None
    assert study.randomization_seed == result["seed"] >= 0


def test_it_refuses_to_open_twice(study):
    add_cases(study, 1)
    study_open(study=study, seed=SEED)
    with pytest.raises(ValidationError, match="only a draft study can open"):
        study_open(study=study, seed=SEED)


# Sequential design --------------------------------------------------------------------------


@pytest.fixture
def sequential(study):
    study.design = Study.Design.SEQUENTIAL
    study.washout_days = 28
    study.save()
    keep_criteria(study, ["overall_quality"])
    return study


@pytest.mark.parametrize("n_cases", [1, 3, 4, 7])
def test_sequential_puts_the_two_arms_of_a_pair_in_different_sessions(sequential, bob, n_cases):
    add_cases(sequential, n_cases)
    study_open(study=sequential, seed=SEED)
    assignments = list(
        Assignment.objects.filter(reader=bob).select_related("task__case", "task__sequence")
    )
    pairs = n_cases * 3
    assert len(assignments) == 2 * pairs
    sessions: dict = {}
    for a in assignments:
        sessions.setdefault((a.task.case_id, a.task.sequence_id), {})[a.task.arm] = a.session
        assert a.panes.count() == 1
        assert a.panes.get().series.arm == a.task.arm
    assert all(sorted(v.values()) == [1, 2] for v in sessions.values())
    # Session 1 comes first in the order, and each session is about half enhanced.
    by_order = sorted(assignments, key=lambda a: a.read_order)
    assert [a.session for a in by_order] == [1] * pairs + [2] * pairs
    for session in (1, 2):
        enhanced = sum(1 for a in assignments if a.session == session and a.task.arm == "enhanced")
        assert enhanced in (pairs // 2, (pairs + 1) // 2)
    for key in ("T2W", "FLAIR", "T1CE"):
        first = [a for a in assignments if a.session == 1 and a.task.sequence.key == key]
        enhanced = sum(1 for a in first if a.task.arm == "enhanced")
        assert enhanced in (n_cases // 2, (n_cases + 1) // 2)


def test_sequential_schedule_is_reproducible(sequential, bob):
    add_cases(sequential, 4)
    study_open(study=sequential, seed=SEED)

    def snapshot():
        return sorted(
            Assignment.objects.filter(reader=bob).values_list(
                "read_order",
                "session",
                "task__case__identifier",
                "task__sequence__key",
                "task__arm",
            )
        )

    first = snapshot()
    schedule_generate(study=sequential, reader=bob, seed=SEED)
    assert snapshot() == first
