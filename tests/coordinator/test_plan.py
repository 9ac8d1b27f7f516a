"""Assignment plans: fully crossed by default, subsets by site or CSV, a balanced split, the
workload shown before opening, and the reading side's schedules honouring the plan."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from readerstudy.audit.models import AuditEvent
from readerstudy.reading.models import Assignment
from readerstudy.reading.selectors.readiness import study_problems, workloads
from readerstudy.reading.services import study_open_checked
from readerstudy.studies import services as setup
from readerstudy.studies.models import Case
from readerstudy.studies.selectors import cases_for_reader
from readerstudy.studies.services import membership_grant
from readerstudy.studies.services import plan as assign
from tests.studies.builders import add_cases


@pytest.fixture
def three_readers(study, bob):
    sites = {s.name: s for s in study.sites.all()}
    membership_grant(study=study, username="kim", role="reader", site=sites["SNUH"])
    membership_grant(study=study, username="lee", role="reader", site=sites["Severance"])
    add_cases(study, 6)  # P001..P006 over NYU, SNUH, Severance in turn
    return study


def _cases(study, username):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    return list(cases_for_reader(study=study, reader=user).values_list("identifier", flat=True))


def test_every_reader_reads_every_case_by_default(three_readers):
    for name in ("bob", "kim", "lee"):
        assert len(_cases(three_readers, name)) == 6
    assert {w.tasks for w in workloads(three_readers)} == {18}
    assert {w.scores for w in workloads(three_readers)} == {18 * 2 * 7}


def test_excluded_cases_are_never_assigned(three_readers, alice):
    setup.case_exclude(case=Case.objects.get(identifier="P002"), reason="motion", actor=alice)
    assert "P002" not in _cases(three_readers, "bob")


@given(readers=st.integers(1, 7), cases=st.integers(0, 40), data=st.data())
def test_a_split_gives_each_case_k_distinct_readers_and_balanced_loads(readers, cases, data):
    k = data.draw(st.integers(1, readers))
    pairs = assign.balanced_split(list(range(readers)), list(range(100, 100 + cases)), k)
    per_case = Counter(case for _, case in pairs)
    assert all(per_case[c] == k for c in range(100, 100 + cases))
    assert len(set(pairs)) == len(pairs)  # no reader twice on a case
    loads = Counter(reader for reader, _ in pairs)
    counts = [loads.get(r, 0) for r in range(readers)]
    assert max(counts) - min(counts) <= 1


def test_a_split_needs_k_between_one_and_the_number_of_readers():
    with pytest.raises(ValidationError, match="Choose between 1 and 3 readers per case"):
        assign.balanced_split([1, 2, 3], [10], 4)


def test_the_split_plan_is_stored_and_honoured(client, three_readers, alice):
    client.force_login(alice)
    client.post("/studies/glioma/plan/split/", {"readers_per_case": 2})
    loads = {name: len(_cases(three_readers, name)) for name in ("bob", "kim", "lee")}
    assert loads == {"bob": 4, "kim": 4, "lee": 4}
    page = client.get("/studies/glioma/plan/").content.decode()
    assert "Split: k readers per case, balanced" in page
    event = AuditEvent.objects.get(action="reading_plan.set")
    assert event.data["mode"] == "split" and event.data["readers_per_case"] == 2


def test_a_split_goes_out_of_date_when_cases_are_added(three_readers, alice):
    assign.reading_plan_split(study=three_readers, readers_per_case=2, actor=alice)
    Case.objects.create(study=three_readers, site=three_readers.sites.first(), identifier="P999")
    codes = {p.code for p in study_problems(three_readers) if p.blocking}
    assert "split_out_of_date" in codes


def test_a_subset_by_site(client, three_readers, alice, bob):
    nyu = three_readers.sites.get(name="NYU")
    snuh = three_readers.sites.get(name="SNUH")
    kim = three_readers.memberships.get(user__username="kim").user
    lee = three_readers.memberships.get(user__username="lee").user
    client.force_login(alice)
    client.post(
        "/studies/glioma/plan/sites/",
        {f"sites-{bob.pk}": [nyu.pk, snuh.pk], f"sites-{kim.pk}": [snuh.pk], f"sites-{lee.pk}": []},
    )
    assert _cases(three_readers, "bob") == ["P001", "P002", "P004", "P005"]
    assert _cases(three_readers, "kim") == ["P002", "P005"]
    assert _cases(three_readers, "lee") == []
    problems = {p.code for p in study_problems(three_readers)}
    assert {"readers_without_cases", "unread_cases"} <= problems


def test_a_subset_from_a_csv_upload(client, three_readers, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "\ufeffreader,case\nbob,P001\nbob,P002\nkim,P003\nlee,P004\n".encode()
    client.force_login(alice)
    client.post(
        "/studies/glioma/plan/csv/",
        {"file": SimpleUploadedFile("plan.csv", content, content_type="text/csv")},
    )
    assert _cases(three_readers, "bob") == ["P001", "P002"]
    assert _cases(three_readers, "lee") == ["P004"]
    page = client.get("/studies/glioma/plan/").content.decode()
    assert "(from a CSV)" in page


def test_a_bad_csv_names_every_bad_line_and_changes_nothing(three_readers, alice):
    content = b"reader,case\nbob,P001\nzed,P002\nbob,P404\nbob,P001\n"
    with pytest.raises(ValidationError) as caught:
        assign.reading_plan_from_csv(
            study=three_readers, content=content, source="plan.csv", actor=alice
        )
    assert caught.value.messages == [
        "plan.csv: line 3: 'zed' is not an active reader of this study.",
        "plan.csv: line 4: the study has no case 'P404'.",
        "plan.csv: line 5: reader 'bob', case 'P001' repeat line 2.",
    ]
    assert len(_cases(three_readers, "bob")) == 6  # still fully crossed


def test_a_csv_without_the_right_header_is_refused(three_readers):
    with pytest.raises(ValidationError, match="must name the columns 'reader' and 'case'"):
        assign.parse_reading_plan_csv(study=three_readers, content=b"user,patient\nbob,P001\n")


def test_back_to_fully_crossed(three_readers, alice):
    assign.reading_plan_split(study=three_readers, readers_per_case=1, actor=alice)
    assign.reading_plan_fully_crossed(study=three_readers, actor=alice)
    assert len(_cases(three_readers, "kim")) == 6


def test_the_schedules_follow_the_plan_when_the_study_opens(three_readers, alice):
    assign.reading_plan_split(study=three_readers, readers_per_case=1, actor=alice)
    study_open_checked(study=three_readers, seed=11, actor=alice)
    per_reader = Counter(
        Assignment.objects.filter(study=three_readers).values_list("reader__username", flat=True)
    )
    assert per_reader == {"bob": 6, "kim": 6, "lee": 6}  # 2 cases × 3 sequences each
    pairs = set(
        Assignment.objects.filter(study=three_readers).values_list(
            "task__case__identifier", "reader_id"
        )
    )
    case_readers = Counter(case for case, _ in pairs)
    assert set(case_readers.values()) == {1}


def test_the_plan_is_frozen_once_open(three_readers, alice):
    study_open_checked(study=three_readers, seed=1, actor=alice)
    three_readers.refresh_from_db()
    with pytest.raises(ValidationError, match="structure is frozen"):
        assign.reading_plan_split(study=three_readers, readers_per_case=1, actor=alice)


def test_the_workload_page_shows_each_readers_numbers(client, three_readers, alice):
    assign.reading_plan_split(study=three_readers, readers_per_case=2, actor=alice)
    client.force_login(alice)
    page = client.get("/studies/glioma/plan/").content.decode()
    assert (
        '<tr data-user="bob"><td>bob</td><td>NYU</td><td>4</td><td>12</td><td>168</td></tr>' in page
    )
