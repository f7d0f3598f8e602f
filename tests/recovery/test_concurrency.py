# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""On PostgreSQL: 50 parallel approvals of one case, and 50 parallel uses of one restore link.

Exactly one applies each time, and the audit trail shows exactly one transition. Each
thread has its own database connection (closed at the end of the thread).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from lifeline.recovery import restore_link, transition
from lifeline.recovery.links import LinkProblem
from lifeline.recovery.models import RecoveryAudit, RecoveryRequest, RestoreLink
from lifeline.recovery.requester.restore import recovery_restore
from lifeline.recovery.staff import decisions
from lifeline.recovery.states import IllegalTransition, State
from tests.desk.fixtures import JUSTIFICATION, case, make_staff, strong_case  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PARALLEL = 50


@pytest.fixture(autouse=True)
def _postgres_only(db):
    in_ci = os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL")
    if connection.vendor != "postgresql" and not in_ci:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgresql://…")


def run_parallel(work) -> Counter:
    barrier = threading.Barrier(PARALLEL)
    results: list[str] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = work(i)
        except (IllegalTransition, LinkProblem) as exc:
            outcome = type(exc).__name__
        except Exception as exc:  # reported in the assertions below
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return Counter(results)


def test_fifty_parallel_approvals_apply_once(strong_case):
    staff = [make_staff(f"staff{i}", "support").user for i in range(5)]

    def approve(i: int) -> str:
        outcome = decisions.recovery_approve(
            request_obj=RecoveryRequest.objects.get(pk=strong_case.pk),
            actor=staff[i % len(staff)],
            justification=JUSTIFICATION,
        )
        return "applied" if outcome.applied else "recorded"

    results = run_parallel(approve)
    assert results["applied"] == 1, results
    assert results["applied"] + results["IllegalTransition"] + results["DecisionError"] == PARALLEL
    strong_case.refresh_from_db()
    assert strong_case.state == State.APPROVED
    assert RecoveryAudit.objects.filter(request=strong_case, to_state=State.APPROVED).count() == 1


def test_fifty_parallel_uses_of_one_restore_link_apply_once(strong_case):
    actor = make_staff("approver", "support").user
    decisions.recovery_approve(request_obj=strong_case, actor=actor, justification=JUSTIFICATION)
    RecoveryRequest.objects.filter(pk=strong_case.pk).update(
        completes_at=timezone.now() - timedelta(seconds=1)
    )
    strong_case.refresh_from_db()
    assert transition.fire_timer(strong_case)
    RestoreLink.objects.filter(request=strong_case).delete()
    raw = restore_link.issue_restore_link(request_obj=strong_case)

    def restore(i: int) -> str:
        recovery_restore(
            public_id=strong_case.public_id, token=raw, new_password=f"parallel password {i}!"
        )
        return "applied"

    results = run_parallel(restore)
    assert results["applied"] == 1, results
    assert results["LinkProblem"] == PARALLEL - 1, results
    strong_case.refresh_from_db()
    assert strong_case.state == State.COMPLETED
    assert RecoveryAudit.objects.filter(request=strong_case, to_state=State.COMPLETED).count() == 1
