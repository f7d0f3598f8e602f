"""Reading settings from the environment (used by lifeline/settings.py; no Django imports)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def secret_from_file(path: Path, make: Callable[[], str]) -> str:
    """Read a generated secret, creating it (mode 0600, never overwritten) on first run."""
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


def env_overrides(*names: str) -> dict[str, str]:
    """The settings among ``names`` the environment sets (non-empty), as strings.

    For settings whose default lives in an app's ``conf.py`` (which converts the type):
    ``globals().update(env_overrides("LIFELINE_X"))`` in settings.py, so each default is
    written once and an unset variable leaves the setting undefined.
    """
    return {name: os.environ[name] for name in names if os.environ.get(name)}
