"""docs/deploy.md "Backups", exercised: dump → restore into a fresh database → same users,
2FA secrets, tokens (they still authenticate), emails and files (same bytes)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.ops.services import pg_url, require_postgres, throwaway_postgres_db

ROOT = Path(__file__).resolve().parents[2]
LIFELINE = [sys.executable, "-m", "lifeline"]
# The secrets are backed up separately from the data (docs/deploy.md): same keys on restore.
SECRETS = {
    "SECRET_KEY": "backup-test-" + "x" * 50,
    "LIFELINE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}
# Everything but sessions (people sign in again) and the task queue (re-filled by `tick`).
DUMP_EXCLUDES = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "django_tasks_database",
    "admin.logentry",
]


def installation(var_dir: Path, database_url: str = "") -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LIFELINE_", "DJANGO_", "DATABASE_", "REDIS_", "SMTP_"))
    }
    env.update(SECRETS, LIFELINE_VAR_DIR=str(var_dir), LIFELINE_TASKS_BACKEND="immediate")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def lifeline(env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [*LIFELINE, *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def probe(env: dict[str, str], action: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tests.ops.backup_probe", action],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout.strip().splitlines()[-1]


def seeded(var_dir: Path, database_url: str = "") -> tuple[dict[str, str], str]:
    env = installation(var_dir, database_url)
    lifeline(env, "migrate", "--no-input", "-v0")
    return env, probe(env, "seed")


def copy_files(source: dict[str, str], target: dict[str, str]) -> None:
    """`rsync -a var/files/ backup/files/` (or `aws s3 sync` for object storage)."""
    shutil.copytree(
        Path(source["LIFELINE_VAR_DIR"]) / "files", Path(target["LIFELINE_VAR_DIR"]) / "files"
    )


def test_dumpdata_and_loaddata_into_a_fresh_database(tmp_path):
    """The portable procedure: works between SQLite and PostgreSQL too."""
    old, expected = seeded(tmp_path / "old")
    dump = tmp_path / "lifeline.json.gz"
    excludes = [arg for app in DUMP_EXCLUDES for arg in ("--exclude", app)]
    lifeline(old, "dumpdata", "--natural-foreign", "--natural-primary", *excludes, "-o", str(dump))

    new = installation(tmp_path / "new")
    lifeline(new, "migrate", "--no-input", "-v0")
    lifeline(new, "loaddata", str(dump))
    copy_files(old, new)
    assert probe(new, "verify", expected) == "verified"


def test_sqlite_online_backup(tmp_path):
    """`sqlite3 var/lifeline.sqlite3 ".backup backup.sqlite3"`, here through the same API."""
    old, expected = seeded(tmp_path / "old")
    source = sqlite3.connect(Path(old["LIFELINE_VAR_DIR"]) / "lifeline.sqlite3")
    backup_path = tmp_path / "backup.sqlite3"
    with sqlite3.connect(backup_path) as target:
        source.backup(target)
    source.close()

    new = installation(tmp_path / "new")
    (tmp_path / "new").mkdir()
    shutil.copy(backup_path, tmp_path / "new" / "lifeline.sqlite3")
    copy_files(old, new)
    lifeline(new, "migrate", "--no-input", "-v0")  # a no-op, as after an upgrade
    assert probe(new, "verify", expected) == "verified"


@pytest.mark.postgres
def test_pg_dump_and_pg_restore_into_a_fresh_database(tmp_path):
    require_postgres()
    with (
        throwaway_postgres_db("lifeline_backup_src") as src,
        throwaway_postgres_db("lifeline_backup_dst") as dst,
    ):
        old, expected = seeded(tmp_path / "old", pg_url(src))
        dump = tmp_path / "lifeline.pgdump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "-f", str(dump), pg_url(src)],
            check=True,
            timeout=300,
        )
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", pg_url(dst), str(dump)],
            check=True,
            timeout=300,
        )
        new = installation(tmp_path / "new", pg_url(dst))
        copy_files(old, new)
        lifeline(new, "migrate", "--no-input", "-v0")
        assert probe(new, "verify", expected) == "verified"
