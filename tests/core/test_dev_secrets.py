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
