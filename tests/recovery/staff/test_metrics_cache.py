"""The desk's figures are computed at most once a minute and shared (issue 15, item 7).

The metrics page evaluated the evidence of every decided case on every view; the figures are
now computed together, with a constant number of queries however many cases exist, by
``lifeline tick`` every minute into the shared cache, and read by the metrics page and by every
requester's status page. ``first_response_at`` is indexed, so the median first response reads
a range of it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lifeline.recovery.models import RecoveryAudit, RecoveryProof, RecoveryRequest
from lifeline.recovery.staff import metrics
from lifeline.recovery.states import State
from tests.desk.fixtures import make_staff, staff_client_for

pytestmark = pytest.mark.django_db


def decided_cases(count: int, *, start: int = 0) -> None:
    now = timezone.now()
    for i in range(start, start + count):
        queued = now - timedelta(days=2)
        r = RecoveryRequest.objects.create(
            username_entered=f"x{i}",
            contact_email="c@example.com",
            state=State.DENIED,
            challenge=f"metrics-{i}",
            queued_at=queued,
            created=queued,
            first_response_at=queued + timedelta(hours=1),
            decided_at=queued + timedelta(hours=1 + i % 5),
        )
        RecoveryAudit.objects.create(
            request=r,
            from_state=State.OPEN,
            to_state=State.DENIED,
            actor_kind="staff",
            created=r.decided_at,
        )
        RecoveryProof.objects.create(
            request=r, method="api_token", result="ok", strength="strong", boundary="api_token"
        )


@pytest.fixture
def desk(db):
    cache.delete(metrics.FIGURES_KEY)
    client = staff_client_for(Client(), make_staff("sam", "support"))
    client.get("/desk/metrics/")  # the session's one-off bookkeeping
    cache.delete(metrics.FIGURES_KEY)
    return client


def _view(client) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/desk/metrics/").status_code == 200
    return queries


FIGURE_QUERIES = (
    '."decided_at" >=',
    '."first_response_at" >=',
    "recovery_recoveryproof",
    "recovery_recoveryaudit",
)


def _touches_cases(queries: CaptureQueriesContext) -> list[str]:
    """The queries that compute figures (not, say, the staff member's own banner)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if any(part in q["sql"] for part in FIGURE_QUERIES)
    ]


def test_computing_the_figures_is_a_constant_number_of_queries(desk):
    decided_cases(3)
    few = len(_view(desk))
    cache.delete(metrics.FIGURES_KEY)
    decided_cases(30, start=3)
    many = _view(desk)
    assert few == len(many), f"{few} queries for 3 cases, {len(many)} for 33"
    assert metrics.desk_figures().decisions.count == 33


def test_a_second_view_is_served_from_the_cache(desk):
    decided_cases(5)
    first = _view(desk)
    assert _touches_cases(first), "the first view computes the figures"
    second = _view(desk)
    assert _touches_cases(second) == [], "the second view recomputed the figures"
    assert len(second) < len(first)
    assert metrics.desk_figures().decisions.count == 5


def test_the_tick_refreshes_the_figures_so_no_view_computes_them(desk):
    """``lifeline tick`` (every minute) recomputes the shared copy; views only read it."""
    from django.core.management import call_command

    decided_cases(5)
    call_command("tick")
    first = _view(desk)
    assert _touches_cases(first) == [], "the view computed what the tick had computed"
    assert metrics.desk_figures().decisions.count == 5
    decided_cases(1, start=5)
    assert metrics.desk_figures().decisions.count == 5  # the copy until the next tick
    call_command("tick")
    assert metrics.desk_figures().decisions.count == 6
    assert _touches_cases(_view(desk)) == []


def test_without_the_tick_a_view_recomputes_once_the_copy_expires(desk):
    decided_cases(5)
    desk.get("/desk/metrics/")
    assert cache.get(metrics.FIGURES_KEY) is not None
    assert metrics.FIGURES_SECONDS == 300  # five missed ticks
    decided_cases(1, start=5)
    assert metrics.desk_figures().decisions.count == 5
    cache.delete(metrics.FIGURES_KEY)  # what expiry does
    assert metrics.desk_figures().decisions.count == 6


def test_the_requester_estimate_reads_the_same_cached_figures(desk, status_client, queued):
    decided_cases(5)
    desk.get("/desk/metrics/")
    url = reverse("recovery_status", kwargs={"public_id": queued.public_id})
    with CaptureQueriesContext(connection) as queries:
        page = status_client.get(url)
    assert page.status_code == 200
    assert "the median of 5 decisions" in page.content.decode()
    # The page reads its own case's proofs and history, but no decision figures.
    assert not [q for q in queries.captured_queries if '."decided_at" >=' in q["sql"]]
    assert metrics.queue_estimate().stats == metrics.desk_figures().decisions


def test_first_response_at_is_indexed():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, RecoveryRequest._meta.db_table
        )
    assert any(c["index"] and c["columns"] == ["first_response_at"] for c in constraints.values())
