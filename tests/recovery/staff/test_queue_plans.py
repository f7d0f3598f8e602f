"""The queue's queries and the timer sweep's read an index, not every case ever filed (issue
15). With thousands of finished cases and a few in review, PostgreSQL must find the page through
``recovery_review_queue``, "contested" through ``recovery_contested_user`` and each timer's due
cases through an index on their state; a ``Seq Scan`` on the requests would read them all on
every desk view. Run with DATABASE_URL=postgresql://…; skipped on SQLite.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.staff.queue import QueueFilters, contested_q, filtered
from lifeline.recovery.states import TIMERS, State
from lifeline.recovery.transition import timer_duration
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
FINISHED = 6000


@pytest.fixture
def many_cases(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgresql://…")
    now = timezone.now()
    finished = [State.COMPLETED, State.DENIED, State.EXPIRED, State.WITHDRAWN]
    RecoveryRequest.objects.bulk_create(
        RecoveryRequest(
            username_entered=f"old{i}",
            contact_email=f"o{i}@contact.example",
            state=finished[i % 4],
            state_changed_at=now - timedelta(days=40 + i % 300),
            created=now - timedelta(days=41 + i % 300),
            queued_at=now - timedelta(days=41 + i % 300),
            contested=i % 50 == 0,
            challenge=secrets.token_hex(16),
        )
        for i in range(FINISHED)
    )
    live = [State.OPEN] * 6 + [State.NEEDS_INFO, State.APPROVED, State.SUBMITTED]
    RecoveryRequest.objects.bulk_create(
        RecoveryRequest(
            username_entered=f"live{i}",
            contact_email=f"l{i}@contact.example",
            state=live[i % len(live)],
            queued_at=now - timedelta(days=i % 9),
            completes_at=now + timedelta(days=1),
            challenge=secrets.token_hex(16),
        )
        for i in range(90)
    )
    user = UserFactory(username="claimed")
    RecoveryRequest.objects.filter(username_entered="live0").update(user=user)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recovery_recoveryrequest")
    return now


def plan(queryset) -> str:
    return queryset.explain()


def test_the_queue_page_reads_the_review_index(many_cases):
    actor = UserFactory(username="sam")
    base = filtered(QueueFilters(), actor=actor, now=many_cases)
    ordering = ["queued_at", "created", "id"]
    queries = {
        "page": base.exclude(contested_q()).order_by(*ordering)[:50],
        "count": base.exclude(contested_q()).values("pk"),
        "contested section": base.filter(contested_q()).order_by(*ordering)[:101],
    }
    assert RecoveryRequest.objects.filter(contested_q()).count() == FINISHED // 50
    for name, queryset in queries.items():
        text = plan(queryset)
        assert "Seq Scan" not in text, f"{name}:\n{text}"
        assert "recovery_review_queue" in text or "recovery_re_state" in text, f"{name}:\n{text}"
    contested = plan(queries["contested section"])
    assert "recovery_contested_user" in contested, contested


def test_every_timer_sweep_reads_its_partial_index(many_cases):
    for timer in TIMERS:
        deadline = many_cases - (timer_duration(timer) if timer.setting else timedelta(0))
        due = RecoveryRequest.objects.filter(
            state=timer.state, **{f"{timer.clock}__lte": deadline}
        ).order_by(timer.clock, "pk")
        text = plan(due.select_related("user"))
        assert "Seq Scan on recovery_recoveryrequest" not in text, f"{timer.name}:\n{text}"
        # Its partial index (recovery_timer_*), or (state, queued_at) when the planner
        # expects many due rows: either reads only the cases in the timer's state.
        assert re.search(r"Index (Only )?Scan (using|on) recovery_", text), f"{timer.name}:\n{text}"
