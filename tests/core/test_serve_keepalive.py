"""`lifeline serve` (what `make run` runs) keeps connections alive and serves concurrent clients
(issue 15, item 8).

The web server used to be Django's runserver, which closed connections and failed reads under
concurrent clients; it is now gunicorn with threaded workers and the production configuration.
One HTTP/1.1 connection carries three requests; eight concurrent requests all succeed; static
files come from whitenoise; the server, worker and scheduler still stop together.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.ops.services import free_port

ROOT = Path(__file__).resolve().parents[2]
LIFELINE = [sys.executable, "-m", "lifeline"]


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {**os.environ, "LIFELINE_VAR_DIR": str(tmp_path), "LIFELINE_DEBUG": "1"}
    for key in ("DATABASE_URL", "LIFELINE_BASE_URL"):
        env.pop(key, None)
    migrate = subprocess.run(
        [*LIFELINE, "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, capture_output=True
    )
    assert migrate.returncode == 0, migrate.stderr
    process = subprocess.Popen(
        [*LIFELINE, "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(port, "/_health/live")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, "lifeline serve exited"
            assert time.monotonic() < deadline, "lifeline serve did not come up"
            time.sleep(0.3)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_one_connection_carries_three_requests(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=30)
    try:
        sockets = []
        for path in ("/simple/", "/_health/live", "/static/lifeline/site.css"):
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200, (path, body[:200])
            assert response.version == 11
            assert not response.will_close, f"{path}: the server closed the connection"
            sockets.append(connection.sock)
        assert sockets[0] is not None and sockets[0] is sockets[1] is sockets[2]
    finally:
        connection.close()


def test_eight_concurrent_requests_all_succeed(served):
    pages = ["/simple/", "/_health/live", "/", "/static/lifeline/site.css", "/_dev/outbox/"]
    paths = (pages * 2)[:8]  # the DEBUG outbox page too
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda path: _get(served, path), paths))
    assert [status for status, _body in results] == [200] * 8
    assert all(body for _status, body in results)
