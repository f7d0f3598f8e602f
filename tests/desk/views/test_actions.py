"""Desk decisions on a case: escalate, resend the restore link, and the bad input to them."""

from __future__ import annotations

import uuid

import pytest

from lifeline.events.models import SecurityEvent
from tests.desk.fixtures import JUSTIFICATION

pytestmark = pytest.mark.django_db


def _messages(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"])


def test_an_unknown_case_is_not_found(staff_client):
    missing = uuid.uuid4()
    assert staff_client.get(f"/desk/cases/{missing}/").status_code == 404
    assert staff_client.post(f"/desk/cases/{missing}/assign/").status_code == 404
    assert staff_client.get("/desk/cases/not-a-uuid/").status_code == 404


def test_a_decision_without_a_justification_is_a_400_form(staff_client, strong_case):
    url = f"/desk/cases/{strong_case.public_id}/deny/"
    before = strong_case.state
    response = staff_client.post(url, {"deny-justification": "", "deny-reason_to_share": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    strong_case.refresh_from_db()
    assert strong_case.state == before


def test_escalating_hands_the_case_to_admins(
    staff_client, strong_case, desk_admin, outbox, django_capture_on_commit_callbacks
):
    base = f"/desk/cases/{strong_case.public_id}"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"{base}/escalate/", {"escalate-justification": JUSTIFICATION}, follow=True
        )
    assert "only a desk admin can decide this case now" in _messages(response)
    assert any(desk_admin.user.email in m.to for m in outbox)
    # Support can no longer decide it: a clear refusal, the state unchanged.
    state = strong_case.state
    response = staff_client.post(
        f"{base}/approve/",
        {"approve-justification": JUSTIFICATION, "approve-tokens_decision": "keep"},
        follow=True,
    )
    assert response.status_code == 200 and "Approved" not in _messages(response)
    strong_case.refresh_from_db()
    assert strong_case.state == state


def test_resending_a_link_before_approval_is_refused_with_a_reason(staff_client, strong_case):
    events = SecurityEvent.objects.count()
    response = staff_client.post(
        f"/desk/cases/{strong_case.public_id}/resend-link/",
        {"resend-justification": JUSTIFICATION},
        follow=True,
    )
    assert response.status_code == 200
    assert "Only a case whose restore link was sent can get a new one." in _messages(response)
    assert SecurityEvent.objects.count() == events
