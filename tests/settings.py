"""Test settings: the real settings, with tasks run in-process.

Everything else (Argon2, the database cache, allauth's rate limits, CSP) is as in
production. Tasks run immediately so a test sees an email as soon as the change that
caused it; tests/notifications covers the real database worker and its retries.
"""

import os

os.environ.setdefault("LIFELINE_TASKS_BACKEND", "immediate")
os.environ.setdefault("LIFELINE_DEV_OUTBOX", "1")

from lifeline.settings import *  # noqa: F403
