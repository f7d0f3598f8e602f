"""Enqueueing background work so that it commits (or vanishes) with the transaction.

With the database backend (the default) the task row is written inside the current
transaction: the work exists exactly when the change that caused it exists. Backends that
live outside the database (RQ) are enqueued on commit instead, so a worker never picks up
work for a row it cannot see yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.tasks import Task, task_backends

_TRANSACTIONAL_BACKENDS = (
    "django_tasks_db.backend.DatabaseBackend",
    "django.tasks.backends.immediate.ImmediateBackend",
    "django.tasks.backends.dummy.DummyBackend",
)


def _is_transactional(task: Task) -> bool:
    backend = task_backends[task.backend]
    path = f"{type(backend).__module__}.{type(backend).__qualname__}"
    return path in _TRANSACTIONAL_BACKENDS


def enqueue(task: Task, *args: Any, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Enqueue ``task`` tied to the current transaction (see module docstring)."""
    if run_after is not None:
        if not task_backends[task.backend].supports_defer:
            return  # the periodic sweep picks it up when it is due
        task = task.using(run_after=run_after)
    if _is_transactional(task):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)
