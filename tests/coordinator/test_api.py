"""The coordinator API with token authentication: the same actions as the pages."""

import csv
import io

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from readerstudy.audit.models import AuditEvent
from readerstudy.studies.models import Membership, Study
from tests.studies.builders import add_cases, add_schedule


@pytest.fixture
def api(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    return client


def test_token_auth_reads_the_study_with_its_open_check(api, study):
    data = api.get("/api/studies/glioma/").json()
    assert data["slug"] == "glioma" and data["status"] == "draft"
    assert len(data["criteria"]) == 7 and data["criteria"][0]["anchors"][0] == "Non-diagnostic"
    assert "no_cases" in {p["code"] for p in data["problems"]}


def test_a_study_is_created_from_the_template_through_the_api(api, study):
    response = api.post("/api/studies/", {"slug": "api-made"}, format="json")
    assert response.status_code == 201
    assert Study.objects.get(slug="api-made").sequences.count() == 3


def test_settings_are_patched(api, study):
    response = api.patch("/api/studies/glioma/", {"allow_revisions": True}, format="json")
    assert response.status_code == 200 and response.json()["allow_revisions"] is True
    assert AuditEvent.objects.filter(action="study.update").exists()


def test_readers_are_invited_and_deactivated(api, study):
    response = api.post(
        "/api/studies/glioma/members",
        {"email": "kim@snuh.example", "role": "reader", "site": "SNUH"},
        format="json",
    )
    assert response.status_code == 201
    membership = Membership.objects.get(pk=response.json()["id"])
    assert membership.site.name == "SNUH"
    response = api.post(
        f"/api/studies/glioma/members/{membership.pk}", {"action": "deactivate"}, format="json"
    )
    assert response.json()["is_active"] is False


def test_an_unknown_site_is_named(api, study):
    response = api.post(
        "/api/studies/glioma/members",
        {"email": "kim@snuh.example", "role": "reader", "site": "Mayo"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The study has no site named 'Mayo'."


def test_the_assignment_plan_is_set_and_read(api, study):
    add_cases(study, 2)
    response = api.put(
        "/api/studies/glioma/reading-plan",
        {"mode": "subset", "rows": [{"reader": "bob", "case": "P002"}]},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["mode"] == "subset" and data["rows"] == [{"reader": "bob", "case": "P002"}]
    assert data["workload"][0]["cases"] == 1


def test_cases_are_listed_with_pairing_and_tells_and_excluded(api, study):
    add_cases(study, 2)
    data = api.get("/api/studies/glioma/cases").json()
    assert data["count"] == 2
    assert data["cases"][0]["pairs"][0]["tells"][0]["attribute"] == "SeriesDescription"
    case_id = data["cases"][0]["id"]
    response = api.post(
        f"/api/studies/glioma/cases/{case_id}/exclusion", {"reason": "Artifact"}, format="json"
    )
    assert response.json() == {"case": "P001", "excluded": True, "reason": "Artifact"}


def test_open_reports_the_problems_and_then_opens(api, study):
    response = api.post("/api/studies/glioma/open", {}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "The study cannot open yet."
    add_cases(study, 1)
    response = api.post("/api/studies/glioma/open", {"seed": 5}, format="json")
    assert response.status_code == 200
    assert response.json() == {"status": "open", "seed": 5, "readers": {"bob": 3}}
    assert api.post("/api/studies/glioma/close").json() == {"status": "closed"}


def test_exports_download_through_the_api_and_are_audited(api, study, bob):
    add_cases(study, 1)
    add_schedule(study, bob, submit=3)
    response = api.get("/api/studies/glioma/exports/ratings.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="glioma-ratings-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3 * 2 * 7
    assert AuditEvent.objects.get(action="export.ratings").data["via"] == "api"
    assert api.get("/api/studies/glioma/exports/secrets.csv").status_code == 404


def test_the_audit_api_filters_by_action(api, study):
    api.patch("/api/studies/glioma/", {"title": "New title"}, format="json")
    data = api.get("/api/studies/glioma/audit", {"action": "study.update"}).json()
    assert data["count"] == 1 and data["events"][0]["actor"] == "alice"


def test_the_audit_api_has_no_write_methods(api, study):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api, method)("/api/studies/glioma/audit").status_code == 405


def test_the_schema_documents_the_coordinator_endpoints(client, alice):
    client.force_login(alice)
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/studies/{slug}/progress", "/api/studies/{slug}/exports/{kind}.{fmt}"):
        assert path in schema
