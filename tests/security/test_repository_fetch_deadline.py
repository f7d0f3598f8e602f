# ruff: noqa: F811  (pytest fixtures imported from tests.recovery.conftest)
"""Attack: a server that drips bytes holds the repository fetch, inside a web request
(issue 11, item 10).

docs/recovery.md promises a deadline for the whole exchange, but the deadline was applied
per read: a server that sent one byte every 0.25 s held a 2 s fetch for 10 s, and it ran in
the request that submitted the proof. Now one monotonic deadline bounds connect, headers,
body and redirects together, and the fetch runs in a task: the submission returns at once
with the proof "checking…", and the task records the outcome.

Timing assertions are deliberately loose (the machines are noisy): the deadline is 0.5 s and
the drip would last 5 s or more, so "finished within 2x the deadline" separates the two.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils import timezone

from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.proofs.fetcher import FetchError, HttpFetcher
from lifeline.recovery.proofs.repository import proof_repository, repository_check_run
from lifeline.recovery.tasks import check_repository_proof
from tests.recovery.conftest import add_project, owner, queued, status_client  # noqa: F401
from tests.recovery.stub_server import stub_server

pytestmark = pytest.mark.django_db

DEADLINE = 0.5
DRIP = 0.25


@contextmanager
def dripping_server(*, head_first: bool, total_bytes: int = 20) -> Iterator[dict]:
    """A raw TCP server on 127.0.0.1 that answers one byte every DRIP seconds.

    ``head_first``: send the status line and headers at once, then drip the body; otherwise
    drip the status line itself. Yields ``{"base": url, "connections": n}``.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    state = {"base": f"http://127.0.0.1:{listener.getsockname()[1]}", "connections": 0}
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(4096)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {total_bytes}\r\n\r\n".encode()
                payload = b"x" * total_bytes
                if head_first:
                    conn.sendall(head)
                else:
                    payload = head + payload
                for byte in payload:
                    if stop.is_set():
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(DRIP)
            except OSError:
                return

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            state["connections"] += 1
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(2)
        listener.close()


@pytest.mark.parametrize("head_first", [True, False], ids=["drip-body", "drip-headers"])
def test_the_fetch_gives_up_at_its_total_deadline(head_first):
    fetcher = HttpFetcher(allow_private=True, timeout=DEADLINE)
    with dripping_server(head_first=head_first) as server:
        url = server["base"] + "/alice/c.txt"
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(url, prefix=server["base"] + "/alice")
        elapsed = time.monotonic() - started
    assert caught.value.code == "timeout"
    # Twenty bytes at 0.25 s would take 5 s; the deadline cut it off near 0.5 s.
    assert elapsed < 2 * DEADLINE, elapsed


def test_the_deadline_covers_every_redirect_together():
    """Each hop answers within the deadline, but three of them together do not."""
    hop = DEADLINE * 0.6

    class Slow(dict):
        def get(self, path, default=None):
            time.sleep(hop)
            return super().get(path, default)

    routes = Slow(
        {
            "/alice/a": (302, {"Location": "/alice/b"}, b""),
            "/alice/b": (302, {"Location": "/alice/c"}, b""),
            "/alice/c": (200, {}, b"lifeline-recovery-x"),
        }
    )
    fetcher = HttpFetcher(allow_private=True, timeout=DEADLINE)
    with stub_server(routes) as base:
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(base + "/alice/a", prefix=base + "/alice")
        # With time enough, the same chain succeeds: the failure above was the deadline.
        result = HttpFetcher(allow_private=True, timeout=10).fetch(
            base + "/alice/a", prefix=base + "/alice"
        )
    assert caught.value.code == "timeout"
    assert result.body == b"lifeline-recovery-x"


def _with_project_at(request_obj: RecoveryRequest, base: str) -> None:
    add_project(request_obj.user, "proj", urls={"Source": f"{base}/alice"})
    RecoveryRequest.objects.filter(pk=request_obj.pk).update(created=timezone.now())
    request_obj.refresh_from_db()


