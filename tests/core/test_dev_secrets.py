"""Importing the settings writes nothing; development secrets appear on first use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lifeline.core.dev_secrets import dev_secret

ROOT = Path(__file__).resolve().parents[2]


def test_a_dev_secret_is_made_on_first_use_and_kept(tmp_path):
    path = tmp_path / "sub" / "secret"
    made = []
    secret = dev_secret(path, lambda: made.append(1) or "s3cret")
    assert not path.exists()  # nothing until it is used
    assert secret == "s3cret" and str(secret).encode() == b"s3cret"
    assert path.read_text() == "s3cret" and path.stat().st_mode & 0o777 == 0o600
    assert dev_secret(path, lambda: "other") == "s3cret"  # never overwritten
    assert made == [1]


def test_importing_the_settings_creates_no_directory_or_secret(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "LIFELINE_ENCRYPTION_KEYS", "LIFELINE_PRODUCTION")
    }
    env["LIFELINE_VAR_DIR"] = str(tmp_path / "var")
    code = "import lifeline.settings"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
    assert not (tmp_path / "var").exists()


def test_concurrent_first_uses_all_see_the_same_whole_secret(tmp_path):
    """A fresh var/ under `make run`: many threads (and processes) need the secret at once.
    None may read a half-written file (it used to give one request an empty SECRET_KEY)."""
    import secrets
    import threading
    import time

    from lifeline.core.env import secret_from_file

    for attempt in range(20):
        path = tmp_path / f"secret-{attempt}"
        barrier = threading.Barrier(16)
        seen: list[str] = []

        def slow_make() -> str:
            time.sleep(0.002)  # widen the window between creating and writing
            return secrets.token_urlsafe(32)

        def use(path=path, barrier=barrier, seen=seen) -> None:
            barrier.wait()
            seen.append(secret_from_file(path, slow_make))

        threads = [threading.Thread(target=use) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(seen) == 16 and len(set(seen)) == 1 and seen[0], seen
        assert path.stat().st_mode & 0o777 == 0o600
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
