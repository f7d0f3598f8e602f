"""``lifeline tick``: run every scheduled job once (or forever with ``--loop SECONDS``).

This is the one entry point for cron or a systemd timer (docs/deploy.md). Jobs are listed
in ``settings.LIFELINE_SCHEDULED_JOBS``; each is idempotent and safe to run concurrently
with itself, so a missed or doubled tick does no harm.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger("lifeline.tick")


def run_jobs() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for path in settings.LIFELINE_SCHEDULED_JOBS:
        try:
            results[path] = import_string(path)()
        except Exception:
            logger.exception("scheduled job %s failed", path)
            results[path] = "error"
    return results


class Command(BaseCommand):
    help = "Run scheduled jobs (email retries, cooling-off expiry, reminders)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args: Any, loop: int, **options: Any) -> None:
        while True:
            if loop:
                # A long-running loop must not hold a dead or stale connection. (Not for a
                # single run: closing would also end a caller's open transaction.)
                close_old_connections()
            results = run_jobs()
            if options["verbosity"] > 1 or not loop:
                for path, result in results.items():
                    self.stdout.write(f"{path}: {result}")
            if not loop:
                return
            time.sleep(loop)
