"""Scheduled jobs (``LIFELINE_SCHEDULED_JOBS``, run by ``lifeline tick``)."""

from __future__ import annotations


def expire_unverified_requests() -> int:
    """Expire requests whose contact address was not confirmed within the TTL (24 h)."""
    from lifeline.recovery.services.requests import expire_unverified_requests as run

    return run()
