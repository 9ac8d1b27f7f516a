"""The reading API against docs/reading-api.md: assignment detail, drafts, submit, pixels and the
worklist."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from readerstudy.audit.models import AuditEvent
from readerstudy.imaging.volumes import volume_load
from readerstudy.reading.models import Assignment, Rating
from readerstudy.reading.services import assignment_reopen
from tests.reading.conftest import first_assignment

DETAIL = "/api/reading/glioma/assignments/{}/"
DRAFT = "/api/reading/glioma/assignments/{}/draft"
SUBMIT = "/api/reading/glioma/assignments/{}/submit"
FULL = {"A": {"overall_quality": 4, "noise": 3}, "B": {"overall_quality": 5, "noise": 4}}


@pytest.fixture
def api(bob):
    client = APIClient()
    client.force_authenticate(bob)
    return client


def body(scores=None, **extra):
    data = {"scores": FULL if scores is None else scores, "comment": "", "preference": None}
    data.update({"active_seconds": 10.0, "revision": 0, **extra})
    return data


def test_assignment_detail_follows_the_contract(api, opened, bob):
    response = api.get(DETAIL.format(1))
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "study", "assignment", "panes", "criteria", "scores", "next_url", "previous_url"
    }  # fmt: skip
    assert data["study"] == {"slug": "glioma", "title": opened.title, "design": "side_by_side"}
    assignment = data["assignment"]
    assert assignment["read_order"] == 1 and assignment["label"] == "Case 1"
    assert assignment["total"] == 6 and assignment["done"] == 0
    assert assignment["status"] == "pending" and assignment["editable"] is True
    assert assignment["sequence"] in ("T2W", "FLAIR")
    assert assignment["revision"] == 0 and assignment["preference"] is None
    assert [p["name"] for p in data["panes"]] == ["A", "B"]
    for pane in data["panes"]:
        assert set(pane) == {
            "name", "token", "rows", "columns", "slices", "pixel_spacing", "slice_spacing",
            "dtype", "window", "range",
        }  # fmt: skip
        assert (pane["slices"], pane["rows"], pane["columns"]) == (4, 16, 16)
        assert pane["dtype"] == "int16"
    assert [c["key"] for c in data["criteria"]] == ["overall_quality", "noise"]
    assert data["criteria"][0]["anchors"][0] == "Non-diagnostic"
    assert data["criteria"][0]["min"] == 1 and data["criteria"][0]["max"] == 5
    assert data["scores"] == {"A": {}, "B": {}}
    assert data["next_url"] == "/read/glioma/2/"
    assert data["previous_url"] is None
    assert api.get(DETAIL.format(6)).json()["previous_url"] == "/read/glioma/5/"


def test_opening_an_assignment_records_when_reading_started(api, opened, bob):
    assert first_assignment(opened, bob).started_at is None
    api.get(DETAIL.format(1))
    started = first_assignment(opened, bob).started_at
    assert started is not None
    api.get(DETAIL.format(1))
    assert first_assignment(opened, bob).started_at == started


def test_a_draft_is_saved_and_comes_back_in_the_assignment_detail(api, opened, bob):
    response = api.put(DRAFT.format(1), body({"A": {"noise": 4}}, comment="subtle"), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["revision"] == 1 and data["status"] == "draft"
    assert data["saved_at"].endswith("Z")
    detail = api.get(DETAIL.format(1)).json()
    assert detail["scores"] == {"A": {"noise": 4}, "B": {}}
    assert detail["assignment"]["comment"] == "subtle"
    assert detail["assignment"]["status"] == "draft"
    assert detail["assignment"]["revision"] == 1


@pytest.mark.parametrize(
    ("scores", "where"),
    [
        ({"C": {"noise": 3}}, ("C",)),
        ({"A": {"sharpness": 3}}, ("A", "sharpness")),
        ({"A": {"noise": 6}}, ("A", "noise")),
        ({"A": {"noise": 0}}, ("A", "noise")),
    ],
)
def test_it_refuses_unknown_panes_criteria_and_scores_off_the_scale(api, opened, scores, where):
    api.put(DRAFT.format(1), body({"A": {"overall_quality": 2}}), format="json")
    response = api.put(DRAFT.format(1), body(scores), format="json")
    assert response.status_code == 400
    data = response.json()
    errors = data["errors"]
    for key in where:
        errors = errors[key]
    assert isinstance(errors, str) and errors
    assert data["detail"].startswith("Some answers could not be saved")
    # Nothing was changed by the refused draft.
    assert api.get(DETAIL.format(1)).json()["scores"]["A"] == {"overall_quality": 2}


def test_it_names_the_bad_input_in_the_message(api, opened):
    response = api.put(DRAFT.format(1), body({"B": {"noise": 9}}), format="json")
    assert "Pane B, Noise: 9 is outside the scale 1–5." in response.json()["detail"]


@pytest.mark.parametrize("bad", ["four", 4.5, [4]])
def test_it_refuses_scores_that_are_not_whole_numbers(api, opened, bad):
    response = api.put(DRAFT.format(1), body({"A": {"noise": bad}}), format="json")
    assert response.status_code == 400
    assert "errors" in response.json() and response.json()["detail"]


def test_it_refuses_a_preference_when_the_study_does_not_ask(api, opened):
    response = api.put(DRAFT.format(1), body(preference="A"), format="json")
    assert response.status_code == 400
    assert "preference" in response.json()["errors"]


def test_it_keeps_the_preference_when_the_study_asks(api, opened):
    opened.ask_preference = True
    opened.save()
    assert api.get(DETAIL.format(1)).json()["assignment"]["ask_preference"] is True
    assert api.put(DRAFT.format(1), body(preference="B"), format="json").status_code == 200
    assert api.get(DETAIL.format(1)).json()["assignment"]["preference"] == "B"


def test_it_refuses_a_comment_when_the_study_takes_none(api, opened):
    opened.allow_comment = False
    opened.save()
    response = api.put(DRAFT.format(1), body(comment="hm"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["comment"] == "This study does not take comments."


def test_submit_with_every_score_set_submits_and_points_to_the_next_assignment(api, opened, bob):
    response = api.post(SUBMIT.format(1), body(), format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "submitted", "next_url": "/read/glioma/2/", "worklist_url": "/read/"
    }  # fmt: skip
    assignment = first_assignment(opened, bob)
    assert assignment.status == "submitted" and assignment.submitted_at is not None
    assert Rating.objects.filter(assignment=assignment).count() == 4
    # Ratings remember which series they score, through the hidden placement.
    for rating in Rating.objects.filter(assignment=assignment).select_related("pane"):
        assert rating.series_id == rating.pane.series_id


def test_a_second_submit_with_the_same_scores_is_harmless(api, opened, bob):
    first = api.post(SUBMIT.format(1), body(), format="json")
    submitted_at = first_assignment(opened, bob).submitted_at
    events = AuditEvent.objects.count()
    second = api.post(SUBMIT.format(1), body(), format="json")
    assert second.status_code == 200
    assert second.json() == first.json()
    assert first_assignment(opened, bob).submitted_at == submitted_at
    assert AuditEvent.objects.count() == events


def test_a_double_submit_in_a_row_submits_once(api, opened, bob):
    for _ in range(3):
        assert api.post(SUBMIT.format(1), body(), format="json").status_code == 200
    assert AuditEvent.objects.filter(action="assignment.submit").count() == 1


def test_submit_with_missing_scores_is_refused_but_the_draft_is_saved(api, opened, bob):
    partial = {"A": {"overall_quality": 4, "noise": 3}, "B": {"noise": 2}}
    response = api.post(SUBMIT.format(1), body(partial), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Score every required criterion before submitting.",
        "missing": {"A": [], "B": ["overall_quality"]},
    }
    assignment = first_assignment(opened, bob)
    assert assignment.status == "draft"
    assert api.get(DETAIL.format(1)).json()["scores"] == partial


def test_an_optional_criterion_is_not_needed_to_submit(api, opened):
    opened.criteria.filter(key="noise").update(required=False)
    scores = {"A": {"overall_quality": 4}, "B": {"overall_quality": 3}}
    assert api.post(SUBMIT.format(1), body(scores), format="json").status_code == 200


def test_a_draft_after_submit_is_refused_with_409_when_revisions_are_not_allowed(api, opened, bob):
    api.post(SUBMIT.format(1), body(), format="json")
    response = api.put(DRAFT.format(1), body({"A": {"noise": 1}}), format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "submitted"
    assert "does not allow changes" in response.json()["detail"]
    changed = body({"A": {"overall_quality": 1, "noise": 1}, "B": FULL["B"]})
    assert api.post(SUBMIT.format(1), changed, format="json").status_code == 409
    assert (
        Rating.objects.get(
            pane__name="A", criterion__key="noise", assignment__read_order=1, assignment__reader=bob
        ).score
        == 3
    )
    assert api.get(DETAIL.format(1)).json()["assignment"]["editable"] is False


def test_with_revisions_allowed_a_change_after_submit_becomes_a_draft_again(api, opened, bob):
    opened.allow_revisions = True
    opened.save()
    api.post(SUBMIT.format(1), body(), format="json")
    assert api.get(DETAIL.format(1)).json()["assignment"]["editable"] is True
    # An unchanged autosave (e.g. on page load) leaves the submission alone.
    unchanged = api.put(DRAFT.format(1), body(), format="json")
    assert unchanged.json()["status"] == "submitted"
    response = api.put(
        DRAFT.format(1), body({**FULL, "A": {"overall_quality": 1, "noise": 3}}), format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assignment = first_assignment(opened, bob)
    assert assignment.reopened_count == 1
    assert (
        api.post(
            SUBMIT.format(1), body({**FULL, "A": {"overall_quality": 1, "noise": 3}}), format="json"
        ).status_code
        == 200
    )
    assert first_assignment(opened, bob).status == "submitted"


def test_every_score_change_is_audited_with_old_and_new(api, opened, bob):
    api.put(DRAFT.format(1), body({"A": {"noise": 2}}), format="json")
    api.put(DRAFT.format(1), body({"A": {"noise": 4}, "B": {"noise": 1}}), format="json")
    api.put(DRAFT.format(1), body({"A": {}, "B": {"noise": 1}}), format="json")
    changes = [
        (e.data["pane"], e.data["criterion"], e.data["old"], e.data["new"])
        for e in AuditEvent.objects.filter(action="rating.change").order_by("id")
    ]
    assert changes == [
        ("A", "noise", None, 2),
        ("A", "noise", 2, 4),
        ("B", "noise", None, 1),
        ("A", "noise", 4, None),
    ]
    event = AuditEvent.objects.filter(action="rating.change").first()
    assert event.actor == bob and event.study == opened
    assert event.data["read_order"] == 1


def test_revisions_increase_and_stale_drafts_are_still_accepted(api, opened):
    r1 = api.put(DRAFT.format(1), body({"A": {"noise": 2}}, revision=0), format="json").json()
    r2 = api.put(DRAFT.format(1), body({"A": {"noise": 3}}, revision=1), format="json").json()
    stale = api.put(DRAFT.format(1), body({"A": {"noise": 5}}, revision=0), format="json")
    assert stale.status_code == 200
    assert (r1["revision"], r2["revision"], stale.json()["revision"]) == (1, 2, 3)
    assert api.get(DETAIL.format(1)).json()["scores"]["A"] == {"noise": 5}


def test_two_tabs_racing_last_write_wins_and_the_audit_keeps_both(opened, bob):
    tab1, tab2 = APIClient(), APIClient()
    tab1.force_authenticate(bob)
    tab2.force_authenticate(bob)
    base = tab1.get(DETAIL.format(2)).json()["assignment"]["revision"]
    assert tab2.get(DETAIL.format(2)).json()["assignment"]["revision"] == base
    one = tab1.put(
        DRAFT.format(2),
        body({"A": {"noise": 2, "overall_quality": 5}}, revision=base),
        format="json",
    )
    two = tab2.put(DRAFT.format(2), body({"A": {"noise": 4}}, revision=base), format="json")
    assert one.status_code == two.status_code == 200
    assert two.json()["revision"] == one.json()["revision"] + 1
    assert tab1.get(DETAIL.format(2)).json()["scores"]["A"] == {"noise": 4}
    trail = [
        (e.data["criterion"], e.data["old"], e.data["new"], e.data["base_revision"])
        for e in AuditEvent.objects.filter(action="rating.change").order_by("id")
    ]
    assert trail == [
        ("noise", None, 2, base),
        ("overall_quality", None, 5, base),
        ("noise", 2, 4, base),
        ("overall_quality", 5, None, base),
    ]


def test_active_time_keeps_the_maximum_seen(api, opened, bob):
    api.put(DRAFT.format(1), body(active_seconds=30.5), format="json")
    api.put(DRAFT.format(1), body(active_seconds=12.0), format="json")
    assert first_assignment(opened, bob).active_seconds == 30.5
    api.post(SUBMIT.format(1), body(active_seconds=41.0), format="json")
    assert first_assignment(opened, bob).active_seconds == 41.0
    api.post(SUBMIT.format(1), body(active_seconds=45.0), format="json")
    assert first_assignment(opened, bob).active_seconds == 45.0
    assert api.get(DETAIL.format(1)).json()["assignment"]["active_seconds"] == 45.0


def test_negative_active_time_is_refused(api, opened):
    response = api.put(DRAFT.format(1), body(active_seconds=-3), format="json")
    assert response.status_code == 400


def test_a_coordinator_reopen_turns_a_submission_into_a_draft_with_an_audited_reason(
    api, opened, bob, alice
):
    api.post(SUBMIT.format(1), body(), format="json")
    assignment = first_assignment(opened, bob)
    assignment_reopen(assignment=assignment, reason="Reader asked to fix a typo", actor=alice)
    assignment.refresh_from_db()
    assert assignment.status == "draft" and assignment.reopened_count == 1
    event = AuditEvent.objects.get(action="assignment.reopen")
    assert event.data["reason"] == "Reader asked to fix a typo" and event.actor == alice
    assert api.put(DRAFT.format(1), body({"A": {"noise": 1}}), format="json").status_code == 200


def test_reopen_needs_a_reason_and_a_submitted_assignment(opened, bob):
    from django.core.exceptions import ValidationError

    assignment = first_assignment(opened, bob)
    with pytest.raises(ValidationError, match="reason"):
        assignment_reopen(assignment=assignment, reason="  ")
    with pytest.raises(ValidationError, match="not submitted"):
        assignment_reopen(assignment=assignment, reason="why not")


def test_next_url_skips_submitted_assignments_and_wraps_around(api, opened):
    for read_order in (2, 3):
        api.post(SUBMIT.format(read_order), body(), format="json")
    assert api.get(DETAIL.format(1)).json()["next_url"] == "/read/glioma/4/"
    for read_order in (4, 5, 6):
        api.post(SUBMIT.format(read_order), body(), format="json")
    assert api.get(DETAIL.format(6)).json()["next_url"] == "/read/glioma/1/"
    last = api.post(SUBMIT.format(1), body(), format="json").json()
    assert last["next_url"] is None


def test_worklist_and_assignment_list(api, opened):
    api.put(DRAFT.format(2), body({"A": {"noise": 2}}, active_seconds=20), format="json")
    api.post(SUBMIT.format(1), body(active_seconds=40), format="json")
    data = api.get("/api/reading/worklist").json()
    assert data == {
        "studies": [
            {
                "slug": "glioma", "title": opened.title, "design": "side_by_side",
                "total": 6, "done": 1, "drafts": 1, "active_seconds": 60.0,
                "continue_url": "/read/glioma/2/", "session2_opens_at": None,
            }
        ]
    }  # fmt: skip
    assignments = api.get("/api/reading/glioma/assignments").json()["assignments"]
    assert [a["read_order"] for a in assignments] == [1, 2, 3, 4, 5, 6]
    assert assignments[0]["status"] == "submitted" and assignments[0]["submitted_at"]
    assert assignments[0]["reopenable"] is False
    assert assignments[1]["status"] == "draft" and assignments[1]["url"] == "/read/glioma/2/"
    assert set(assignments[0]) == {
        "read_order", "label", "sequence", "status", "submitted_at", "reopenable", "url"
    }  # fmt: skip
    assert api.get("/api/reading/glioma/assignments/next").json() == {
        "read_order": 2, "url": "/read/glioma/2/"
    }  # fmt: skip


def _decode(response, pane) -> np.ndarray:
    raw = gzip.decompress(response.content)
    rows, columns = pane["rows"], pane["columns"]
    count = int(response["X-Slice-Count"])
    planes = np.frombuffer(raw, np.uint8).reshape(count, 2, rows * columns)
    values = planes[:, 0].astype(np.uint16) | (planes[:, 1].astype(np.uint16) << 8)
    return values.view(pane["dtype"]).reshape(count, rows, columns)


@pytest.mark.parametrize(
    ("start", "stop", "first", "count"),
    [(0, 4, 0, 4), (1, 3, 1, 2), (2, 99, 2, 2), (-5, 1, 0, 1), (3, 2, 3, 0)],
)
def test_pixels_are_shuffled_gzip_slices_clamped_to_the_volume(
    api, opened, bob, start, stop, first, count
):
    detail = api.get(DETAIL.format(1)).json()
    assignment = first_assignment(opened, bob)
    for pane in detail["panes"]:
        response = api.get(f"/api/reading/panes/{pane['token']}/slices?start={start}&stop={stop}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Encoding"] == "gzip"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert (int(response["X-Slice-Start"]), int(response["X-Slice-Count"])) == (first, count)
        series = assignment.panes.get(name=pane["name"]).series
        expected = volume_load(series.storage_key)[first : first + count]
        assert np.array_equal(_decode(response, pane), expected)


def test_pixels_are_the_same_cold_and_from_the_cache(api, opened):
    from readerstudy.reading.pixels.payload import slice_cache

    slice_cache.clear()
    pane = api.get(DETAIL.format(1)).json()["panes"][0]
    url = f"/api/reading/panes/{pane['token']}/slices"
    cold = api.get(url + "?start=1&stop=2")
    whole = api.get(url)
    warm = api.get(url + "?start=1&stop=2")
    assert slice_cache.hits >= 1
    assert cold.content == warm.content
    assert np.array_equal(_decode(whole, pane)[1:2], _decode(warm, pane))


def test_pixels_refuse_a_range_that_is_not_numbers(api, opened):
    pane = api.get(DETAIL.format(1)).json()["panes"][0]
    response = api.get(f"/api/reading/panes/{pane['token']}/slices?start=a&stop=2")
    assert response.status_code == 400


def test_a_script_can_read_with_a_token(opened, bob):
    token = Token.objects.create(user=bob)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(DETAIL.format(1)).status_code == 200
    assert client.put(DRAFT.format(1), body(), format="json").status_code == 200


def test_the_browser_must_send_the_csrf_token(opened, bob):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.get(DETAIL.format(1)).status_code == 200
    refused = client.put(DRAFT.format(1), body(), content_type="application/json")
    assert refused.status_code == 403
    page = client.get("/read/glioma/1/")
    csrf = page.cookies["csrftoken"].value
    accepted = client.put(
        DRAFT.format(1), body(), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 200


def test_an_assignment_query_count_stays_small_for_a_big_worklist(
    api, opened, bob, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert api.get("/api/reading/glioma/assignments").status_code == 200
    with django_assert_max_num_queries(12):
        assert api.get("/api/reading/worklist").status_code == 200
    assert Assignment.objects.filter(reader=bob).count() == 6
