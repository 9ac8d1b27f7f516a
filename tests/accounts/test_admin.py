"""The Django admin: staff reach it only through two-factor, and it changes nothing that the
audit trail must see (every score change goes through the audited services)."""

import pytest
from django.contrib.auth import get_user_model

from readerstudy.reading.models import Assignment, Pane, Rating
from tests.accounts.totp import _code, _enable, _fresh
from tests.studies.builders import add_cases, add_schedule


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser(
        "root", "root@example.org", "a long passphrase"
    )


def test_a_password_only_session_of_staff_does_not_reach_the_admin(client, staff):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/reading/rating/").status_code == 302


def test_staff_with_a_verified_second_factor_reach_the_admin(client, staff):
    client.force_login(staff)
    device = _enable(client, staff)  # confirming the device verifies this session
    assert client.get("/admin/").status_code == 200
    client.logout()
    # A new session: the admin's own sign-in asks for the code.
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "root",
            "password": "a long passphrase",
            "otp_device": device.persistent_id,
            "otp_token": _code(_fresh(device)),
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_refuses_a_missing_code(client, staff):
    client.force_login(staff)
    _enable(client, staff)
    client.logout()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": "a long passphrase"}
    )
    assert response.status_code == 200  # the form again, with an error
    assert client.get("/admin/").status_code == 302


@pytest.fixture
def verified_staff_client(client, staff):
    client.force_login(staff)
    _enable(client, staff)
    return client


def test_ratings_assignments_and_panes_cannot_be_changed_in_the_admin(
    verified_staff_client, study, bob
):
    add_cases(study, 1)
    add_schedule(study, bob, submit=1)
    rating = Rating.objects.first()
    assignment = rating.assignment
    pane = Pane.objects.filter(assignment=assignment).first()
    client = verified_staff_client
    page = client.get(f"/admin/reading/rating/{rating.pk}/change/")
    assert page.status_code == 200 and 'name="score"' not in page.content.decode()
    denied = client.post(f"/admin/reading/rating/{rating.pk}/change/", {"score": 1})
    assert denied.status_code == 403
    assert (
        client.post(f"/admin/reading/rating/{rating.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/reading/rating/add/").status_code == 403
    assert (
        client.post(
            f"/admin/reading/assignment/{assignment.pk}/change/", {"status": "pending"}
        ).status_code
        == 403
    )
    assert client.get("/admin/reading/pane/add/").status_code in (403, 404)
    rating.refresh_from_db()
    assignment.refresh_from_db()
    pane.refresh_from_db()
    assert Rating.objects.filter(pk=rating.pk, score=rating.score).exists()
    assert Assignment.objects.get(pk=assignment.pk).status == "submitted"


def test_no_app_model_is_editable_in_the_admin():
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in (
            "auth",
            "otp_totp",
            "authtoken",
            "axes",
            "django_tasks_database",
            "django_tasks_db",
        ):
            continue
        assert not model_admin.has_change_permission(_request()), model
        assert not model_admin.has_add_permission(_request()), model
        assert not model_admin.has_delete_permission(_request()), model


def _request():
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    return request
