"""The state machine: one table, one function, audit row and event every time."""

import pytest
from django.db import IntegrityError, transaction

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.models import RecoveryAudit, RecoveryRequest
from lifeline.recovery.states import TRANSITIONS, IllegalTransition, State, allowed_targets
from lifeline.recovery.transition import recovery_transition
from tests.factories import UserFactory
from tests.recovery.conftest import submit, verify

JUSTIFICATION = "Token proof and repository proof both verified."


@pytest.fixture
def staff(db):
    return UserFactory(username="staffer", is_staff=True)


def test_every_terminal_state_is_a_dead_end():
    terminal = {
        State.COMPLETED,
        State.DENIED,
        State.WITHDRAWN,
        State.CANCELLED_BY_OWNER,
        State.EXPIRED,
    }
    assert not [pair for pair in TRANSITIONS if pair[0] in terminal]


def test_full_happy_path_writes_audit_and_events(queued, staff):
    for to, kind, actor in [
        (State.NEEDS_INFO, "staff", staff),
        (State.OPEN, "requester", None),
        (State.APPROVED, "staff", staff),
        (State.READY, "system", None),
        (State.COMPLETED, "requester", None),
    ]:
        recovery_transition(
            request_obj=queued,
            to_state=to,
            actor=actor,
            actor_kind=kind,
            justification=JUSTIFICATION if kind == "staff" else "",
        )
        assert queued.state == to
    trail = list(RecoveryAudit.objects.filter(request=queued).values_list("from_state", "to_state"))
    assert trail == [
        ("submitted", "open"),
        ("open", "needs_info"),
        ("needs_info", "open"),
        ("open", "approved"),
        ("approved", "ready"),
        ("ready", "completed"),
    ]
    queued.refresh_from_db()
    assert queued.decided_at and queued.first_response_at and queued.completes_at
    events = SecurityEvent.objects.filter(user=queued.user, tag=EventTag.RECOVERY_TRANSITION)
    assert events.count() == 6
    staff_event = events.filter(details__to="approved").get()
    assert staff_event.actor == staff
    assert staff_event.details["justification"] == JUSTIFICATION


def test_illegal_transition_is_refused_and_leaves_no_trace(queued):
    before = RecoveryAudit.objects.count()
    with pytest.raises(IllegalTransition, match="cannot go from 'open' to 'completed'"):
        recovery_transition(
            request_obj=queued, to_state=State.COMPLETED, actor=None, actor_kind="system"
        )
    queued.refresh_from_db()
    assert queued.state == State.OPEN
    assert RecoveryAudit.objects.count() == before


def test_actor_kind_must_be_allowed(queued):
    with pytest.raises(IllegalTransition, match="A requester may not"):
        recovery_transition(
            request_obj=queued, to_state=State.APPROVED, actor=None, actor_kind="requester"
        )


def test_staff_need_staff_rights_and_a_justification(queued, staff, user):
    with pytest.raises(IllegalTransition, match="justification of at least 20"):
        recovery_transition(
            request_obj=queued,
            to_state=State.DENIED,
            actor=staff,
            actor_kind="staff",
            justification="no",
        )
    with pytest.raises(IllegalTransition, match="Only a staff member"):
        recovery_transition(
            request_obj=queued,
            to_state=State.DENIED,
            actor=user,
            actor_kind="staff",
            justification=JUSTIFICATION,
        )
    recovery_transition(
        request_obj=queued,
        to_state=State.DENIED,
        actor=staff,
        actor_kind="staff",
        justification=JUSTIFICATION,
    )
    assert (
        RecoveryAudit.objects.filter(request=queued, to_state="denied").get().justification
        == JUSTIFICATION
    )


def test_state_is_reread_under_the_lock(queued):
    """A stale in-memory object cannot apply a second transition from the old state."""
    stale = RecoveryRequest.objects.get(pk=queued.pk)
    recovery_transition(
        request_obj=queued, to_state=State.WITHDRAWN, actor=None, actor_kind="requester"
    )
    assert stale.state == State.OPEN
    with pytest.raises(IllegalTransition, match="from 'withdrawn'"):
        recovery_transition(
            request_obj=stale, to_state=State.CANCELLED_BY_OWNER, actor=None, actor_kind="owner"
        )


def test_owner_cancel_marks_contested(queued):
    recovery_transition(
        request_obj=queued, to_state=State.CANCELLED_BY_OWNER, actor=None, actor_kind="owner"
    )
    queued.refresh_from_db()
    assert queued.contested
    assert SecurityEvent.objects.filter(user=queued.user, tag=EventTag.RECOVERY_CANCEL).exists()


def test_allowed_targets_for_buttons():
    assert set(allowed_targets("open", "staff")) == {State.NEEDS_INFO, State.APPROVED, State.DENIED}
    assert allowed_targets("completed", "staff") == []


def test_one_active_request_per_account_in_the_database(queued):
    other = submit(contact="other@contact.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        RecoveryRequest.objects.filter(pk=other.pk).update(state=State.OPEN)


def test_unknown_account_request_can_enter_the_queue(db):
    request_obj = submit(username="nobody-here")
    verify(request_obj)
    request_obj.refresh_from_db()
    assert request_obj.user is None
    assert request_obj.state == State.OPEN


def test_only_the_system_sends_a_case_back_from_cooling_off(queued, staff):
    """A confirmed competing request stops cooling-off (services.contest); nobody else can
    move an approved or ready case back to review, and cooling-off is cleared when it does."""
    assert allowed_targets("approved", "system") == [State.READY, State.OPEN]
    assert State.OPEN not in allowed_targets("approved", "staff")
    assert State.OPEN not in allowed_targets("ready", "requester")
    recovery_transition(
        request_obj=queued,
        to_state=State.APPROVED,
        actor=staff,
        actor_kind="staff",
        justification=JUSTIFICATION,
    )
    queued.refresh_from_db()
    assert queued.completes_at is not None
    with pytest.raises(IllegalTransition):
        recovery_transition(
            request_obj=queued,
            to_state=State.OPEN,
            actor=staff,
            actor_kind="staff",
            justification=JUSTIFICATION,
        )
    recovery_transition(request_obj=queued, to_state=State.OPEN, actor=None, actor_kind="system")
    queued.refresh_from_db()
    assert queued.state == State.OPEN and queued.completes_at is None
