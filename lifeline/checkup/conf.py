"""Email reachability settings, with their defaults (override any in settings.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def webhook_secret() -> str:
    return getattr(settings, "LIFELINE_BOUNCE_WEBHOOK_SECRET", "") or ""


def replay_window() -> timedelta:
    """How far a webhook timestamp may be from now, either way."""
    return timedelta(seconds=getattr(settings, "LIFELINE_BOUNCE_WEBHOOK_WINDOW_SECONDS", 300))


def receipt_retention() -> timedelta:
    """How long seen event ids are kept: far longer than the window, so a provider's late
    retry of an event (with a fresh timestamp) is still recognised and not counted twice."""
    return timedelta(days=getattr(settings, "LIFELINE_BOUNCE_RECEIPT_DAYS", 30))


def webhook_max_bytes() -> int:
    return getattr(settings, "LIFELINE_BOUNCE_WEBHOOK_MAX_BYTES", 256 * 1024)


def webhook_max_events() -> int:
    return getattr(settings, "LIFELINE_BOUNCE_WEBHOOK_MAX_EVENTS", 100)


def soft_bounce_limit() -> int:
    """More than this many soft bounces within ``soft_bounce_period`` unverify an address."""
    return getattr(settings, "LIFELINE_SOFT_BOUNCE_LIMIT", 5)


def soft_bounce_period() -> timedelta:
    return timedelta(days=getattr(settings, "LIFELINE_SOFT_BOUNCE_DAYS", 30))


def domain_recheck_after() -> timedelta:
    return timedelta(days=getattr(settings, "LIFELINE_DOMAIN_RECHECK_DAYS", 30))


def domain_checks_per_run() -> int:
    return getattr(settings, "LIFELINE_DOMAIN_CHECKS_PER_RUN", 200)


def domain_backend() -> str:
    return getattr(settings, "LIFELINE_DOMAIN_STATUS_BACKEND", "null") or "null"


def rdap_bootstrap_url() -> str:
    return getattr(settings, "LIFELINE_RDAP_BOOTSTRAP_URL", "https://data.iana.org/rdap/dns.json")


def rdap_timeout() -> float:
    return float(getattr(settings, "LIFELINE_RDAP_TIMEOUT_SECONDS", 5))


# --- The checkup and its reminders ----------------------------------------------------------


def reminder_every() -> timedelta:
    """Each kind of reminder reaches a user at most once in this period."""
    return timedelta(days=getattr(settings, "LIFELINE_REMINDER_EVERY_DAYS", 30))


def reminder_grace() -> timedelta:
    """New accounts get no reminders for this long (they are still setting up)."""
    return timedelta(days=getattr(settings, "LIFELINE_REMINDER_GRACE_DAYS", 7))


def reminder_run_every() -> timedelta:
    """The reminder job does its work at most once in this period (a daily job in ``tick``)."""
    return timedelta(hours=getattr(settings, "LIFELINE_REMINDER_RUN_HOURS", 20))


def reminder_batch_size() -> int:
    return getattr(settings, "LIFELINE_REMINDER_BATCH_SIZE", 500)


def stale_token_after() -> timedelta:
    return timedelta(days=getattr(settings, "LIFELINE_STALE_TOKEN_DAYS", 90))


def badge_cache_seconds() -> int:
    return getattr(settings, "LIFELINE_CHECKUP_BADGE_SECONDS", 600)
