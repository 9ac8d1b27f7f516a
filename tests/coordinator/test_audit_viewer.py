"""The coordinator's audit viewer: the study's events only, filters, CSV, and no write path."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from readerstudy.audit.models import AuditEvent
from readerstudy.audit.services import audit_record
from readerstudy.coordinator.selectors.audit import AuditFilter, audit_events
from tests.conftest import PASSWORD


def _events(client, **params):
    return client.get("/studies/glioma/audit/", params).content.decode()


def test_the_viewer_shows_this_studys_events_and_not_another_studys(
    client, study, other_study, alice
):
    audit_record(action="study.update", actor=alice, study=study, data={"title": "mine"})
    audit_record(action="study.update", study=other_study, data={"title": "theirs"})
    client.force_login(alice)
    page = _events(client)
    assert "mine" in page and "theirs" not in page


def test_sign_ins_of_members_are_shown_but_not_those_of_outsiders(client, study, alice, charlie):
    client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
    client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    client.post("/accounts/login/", {"username": "charlie", "password": PASSWORD})
    events = audit_events(study)
    logins = [(e.action, e.actor_name or e.data.get("username")) for e in events]
    assert ("auth.login", "bob") in logins and ("auth.login_failed", "bob") in logins
    assert all(name != "charlie" for _, name in logins)


def test_filters_by_action_prefix_actor_target_and_date(study, alice, bob):
    audit_record(action="export.ratings", actor=alice, study=study, target=study)
    audit_record(action="export.key", actor=bob, study=study, target=study)
    audit_record(action="case.exclude", actor=alice, study=study, data={"case": "P1"})
    assert audit_events(study, AuditFilter(action="export.")).count() == 2
    assert audit_events(study, AuditFilter(action="export.", actor="bob")).count() == 1
    assert audit_events(study, AuditFilter(target=f"Study:{study.pk}")).count() >= 2
    today = timezone.localdate()
    assert audit_events(study, AuditFilter(since=today, until=today)).count() >= 3
    assert audit_events(study, AuditFilter(since=today + timedelta(days=1))).count() == 0


def test_the_viewer_paginates_and_filters_from_the_query_string(client, study, alice):
    for n in range(60):
        audit_record(action="sequence.move", actor=alice, study=study, data={"n": n})
    client.force_login(alice)
    page = _events(client, action="sequence.")
    assert "Page 1 of 2" in page
    assert "60 events" in page


def test_a_bad_date_filter_says_so(client, study, alice):
    client.force_login(alice)
    assert "Enter a valid date" in _events(client, since="yesterday")


def test_the_filtered_audit_log_downloads_as_csv_and_the_download_is_audited(client, study, alice):
    audit_record(action="case.exclude", actor=alice, study=study, data={"reason": "=cmd|x"})
    audit_record(action="study.update", actor=alice, study=study)
    client.force_login(alice)
    response = client.get("/studies/glioma/exports/audit.csv", {"action": "case."})
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["action"] for r in rows] == ["case.exclude"]
    assert list(rows[0]) == [
        "at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "ip_address",
        "data",
    ]
    event = AuditEvent.objects.filter(action="export.audit").get()
    assert event.actor_name == "alice" and event.ip_address == "127.0.0.1"


def test_there_is_no_way_to_change_the_log_through_the_pages(client, study, alice):
    client.force_login(alice)
    for method in ("post", "put", "delete"):
        assert getattr(client, method)("/studies/glioma/audit/").status_code == 405
