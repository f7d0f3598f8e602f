"""Development secrets made where first needed, not when ``lifeline.settings`` is imported.

Outside production, ``SECRET_KEY`` and the encryption key may come from files under
``var/`` that Lifeline writes itself the first time, so ``make run`` works on a fresh clone.
Importing the settings must not write them (a ``lifeline --help``, a linter or a tool that
only reads the settings would leave secret files behind), so settings.py holds a lazy value:
the file is read, or created (mode 0600, never overwritten), when the secret is first used,
e.g. the first signed cookie or encrypted value. Production never gets here: settings.py
refuses to start without both secrets in the environment.

The directories a process writes to (``VAR_DIR``, ``STATIC_ROOT``) are created by
``CoreConfig.ready``, i.e. when Django starts, not when the settings are read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.utils.functional import lazy

from lifeline.core.env import secret_from_file


def dev_secret(path: Path, make: Callable[[], str]) -> str:
    """A str-like value: the secret in ``path``, made with ``make()`` on first use."""

    @cache
    def value() -> str:
        path.parent.mkdir(parents=True, exist_ok=True)
        return secret_from_file(path, make)

    return lazy(value, str)()


def ensure_directories(*paths: Path | str) -> None:
    for path in paths:
        Path(path).mkdir(parents=True, exist_ok=True)
