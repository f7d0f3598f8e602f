"""Reading settings from the environment (used by lifeline/settings/; no Django imports)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


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
    """Read a generated secret, creating it (mode 0600, never overwritten) on first run.

    The file appears complete or not at all: the secret is written to a private temporary
    file that is then hard-linked into place (``os.link`` fails if the name exists). Creating
    the file empty and writing afterwards let a concurrent reader (another gunicorn thread
    or process on a fresh ``var/``) see an empty secret.
    """
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w") as fh:  # mkstemp: mode 0600
                fh.write(make())
            with contextlib.suppress(FileExistsError):  # another one got there first
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    value = path.read_text().strip()
    if not value:
        raise ImproperlyConfigured(f"The secret file {path} is empty: delete it to make a new one.")
    return value


def env_overrides(*names: str) -> dict[str, str]:
    """The settings among ``names`` the environment sets (non-empty), as strings.

    For settings whose default lives in an app's ``conf.py`` (which converts the type):
    ``globals().update(env_overrides("LIFELINE_X"))`` in settings.py, so each default is
    written once and an unset variable leaves the setting undefined.
    """
    return {name: os.environ[name] for name in names if os.environ.get(name)}


def ensure_metrics_dir() -> None:
    """prometheus_client in multiprocess mode writes into ``PROMETHEUS_MULTIPROC_DIR`` as soon
    as a metric is defined, which django_rq does while Django populates its apps. Called by
    the entry points (``lifeline`` command, WSGI, ASGI) before Django starts, since importing
    the settings creates nothing."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
