"""``lifeline serve``: the web server, the task worker and the scheduler under one command.

Ctrl-C (SIGINT) or SIGTERM stops all three. Used by ``make run``; production runs
gunicorn, ``lifeline db_worker`` (or ``rqworker``) and ``lifeline tick`` from cron instead
(docs/deploy.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development web server, the background worker and the scheduler together."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "localhost"))
        parser.add_argument("--tick-seconds", type=int, default=60)

    def handle(self, *args: Any, port: int, host: str, tick_seconds: int, **options: Any) -> None:
        cli = [sys.executable, "-m", "lifeline"]
        children: list[subprocess.Popen] = []
        if settings.LIFELINE_TASKS_BACKEND == "db":
            children.append(subprocess.Popen([*cli, "db_worker", "--interval", "1"]))  # noqa: S603
        children.append(
            subprocess.Popen([*cli, "tick", "--loop", str(tick_seconds)])  # noqa: S603
        )
        web = subprocess.Popen(  # noqa: S603
            [*cli, "runserver", f"{host}:{port}", "--noreload"]
        )
        children.append(web)
        self.stdout.write(f"Lifeline is running at http://{host}:{port}/  (Ctrl-C stops it)")

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
