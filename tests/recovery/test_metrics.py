"""Desk metrics from fixtures with known answers; the requester's estimate uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.recovery.models import RecoveryAudit, RecoveryProof, RecoveryRequest
from lifeline.recovery.services import metrics
from lifeline.recovery.services.status import queue_info
from lifeline.recovery.states import State
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def make(state, *, queued_days_ago, first_response_hours=None, decided_hours=None, level=None):
    queued = NOW - timedelta(days=queued_days_ago)
    r = RecoveryRequest.objects.create(
        username_entered="x",
        user=UserFactory() if state in (State.OPEN, State.NEEDS_INFO, State.APPROVED) else None,
        contact_email="c@example.com",
        state=state,
        challenge=f"c-{RecoveryRequest.objects.count()}-{state}",
        queued_at=queued,
        created=queued,
        first_response_at=queued + timedelta(hours=first_response_hours)
        if first_response_hours is not None
        else None,
        decided_at=queued + timedelta(hours=decided_hours) if decided_hours is not None else None,
    )
    if decided_hours is not None:
        RecoveryAudit.objects.create(
            request=r,
            from_state=State.OPEN,
            to_state=State.APPROVED if state != State.DENIED else State.DENIED,
            actor_kind="staff",
            created=r.decided_at,
        )
    if level == "strong":
        for method, boundary in (("api_token", "api_token"), ("repository", "repository:x/y")):
            RecoveryProof.objects.create(
                request=r, method=method, result="ok", strength="strong", boundary=boundary
            )
    return r


@pytest.fixture
def history():
    # Decided in the window: times to decision 10 h, 20 h, 30 h → median 20 h.
    # First responses: 2 h, 4 h, 6 h, 8 h → median 5 h.
    make(
        State.APPROVED, queued_days_ago=3, first_response_hours=2, decided_hours=10, level="strong"
    )
    make(State.DENIED, queued_days_ago=10, first_response_hours=4, decided_hours=20)
    make(
        State.COMPLETED,
        queued_days_ago=20,
        first_response_hours=6,
        decided_hours=30,
        level="strong",
    )
    # Decided long ago: outside the window.
    make(State.DENIED, queued_days_ago=90, first_response_hours=1, decided_hours=1)
    # Still open.
    make(State.OPEN, queued_days_ago=2, first_response_hours=8)
    make(State.OPEN, queued_days_ago=1)
    make(State.NEEDS_INFO, queued_days_ago=5)


def test_known_answers(history):
    assert metrics.open_by_state() == {
        "submitted": 0,
        "open": 2,
        "needs_info": 1,
        "approved": 1,
        "ready": 0,
    }
    stats = metrics.decision_stats(now=NOW)
    assert stats.count == 3
    assert stats.median == timedelta(hours=20)
    assert metrics.median_first_response(now=NOW) == timedelta(hours=5)
    assert metrics.share_by_level(now=NOW) == {"strong": 2, "moderate": 0, "weak": 1}
    weeks = metrics.decisions_per_week(now=NOW, weeks=8)
    assert len(weeks) == 8
    assert sum(w.approved for w in weeks) == 2 and sum(w.denied for w in weeks) == 1
    assert weeks[-1].total == 1  # decided 3 days ago minus 10 h: the last 7 days
    assert weeks[-2].total == 1  # 10 days ago
    assert weeks[-3].total == 1  # ~19 days ago


def test_requester_estimate_uses_the_same_figures(history):
    newest = RecoveryRequest.objects.filter(state=State.OPEN).order_by("-queued_at").first()
    info = queue_info(newest, now=NOW)
    assert info.decisions_recently == metrics.decision_stats(now=NOW).count == 3
    assert info.median_decision == timedelta(hours=20)
    assert info.position == 3  # one open and one needs_info case queued before it


def test_no_decisions_no_numbers(db):
    assert metrics.decision_stats().median is None
    assert metrics.median_first_response() is None
    assert metrics.share_by_level() == {"strong": 0, "moderate": 0, "weak": 0}
