"""Every state change a coordinator makes leaves its entry, with who and from where."""

from django.core.files.uploadedfile import SimpleUploadedFile

from readerstudy.audit.models import AuditEvent
from readerstudy.reading.models import Assignment
from tests.conftest import PASSWORD
from tests.studies.builders import add_cases

EXPECTED = {
    "study.create",
    "study.update",
    "sequence.add",
    "sequence.remove",
    "criterion.add",
    "criterion.update",
    "site.add",
    "membership.grant",
    "invitation.send",
    "reading_plan.set",
    "case.exclude",
    "case.include",
    "study.open",
    "schedule.generate",
    "assignment.reopen",
    "membership.deactivate",
    "export.ratings",
    "export.key",
    "study.close",
    "auth.login",
    "auth.login_failed",
}


def test_a_whole_coordination_leaves_a_complete_trail(client, study, alice, bob):
    client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    signed_in = AuditEvent.objects.get(action="auth.login").pk
    client.post("/studies/new/", {"slug": "second", "template": ""})
    s = "/studies/glioma"
    client.post(
        f"{s}/settings/",
        {
            "title": "Edited",
            "design": "side_by_side",
            "washout_days": 0,
            "noninferiority_margin": 0.5,
        },
    )
    client.post(f"{s}/sequences/", {"key": "DWI", "label": "Diffusion"})
    dwi = study.sequences.get(key="DWI")
    client.post(f"{s}/sequences/{dwi.pk}/", {"action": "remove"})
    client.post(
        f"{s}/criteria/new/",
        {
            "label": "Sharpness",
            "scale_min": 1,
            "scale_max": 2,
            "anchors": "Soft\nSharp",
            "required": "on",
        },
    )
    sharp = study.criteria.get(key="sharpness")
    client.post(
        f"{s}/criteria/{sharp.pk}/",
        {
            "label": "Sharpness",
            "help_text": "Edges",
            "scale_min": 1,
            "scale_max": 2,
            "anchors": "Soft\nSharp",
        },
    )
    client.post(f"{s}/sites/", {"name": "Charité"})
    client.post(
        f"{s}/people/invite/",
        {"email": "kim@x.org", "role": "reader", "site": study.sites.get(name="Charité").pk},
    )
    cases = add_cases(study, 2)
    client.post(f"{s}/cases/{cases[0].pk}/exclusion/", {"reason": "motion"})
    client.post(f"{s}/cases/{cases[0].pk}/exclusion/", {"action": "include"})
    plan = SimpleUploadedFile("p.csv", b"reader,case\nbob,P001\nbob,P002\nkim,P002\n")
    client.post(f"{s}/plan/csv/", {"file": plan})
    client.post(f"{s}/open/", {"seed": "1"})
    assignment = Assignment.objects.filter(reader=bob).first()
    Assignment.objects.filter(pk=assignment.pk).update(
        status="submitted", submitted_at=assignment.study.opened_at
    )
    client.post(f"{s}/assignments/{assignment.pk}/reopen/", {"reason": "wrong pane"})
    kim = study.memberships.get(user__username="kim")
    client.post(f"{s}/people/{kim.pk}/", {"action": "deactivate"})
    client.get(f"{s}/exports/ratings.csv")
    client.get(f"{s}/exports/key.xlsx")
    client.post(f"{s}/close/")

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    missing = EXPECTED - actions
    assert not missing, f"not audited: {sorted(missing)}"
    for event in AuditEvent.objects.filter(pk__gt=signed_in).exclude(action="schedule.generate"):
        if event.action.startswith(("study.", "sequence.", "criterion.", "export.", "case.")):
            assert event.actor_name == "alice", event.action
            assert event.ip_address == "127.0.0.1", event.action
