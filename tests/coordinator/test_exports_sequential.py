"""Exports of a sequential-design study scored through the reading side's own services:
each version is its own one-pane task, and the key still maps every pane to its arm."""

import pytest

from readerstudy.coordinator.exports.tables import unblinding_key_frame, wide_frame
from readerstudy.reading.models import Assignment
from readerstudy.reading.selectors.frame import ratings_frame
from readerstudy.reading.services import assignment_submit, study_open_checked
from readerstudy.studies import services as setup
from tests.studies.builders import add_cases


@pytest.fixture
def sequential(study, alice, bob):
    setup.study_settings_update(study=study, data={"design": "sequential", "washout_days": 0})
    add_cases(study, 1)
    study_open_checked(study=study, seed=9, actor=alice)
    criteria = list(study.criteria.values_list("key", flat=True))
    first = Assignment.objects.filter(reader=bob).order_by("read_order").first()
    assignment_submit(
        assignment=first,
        scores={"A": {key: 3 for key in criteria}},
        active_seconds=12.5,
        actor=bob,
    )
    return study, first


def test_a_sequential_task_exports_one_pane_on_the_left(sequential):
    study, assignment = sequential
    frame = ratings_frame(study)
    assert len(frame) == 7
    assert set(frame["pane"]) == {"A"} and set(frame["position"]) == {"left"}
    assert set(frame["arm"]) == {assignment.panes.get().series.arm}
    assert frame["duration_s"].iloc[0] == 12.5
    assert frame["task"].iloc[0] == assignment.task_id


def test_the_sequential_key_lists_every_task_with_its_arm(sequential):
    study, _ = sequential
    key = unblinding_key_frame(study)
    assert len(key) == Assignment.objects.filter(study=study).count() == 6
    for row in key.itertuples():
        assignment = Assignment.objects.get(study=study, read_order=row.read_order)
        assert row.arm == assignment.panes.get(name=row.pane).series.arm
        assert row.arm == assignment.task.arm


def test_the_wide_table_has_one_row_per_scored_arm(sequential):
    study, _ = sequential
    wide = wide_frame(study)
    assert len(wide) == 1
    assert list(wide.columns[-7:]) == list(study.criteria.values_list("key", flat=True))
