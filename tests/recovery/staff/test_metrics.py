"""Desk metrics from fixtures with known answers; the requester's estimate uses them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.recovery.models import RecoveryAudit, RecoveryProof, RecoveryRequest
from lifeline.recovery.requester.status import queue_info
from lifeline.recovery.staff import metrics
from lifeline.recovery.states import State
from tests.desk.fixtures import make_staff, staff_client_for
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
    assert info.estimate.stats == metrics.decision_stats(now=NOW)
    assert info.position == 3  # one open and one needs_info case queued before it
    # Three decisions are below the minimum sample: no estimate, said honestly.
    assert not info.estimate.enough and info.estimate.typical is None


def _decided(hours: list[float]) -> None:
    for h in hours:
        make(State.DENIED, queued_days_ago=2, decided_hours=h)


@pytest.fixture
def support(db):
    return make_staff("sam", "support")


def _pages(client, queued, support) -> tuple[str, str]:
    """The requester's status page and the desk's metrics page, as rendered."""
    from django.test import Client
    from django.urls import reverse

    status = client.get(reverse("recovery_status", kwargs={"public_id": queued.public_id}))
    desk = staff_client_for(Client(), support).get("/desk/metrics/")
    assert status.status_code == desk.status_code == 200
    return status.content.decode(), desk.content.decode()


def test_estimate_and_desk_median_agree(status_client, queued, support):
    # Decided 1 h, 2 h, 3 h, 4 h and 5 h after entering the queue: the median is 3 hours.
    _decided([1, 2, 3, 4, 5])
    estimate = metrics.queue_estimate()
    assert estimate.enough and estimate.typical == timedelta(hours=3)
    status, desk = _pages(status_client, queued, support)
    said = "decided about 3 hours after entering the queue (the median of 5 decisions"
    assert said in status and said in desk
    assert '<dd id="median-decision">3 hours</dd>' in desk
    assert "Yours has been in the queue" not in status  # not for the first minute
    RecoveryRequest.objects.filter(pk=queued.pk).update(
        queued_at=timezone.now() - timedelta(hours=2)
    )
    status, _desk = _pages(status_client, queued, support)
    assert "Yours has been in the queue for 2 hours." in status


def test_minutes_long_decisions_are_not_weeks(status_client, queued, support):
    # The reported case: quick decisions must never read as "about 31 days".
    _decided([110 / 3600, 100 / 3600, 120 / 3600, 90 / 3600, 115 / 3600])
    status, desk = _pages(status_client, queued, support)
    assert "decided about 1 min 50 s after entering the queue" in status
    assert '<dd id="median-decision">1 min 50 s</dd>' in desk
    estimate = status.split('id="queue-estimate">', 1)[1].split("</dd>", 1)[0]
    assert not re.search(r"about \d+ days?", estimate)


@pytest.mark.parametrize("decided", [0, 1])
def test_too_few_decisions_say_so(status_client, queued, support, settings, decided):
    settings.LIFELINE_DESK_SLA_DAYS = 7
    _decided([0.5] * decided)
    status, desk = _pages(status_client, queued, support)
    honest = (
        f"We don't have enough decided cases yet to estimate ({decided} in the last 30 days; "
        "we need at least 5). We aim to decide every case within 7 days."
    )
    assert honest in status and honest in desk
    assert "about 31 days" not in status


def test_no_decisions_no_numbers(db):
    assert metrics.decision_stats().median is None
    assert metrics.median_first_response() is None
    assert metrics.share_by_level() == {"strong": 0, "moderate": 0, "weak": 0}