def test_a_dripping_server_cannot_hold_the_proof(queued, settings, outbox):
    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = True
    settings.LIFELINE_RECOVERY_FETCH_TIMEOUT = DEADLINE
    with dripping_server(head_first=True) as server:
        _with_project_at(queued, server["base"])
        started = time.monotonic()
        proof = proof_repository(request_obj=queued, url=server["base"] + "/alice/c.txt")
        elapsed = time.monotonic() - started
    assert proof.result == RecoveryProof.Result.FAILED
    assert proof.details["error"] == "timeout"
    assert elapsed < 2 * DEADLINE + 1, elapsed
    # The requester's contact address is told the outcome, like any other proof.
    assert outbox[-1].to == [queued.contact_email] and "failed" in outbox[-1].subject


@pytest.fixture
def deferred_tasks(settings):
    """A task backend that only records what was enqueued (a worker that has not run yet)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_submitting_returns_at_once_and_the_task_records_the_outcome(
    status_client, queued, settings, deferred_tasks
):
    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = True
    routes: dict = {}
    with dripping_server(head_first=False) as slow, stub_server(routes) as base:
        # A project at the dripping server and one at a good server.
        add_project(queued.user, "slow", urls={"Source": f"{slow['base']}/alice"})
        _with_project_at(queued, base)
        status = reverse("recovery_status", args=[queued.public_id])

        # The dripping server is never contacted while the web request runs.
        response = status_client.post(
            status, {"action": "repository", "url": f"{slow['base']}/alice/c.txt"}
        )
        assert response.status_code == 302
        assert slow["connections"] == 0

        routes["/alice/c.txt"] = (200, {}, queued.challenge.encode())
        status_client.post(status, {"action": "repository", "url": f"{base}/alice/c.txt"})
        good = RecoveryProof.objects.get(request=queued, details__url=f"{base}/alice/c.txt")
        assert good.result == RecoveryProof.Result.PENDING

        page = status_client.get(status).content.decode()
        assert "checking…" in page and ">Refresh</a>" in page

        # The worker runs the task: pending → ok.
        check_repository_proof.call(good.pk)
        good.refresh_from_db()
        assert good.result == RecoveryProof.Result.OK

    page = status_client.get(status).content.decode()
    assert "The challenge was found" in page
    # Running it again changes nothing (a retried task).
    assert repository_check_run(proof_id=good.pk) is None


def test_with_an_immediate_backend_the_submission_already_has_its_outcome(
    status_client, queued, settings
):
    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = True
    with stub_server({}) as base:
        _with_project_at(queued, base)
        response = status_client.post(
            reverse("recovery_status", args=[queued.public_id]),
            {"action": "repository", "url": f"{base}/alice/missing.txt"},
            follow=True,
        )
    proof = RecoveryProof.objects.get(request=queued)
    assert proof.result == RecoveryProof.Result.FAILED
    assert "Proof failed" in response.content.decode()


def test_a_check_whose_task_never_ran_is_picked_up_by_tick(queued, settings, deferred_tasks):
    """A stopped worker must not leave a proof "checking…" for ever."""
    from datetime import timedelta

    from lifeline.recovery.proofs.repository import recheck_stale_repository_proofs

    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = True
    with stub_server({"/alice/c.txt": (200, {}, b"")}) as base:
        _with_project_at(queued, base)
        proof = proof_repository(request_obj=queued, url=f"{base}/alice/c.txt")
        assert proof.pending
        assert recheck_stale_repository_proofs() == 0  # too recent: the worker may be on it
        RecoveryProof.objects.filter(pk=proof.pk).update(
            created=timezone.now() - timedelta(minutes=5)
        )
        assert recheck_stale_repository_proofs() == 1
    proof.refresh_from_db()
    assert proof.result == RecoveryProof.Result.FAILED
    assert proof.details["error"] == "challenge_missing"
