# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""The timers (lifeline.recovery.states.TIMERS, applied by transition.fire_timer and the one
sweep): unconfirmed requests expire, cases waiting for the requester expire after 30 days
without a reply, and cooling-off ends with a restore link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.recovery.messages import recovery_message_post
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.staff import decisions
from lifeline.recovery.states import TIMERS, State
from lifeline.recovery.transition import fire_timer, sweep_timers
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


def test_the_timers_are_the_three_waits_and_each_ends_in_a_legal_move():
    from lifeline.recovery.states import TRANSITIONS

    assert {(t.state, t.to_state) for t in TIMERS} == {
        (State.SUBMITTED, State.EXPIRED),
        (State.NEEDS_INFO, State.EXPIRED),
        (State.APPROVED, State.READY),
    }
    assert all("system" in TRANSITIONS[(t.state, t.to_state)].actors for t in TIMERS)


def test_one_sweep_fires_every_kind_of_timer(waiting, outbox):
    from tests.recovery.conftest import submit

    unconfirmed = submit(username="nobody-here", contact="late@contact.example")
    RecoveryRequest.objects.filter(pk=unconfirmed.pk).update(
        created=timezone.now() - timedelta(hours=25)
    )
    age(waiting, 31)
    assert sweep_timers() == 2
    unconfirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert unconfirmed.state == State.EXPIRED and waiting.state == State.EXPIRED
    assert sweep_timers() == 0


def test_firing_a_timer_that_is_not_due_does_nothing(waiting):
    age(waiting, 29)
    assert not fire_timer(waiting)
    assert waiting.state == State.NEEDS_INFO
    assert not waiting.audit.filter(to_state=State.EXPIRED).exists()
