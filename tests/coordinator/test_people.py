"""Sites and people: invitations with a one-time set-password link, deactivation that keeps
scores, readers put on sites, and the add_reader / add_coordinator commands."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from readerstudy.audit.models import AuditEvent
from readerstudy.coordinator.selectors.audit import audit_events
from readerstudy.coordinator.services import people
from readerstudy.reading.models import Schedule
from readerstudy.reading.selectors.frame import ratings_frame
from readerstudy.reading.services import study_open_checked
from readerstudy.studies import services as study_services
from readerstudy.studies.models import Membership
from readerstudy.studies.selectors import active_readers
from tests.studies.builders import add_cases, add_schedule

LINK = re.compile(r"https?://\S+/accounts/invite/\S+/")


def _invite(client, **data):
    return client.post("/studies/glioma/people/invite/", data)


def test_a_site_is_added_and_audited(client, study, alice):
    client.force_login(alice)
    client.post("/studies/glioma/sites/", {"name": "Charité", "country": "Germany"})
    assert study.sites.filter(name="Charité", country="Germany").exists()
    assert AuditEvent.objects.filter(action="site.add", study=study).exists()
    client.post("/studies/glioma/sites/", {"name": "Charité"})
    assert study.sites.filter(name="Charité").count() == 1


def test_an_invited_reader_gets_a_one_time_link_that_sets_the_password(client, study, alice):
    client.force_login(alice)
    snuh = study.sites.get(name="SNUH")
    response = _invite(client, email="kim@snuh.example", role="reader", site=snuh.pk)
    assert response.status_code == 302
    membership = Membership.objects.get(study=study, user__email="kim@snuh.example")
    assert membership.site == snuh and membership.user.username == "kim"
    assert not membership.user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kim@snuh.example"]
    link = LINK.search(mail.outbox[0].body).group(0)

    client.logout()
    first = client.get(link)
    assert first.status_code == 302  # the token leaves the URL before the form shows
    form_url = first["Location"]
    response = client.post(
        form_url,
        {"new_password1": "a long new passphrase", "new_password2": "a long new passphrase"},
    )
    assert response.status_code == 302
    membership.user.refresh_from_db()
    assert membership.user.check_password("a long new passphrase")
    assert client.get("/").status_code == 200  # signed in

    client.logout()
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()
    # What the coordinator's audit viewer shows: the study's events and its members' sign-ins.
    actions = set(audit_events(study).values_list("action", flat=True))
    assert {"membership.grant", "invitation.send", "auth.invitation_accept"} <= actions


def test_a_reader_invitation_needs_a_site(client, study, alice):
    client.force_login(alice)
    response = _invite(client, email="x@example.org", role="reader")
    assert "Put each reader on a site." in response.content.decode()
    assert not Membership.objects.filter(user__email="x@example.org").exists()


def test_a_bad_email_is_named(study, alice):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="'not-an-email' is not a valid email address"):
        people.invitation_send(study=study, email="not-an-email", role="coordinator", actor=alice)


def test_inviting_someone_with_an_account_sends_no_password_link(study, alice, charlie):
    invitation = people.invitation_send(
        study=study, email="charlie@example.org", role="coordinator", actor=alice
    )
    assert invitation.membership.user == charlie and invitation.link is None
    assert "existing account" in mail.outbox[0].body


@pytest.fixture
def pending_coordinator(other_study):
    """A coordinator of another study whose account has no password yet (invited, not joined)."""
    from readerstudy.studies.services import membership_grant

    membership = membership_grant(
        study=other_study, username="pending", role="coordinator", email="pending@hospital.example"
    )
    assert not membership.user.has_usable_password()
    return membership.user


def test_an_invitation_by_username_never_sends_a_password_link_to_the_typed_address(
    study, alice, pending_coordinator
):
    invitation = people.invitation_send(
        study=study,
        email="attacker@evil.example",
        role="reader",
        site=study.sites.get(name="NYU"),
        username="pending",
        actor=alice,
    )
    assert invitation.membership.user == pending_coordinator
    assert invitation.link is None and not invitation.created
    # The notice goes to the account's own address, and carries no link.
    assert [m.to for m in mail.outbox] == [["pending@hospital.example"]]
    assert "/accounts/invite/" not in mail.outbox[0].body
    pending_coordinator.refresh_from_db()
    assert pending_coordinator.email == "pending@hospital.example"


def test_an_existing_account_without_an_email_is_added_but_not_emailed(study, alice, other_study):
    from readerstudy.studies.services import membership_grant

    user = membership_grant(study=other_study, username="quiet", role="coordinator").user
    invitation = people.invitation_send(
        study=study, email="attacker@evil.example", role="coordinator", username="quiet"
    )
    assert invitation.membership.user == user and invitation.link is None
    assert mail.outbox == []
    user.refresh_from_db()
    assert user.email == ""  # the typed address is never attached to an existing account


def test_the_members_api_cannot_take_over_an_account_either(
    client, study, alice, pending_coordinator
):
    client.force_login(alice)
    response = client.post(
        "/api/studies/glioma/members",
        {"email": "attacker@evil.example", "role": "coordinator", "username": "pending"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert all("attacker@evil.example" not in m.to for m in mail.outbox)
    assert all("/accounts/invite/" not in m.body for m in mail.outbox)


def test_only_a_new_account_gets_a_set_password_link(study, alice):
    invitation = people.invitation_send(
        study=study, email="new@snuh.example", role="reader", site=study.sites.get(name="SNUH")
    )
    assert invitation.created and invitation.link
    assert mail.outbox[0].to == ["new@snuh.example"] and invitation.link in mail.outbox[0].body


def test_a_deactivated_reader_keeps_their_scores_but_leaves_the_active_readers(
    client, study, alice, bob
):
    add_cases(study, 1)
    add_schedule(study, bob, submit=2)
    before = len(ratings_frame(study))
    membership = Membership.objects.get(study=study, user=bob)
    client.force_login(alice)
    client.post(f"/studies/glioma/people/{membership.pk}/", {"action": "deactivate"})
    membership.refresh_from_db()
    assert not membership.is_active
    assert bob not in [m.user for m in active_readers(study)]
    assert len(ratings_frame(study)) == before > 0
    assert AuditEvent.objects.filter(action="membership.deactivate").exists()
    client.post(f"/studies/glioma/people/{membership.pk}/", {"action": "activate"})
    membership.refresh_from_db()
    assert membership.is_active


def test_a_coordinator_cannot_deactivate_themselves(study, alice):
    from django.core.exceptions import ValidationError

    membership = Membership.objects.get(study=study, user=alice)
    with pytest.raises(ValidationError, match="your own membership"):
        study_services.membership_deactivate(membership=membership, actor=alice)


def test_a_reader_is_moved_to_another_site_before_opening(client, study, alice, bob):
    membership = Membership.objects.get(study=study, user=bob)
    severance = study.sites.get(name="Severance")
    client.force_login(alice)
    client.post(
        f"/studies/glioma/people/{membership.pk}/", {"action": "site", "site": severance.pk}
    )
    membership.refresh_from_db()
    assert membership.site == severance
    event = AuditEvent.objects.get(action="membership.site")
    assert event.data["changes"] == {"site": ["NYU", "Severance"]}


def test_a_reader_invited_to_an_open_study_gets_a_schedule(study, alice):
    add_cases(study, 1)
    study_open_checked(study=study, seed=3, actor=alice)
    study.refresh_from_db()
    membership = people.invitation_send(
        study=study,
        email="late@example.org",
        role="reader",
        site=study.sites.get(name="NYU"),
        actor=alice,
    ).membership
    assert Schedule.objects.get(study=study, reader=membership.user).assignments.count() == 3


def test_add_reader_puts_a_new_reader_on_a_site_and_prints_the_link(study):
    out = io.StringIO()
    call_command(
        "add_reader", "glioma", "lee", "--site", "SNUH", "--email", "lee@x.org", stdout=out
    )
    membership = Membership.objects.get(study=study, user__username="lee")
    assert membership.role == "reader" and membership.site.name == "SNUH"
    assert "/accounts/invite/" in out.getvalue()


def test_add_reader_with_a_password_needs_no_link(study):
    out = io.StringIO()
    call_command(
        "add_reader", "glioma", "park", "--site", "NYU", "--password", "pw-park-123", stdout=out
    )
    membership = Membership.objects.get(study=study, user__username="park")
    assert membership.user.check_password("pw-park-123")
    assert "/accounts/invite/" not in out.getvalue()


def test_add_reader_names_an_unknown_site(study):
    with pytest.raises(CommandError, match="has no site named 'Mayo'"):
        call_command("add_reader", "glioma", "lee", "--site", "Mayo")


def test_add_coordinator_grants_the_coordinator_role(study):
    call_command(
        "add_coordinator", "glioma", "erin", "--password", "pw-erin-123", stdout=io.StringIO()
    )
    assert Membership.objects.get(study=study, user__username="erin").role == "coordinator"
