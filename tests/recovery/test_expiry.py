# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""Cases waiting for the requester expire after 30 days without a reply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.requester.messages import recovery_message_post
from lifeline.recovery.staff import decisions
from lifeline.recovery.states import State
from lifeline.recovery.transition import sweep_timers
from tests.desk.fixtures import case, support  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(case, support):
    decisions.recovery_request_info(
        request_obj=case,
        actor=support.user,
        justification="Need the repository URL before deciding.",
        message="Which repository holds the challenge?",
    )
    case.refresh_from_db()
    return case


def age(request_obj, days):
    RecoveryRequest.objects.filter(pk=request_obj.pk).update(
        state_changed_at=timezone.now() - timedelta(days=days)
    )


def test_expires_after_thirty_days_and_tells_the_requester(waiting, outbox):
    age(waiting, 29)
    assert sweep_timers() == 0
    age(waiting, 31)
    outbox.clear()
    assert sweep_timers() == 1
    waiting.refresh_from_db()
    assert waiting.state == State.EXPIRED
    audit = waiting.audit.get(to_state=State.EXPIRED)
    assert audit.actor_kind == "system"
    assert [m.to for m in outbox if "expired" in m.subject] == [["new@contact.example"]]
    assert sweep_timers() == 0


def test_a_reply_resets_the_clock(waiting):
    recovery_message_post(request_obj=waiting, body="Here it is.", author_kind="requester")
    waiting.refresh_from_db()
    assert waiting.state == State.OPEN
    age(waiting, 40)
    assert sweep_timers() == 0
