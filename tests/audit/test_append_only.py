import pytest

from readerstudy.audit.models import AppendOnlyError, AuditEvent
from readerstudy.audit.services import audit_record


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(alice):
    event = audit_record(action="study.open", actor=alice, data={"x": 1})
    event.action = "study.close"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "study.open"


@pytest.mark.django_db
def test_logins_and_failed_logins_are_audited(client, alice):
    from tests.conftest import PASSWORD

    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["auth.login_failed", "auth.login"]
