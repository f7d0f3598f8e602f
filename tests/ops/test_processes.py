"""The processes an operator runs: check --deploy, gunicorn (2 workers), `lifeline serve`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ops.services import free_port, production_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LIFELINE = [sys.executable, "-m", "lifeline"]


def run(args: list[str], env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect())


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get(url)[0] < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up within {seconds}s")


def test_check_deploy_is_clean_in_production(tmp_path):
    env = production_env(str(tmp_path))
    # Static files are collected first (a build step): the manifest storage needs them.
    assert run([*LIFELINE, "collectstatic", "--no-input", "-v0"], env).returncode == 0
    result = run([*LIFELINE, "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path):
    env = production_env(str(tmp_path))
    del env["SECRET_KEY"]
    result = run([*LIFELINE, "check"], env)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_gunicorn_refuses_to_start_when_a_check_fails(tmp_path):
    env = production_env(str(tmp_path), GUNICORN_BIND=f"127.0.0.1:{free_port()}")
    del env["LIFELINE_BASE_URL"]
    result = run([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")], env, timeout=60)
    assert result.returncode != 0
    assert "lifeline.E001" in result.stdout + result.stderr


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    token = "scrape-" + os.urandom(8).hex()
    env = production_env(
        str(tmp_path),
        LIFELINE_METRICS_TOKEN=token,
        # As behind a TLS-terminating load balancer that sets X-Forwarded-Proto.
        LIFELINE_TRUSTED_PROXY_COUNT="1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
    )
    # Static files first (a build step): with the manifest storage, URLs resolve against it.
    for command in (["collectstatic", "--no-input", "-v0"], ["migrate", "--no-input", "-v0"]):
        result = run([*LIFELINE, *command], env)
        assert result.returncode == 0, result.stderr
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/_health/live")
        yield base, token, tmp_path / "gunicorn.log"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_gunicorn_serves_with_two_workers_and_adds_up_their_metrics(gunicorn):
    base, token, log_path = gunicorn
    status, body, _ = get(f"{base}/_health/ready")
    assert status == 200, body
    https = {"Host": "pypi.example.org", "X-Forwarded-Proto": "https"}
    assert get(f"{base}/", {"Host": "pypi.example.org"})[0] == 301  # plain HTTP: redirected
    for _ in range(12):
        status, body, headers = get(f"{base}/", https)
        assert status == 200, log_path.read_text()[-3000:]
        # Production headers: HSTS, CSP, framing, referrer.
        assert "max-age=" in headers["Strict-Transport-Security"]
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"]
    # whitenoise serves the hashed static files with a long cache lifetime.
    _, home, _ = get(f"{base}/", https)
    css = re.search(r'/static/[^"]+\.[0-9a-f]{12}\.css', home)
    assert css, "no hashed stylesheet link on the home page"
    status, _, headers = get(f"{base}{css.group(0)}", https)
    assert status == 200 and "max-age=315360000" in headers["Cache-Control"]

    assert get(f"{base}/metrics")[0] == 404  # not redirected to https either: exempt
    status, metrics, _ = get(f"{base}/metrics", {"Authorization": f"Bearer {token}"})
    assert status == 200
    served = sum(
        float(m.group(1))
        for m in re.finditer(
            r'lifeline_http_requests_total\{[^}]*method="GET"[^}]*view="home"[^}]*\} (\S+)', metrics
        )
    )
    assert served == 13  # counted in both workers, added up through PROMETHEUS_MULTIPROC_DIR
    assert "lifeline_task_queue_lag_seconds" in metrics

    lines = [line for line in log_path.read_text().splitlines() if line.startswith("{")]
    assert any('"logger": "lifeline.access"' in line and '"request_id"' in line for line in lines)


def test_serve_stops_the_server_worker_and_scheduler_on_ctrl_c(tmp_path):
    port = free_port()
    env = {**os.environ, "LIFELINE_VAR_DIR": str(tmp_path), "LIFELINE_TASKS_BACKEND": "db"}
    env.pop("DATABASE_URL", None)
    assert run([*LIFELINE, "migrate", "--no-input", "-v0"], env).returncode == 0
    for how in ("group", "parent"):
        process = subprocess.Popen(
            [*LIFELINE, "serve", "--port", str(port), "--host", "127.0.0.1"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/_health/live")
            children = _children(process.pid)
            assert len(children) == 3, children  # runserver, db_worker, tick --loop
            if how == "group":  # Ctrl-C in a terminal: SIGINT to the whole foreground group
                os.killpg(process.pid, signal.SIGINT)
            else:  # SIGINT to `serve` alone (e.g. from a supervisor)
                process.send_signal(signal.SIGINT)
            process.wait(timeout=20)
            deadline = time.monotonic() + 15
            while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not [pid for pid in children if _alive(pid)], f"left running after {how}"
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    deadline = time.monotonic() + 10
    found: list[int] = []
    while time.monotonic() < deadline:
        found = [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
            ).stdout.split()
        ]
        if len(found) == 3:
            break
        time.sleep(0.2)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
