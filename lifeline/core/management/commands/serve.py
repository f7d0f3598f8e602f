"""``lifeline serve``: the web server, the task worker and the scheduler under one command.

Ctrl-C (SIGINT) or SIGTERM stops all three. Used by ``make run``; production runs
gunicorn, ``lifeline db_worker`` (or ``rqworker``) and ``lifeline tick`` from cron instead
(docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM if ``serve`` itself dies (even by SIGKILL)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Command(BaseCommand):
    help = "Run the development web server, the background worker and the scheduler together."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "localhost"))
        parser.add_argument("--tick-seconds", type=int, default=60)

    def handle(self, *args: Any, port: int, host: str, tick_seconds: int, **options: Any) -> None:
        cli = [sys.executable, "-m", "lifeline"]
        children: list[subprocess.Popen] = []

        def start(args: list[str]) -> None:
            child = subprocess.Popen([*cli, *args], preexec_fn=_die_with_parent)  # noqa: S603
            children.append(child)

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        # Installed explicitly: a shell starting us in the background ignores SIGINT, and
        # Python then never raises KeyboardInterrupt on Ctrl-C.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, stop)
        try:
            if settings.LIFELINE_TASKS_BACKEND == "db":
                start(["db_worker", "--interval", "1"])
            start(["tick", "--loop", str(tick_seconds)])
            start(["runserver", f"{host}:{port}", "--noreload"])
            self.stdout.write(f"Lifeline is running at http://{host}:{port}/  (Ctrl-C stops it)")
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not orphan a child
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
