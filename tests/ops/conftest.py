from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ops.services import SmtpSink


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """An SMTP sink on a reserved port, *not started*: the test decides when SMTP is up."""
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture
def db_tasks(settings) -> None:
    """Tasks go to the real database queue (django-tasks-db), as in a default install."""
    settings.LIFELINE_TASKS_BACKEND = "db"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
