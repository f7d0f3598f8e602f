"""The database goes away under a running server: clean 503s, then recovery by itself.

PostgreSQL is reached through a TCP proxy that the test cuts and restores, so the machine's
own PostgreSQL (shared with others) is never stopped.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ops.services import (
    PG_PORT,
    TcpProxy,
    free_port,
    pg_url,
    production_env,
    throwaway_postgres_db,
)
from tests.ops.test_processes import get, wait_for

ROOT = Path(__file__).resolve().parents[2]
LIFELINE = [sys.executable, "-m", "lifeline"]

pytestmark = pytest.mark.postgres

JSON = {"Accept": "application/vnd.pypi.simple.v1+json"}
HTML = {"Accept": "text/html"}


@pytest.fixture
def server_behind_a_flaky_database(tmp_path):
    with throwaway_postgres_db("lifeline_outage") as name:
        proxy = TcpProxy(PG_PORT)
        port = free_port()
        env = production_env(
            str(tmp_path),
            DATABASE_URL=pg_url(name, proxy.port),
            LIFELINE_SSL_REDIRECT="0",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS="1",
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        )
        for command in (["collectstatic", "--no-input", "-v0"], ["migrate", "--no-input", "-v0"]):
            result = subprocess.run(
                [*LIFELINE, *command], env=env, cwd=ROOT, capture_output=True, text=True,
                timeout=300, check=False,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr[-3000:]
        log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/_health/live")
            yield base, proxy, tmp_path / "gunicorn.log"
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            log.close()
            proxy.close()


def test_database_outage_gives_503_then_recovers(server_behind_a_flaky_database):
    base, proxy, log_path = server_behind_a_flaky_database
    assert get(f"{base}/projects/", HTML)[0] == 200
    assert get(f"{base}/_health/ready")[0] == 200

    proxy.cut()
    status, body, headers = get(f"{base}/projects/", HTML)
    assert status == 503, body[-2000:]
    assert "Temporarily unavailable" in body and "Traceback" not in body
    assert headers["Retry-After"] == "30"
    status, body, _ = get(f"{base}/simple/", JSON)
    assert status == 503 and json.loads(body)["failing"] == ["database"]
    status, body, _ = get(f"{base}/_health/ready")
    assert status == 503 and "database" in json.loads(body)["failing"]
    assert get(f"{base}/_health/live")[0] == 200  # the process itself is fine: don't restart

    proxy.restore()
    deadline = time.monotonic() + 20
    while get(f"{base}/projects/", HTML)[0] != 200:
        assert time.monotonic() < deadline, "did not recover after the database came back"
        time.sleep(0.5)
    assert get(f"{base}/_health/ready")[0] == 200
    # Every request during the outage was answered; none crashed the worker.
    log = log_path.read_text()
    assert "Worker exiting" not in log and "WORKER TIMEOUT" not in log
