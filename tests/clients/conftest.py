"""Real pip, uv and twine against a live Lifeline.

The tiny package is built once per session with ``python -m build --no-isolation``; its
in-tree backend (tinypkg/tiny_backend.py) needs neither setuptools nor the network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.signals import request_started

from lifeline.index.simple import render

TEMPLATE = Path(__file__).parent / "tinypkg"
BIN = Path(sys.executable).parent
PACKAGE = "lifeline-tiny"


def client_env(home: Path) -> dict[str, str]:
    """The environment for a client: the machine's own index settings must not leak in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "TWINE_", "PYTHON_KEYRING"))
    }
    env.update(
        PIP_CONFIG_FILE="/dev/null",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        UV_NO_CONFIG="1",
        UV_CACHE_DIR=str(home / "uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        NO_COLOR="1",
    )
    return env


def run(args: list[str], env: dict[str, str], *, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def build_tiny(version: str, where: Path, env: dict[str, str]) -> list[Path]:
    source = where / f"src-{version}"
    shutil.copytree(TEMPLATE, source, ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = source / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', pyproject.read_text())
    )
    out = where / f"dist-{version}"
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)], env)
    return sorted(out.iterdir())


@dataclass
class Dists:
    home: Path
    env: dict[str, str]
    by_version: dict[str, list[Path]] = field(default_factory=dict)


@pytest.fixture(scope="session")
def tiny_dists(tmp_path_factory) -> Dists:
    home = tmp_path_factory.mktemp("client-home")
    env = client_env(home)
    dists = Dists(home=home, env=env)
    for version in ("0.1", "0.2"):
        dists.by_version[version] = build_tiny(version, home, env)
    return dists


@dataclass
class SeenRequest:
    path: str
    accept: str
    user_agent: str


@pytest.fixture
def server_log() -> Iterator[list[SeenRequest]]:
    """Every request the live server receives during the test (recorded server-side)."""
    seen: list[SeenRequest] = []

    def record(sender, environ, **kwargs) -> None:  # type: ignore[no-untyped-def]
        seen.append(
            SeenRequest(
                path=environ.get("PATH_INFO", ""),
                accept=environ.get("HTTP_ACCEPT", ""),
                user_agent=environ.get("HTTP_USER_AGENT", ""),
            )
        )

    request_started.connect(record, dispatch_uid="clients-server-log")
    yield seen
    request_started.disconnect(dispatch_uid="clients-server-log")


@pytest.fixture
def live_index(live_url, settings, tmp_path) -> str:
    settings.MEDIA_ROOT = tmp_path / "files"
    render.cache.clear()
    return live_url
