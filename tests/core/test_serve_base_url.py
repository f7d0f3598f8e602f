"""`lifeline serve --port N` (what `PORT=N make run` runs): every link points at port N."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from lifeline.core.management.commands.serve import child_environment, served_base_url
from tests.ops.services import free_port

ROOT = Path(__file__).resolve().parents[2]
LIFELINE = [sys.executable, "-m", "lifeline"]


def test_the_base_url_is_the_address_served():
    assert served_base_url("localhost", 8201) == "http://localhost:8201"
    assert served_base_url("0.0.0.0", 8201) == "http://localhost:8201"  # noqa: S104
    assert served_base_url("127.0.0.1", 9000) == "http://127.0.0.1:9000"
    assert served_base_url("::1", 9000) == "http://[::1]:9000"


def test_an_explicit_base_url_wins():
    explicit = {"LIFELINE_BASE_URL": "https://pypi.example.org"}
    assert child_environment("localhost", 8201, explicit)["LIFELINE_BASE_URL"] == (
        "https://pypi.example.org"
    )
    assert child_environment("localhost", 8201, {})["LIFELINE_BASE_URL"] == (
        "http://localhost:8201"
    )


def _post(url: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=b"", headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().partition("=")[::2] for item in raw if item)


def test_serve_on_another_port_builds_links_to_that_port(tmp_path):
    port = free_port()
    env = {**os.environ, "LIFELINE_VAR_DIR": str(tmp_path), "LIFELINE_TASKS_BACKEND": "db"}
    for key in ("DATABASE_URL", "LIFELINE_BASE_URL", "LIFELINE_SUPPORT_EMAIL"):
        env.pop(key, None)
    migrate = subprocess.run(
        [*LIFELINE, "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, capture_output=True
    )
    assert migrate.returncode == 0, migrate.stderr
    process = subprocess.Popen(
        [*LIFELINE, "serve", "--port", str(port), "--host", "localhost"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # The upload error names the tokens page by its absolute address.
        bogus = base64.b64encode(b"__token__:pypi-not-a-real-token").decode()
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _post(
                    f"http://localhost:{port}/legacy/",
                    {
                        "Authorization": f"Basic {bogus}",
                        "Content-Type": "multipart/form-data; boundary=x",
                    },
                )
                break
            except OSError:
                assert time.monotonic() < deadline, "lifeline serve did not come up"
                time.sleep(0.3)
        assert status == 403
        assert f"http://localhost:{port}/account/tokens/" in body
        assert "localhost:8000" not in body
        # The worker and the scheduler render emails too: they got the same address.
        children = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(children) == 3, children
        for pid in children:
            assert _environ_of(int(pid))["LIFELINE_BASE_URL"] == f"http://localhost:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
