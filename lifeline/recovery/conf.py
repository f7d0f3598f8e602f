"""Every recovery and desk setting, with its default, in one place.

Read through :func:`get` (or the named helpers) at call time, never at import time, so
``override_settings`` in tests and a changed environment take effect. Nothing else in
``lifeline.recovery`` reads ``django.conf.settings`` for these names.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS: dict[str, Any] = {
    # Shown as a link on the request form; never fetched.
    "LIFELINE_CODE_OF_CONDUCT_URL": "https://policies.python.org/python.org/code-of-conduct/",
    # An unconfirmed request (contact address not verified) expires after this many hours.
    "LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS": 24,
    # Cooling-off between approval and restore: strong evidence, and anything less.
    "LIFELINE_RECOVERY_COOLING_OFF_STRONG_HOURS": 24,
    "LIFELINE_RECOVERY_COOLING_OFF_HOURS": 7 * 24,
    # An account owning a project with this many releases or maintainers is critical.
    "LIFELINE_RECOVERY_CRITICAL_RELEASES": 100,
    "LIFELINE_RECOVERY_CRITICAL_MAINTAINERS": 5,
    "LIFELINE_RECOVERY_MIN_JUSTIFICATION": 20,
    # New-request alerts per account per rolling day; more roll into the daily digest.
    "LIFELINE_RECOVERY_OWNER_ALERTS_PER_DAY": 3,
    # The owner's one-click cancel link stays valid this many days.
    "LIFELINE_RECOVERY_CANCEL_LINK_DAYS": 30,
    "LIFELINE_RECOVERY_EMAIL_CODE_DIGITS": 8,
    # ASVS 6.5.5: out-of-band codes live 10 minutes at most.
    "LIFELINE_RECOVERY_EMAIL_CODE_MINUTES": 10,
    "LIFELINE_RECOVERY_EMAIL_CODE_TRIES": 5,
    # Repository challenge fetcher: ...proofs.fetcher.HttpFetcher or NullFetcher.
    "LIFELINE_RECOVERY_FETCHER": "lifeline.recovery.proofs.fetcher.HttpFetcher",
    # Fetch private and loopback addresses too: tests and local development ONLY.
    "LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE": False,
    "LIFELINE_RECOVERY_FETCH_TIMEOUT": 5.0,
    "LIFELINE_RECOVERY_FETCH_MAX_BYTES": 64 * 1024,
    "LIFELINE_RECOVERY_RATE_LIMITS": {
        "submit_ip": "5/h",
        "submit_username": "3/h",
        "verify_ip": "30/h",
        "status_ip": "120/h",
        "token_ip": "20/h",
        "token_request": "10/h",
        "repository": "10/h",
        "password": "5/h",
        "password_ip": "20/h",
        "email_code_send": "3/h",
        "knowledge": "3/d",
        "reply": "20/h",
        "cancel_ip": "30/h",
    },
    # Off by default: strong-evidence, non-critical, uncontested cases go straight into
    # cooling-off, with "policy" as the actor (docs/recovery.md, "Support desk").
    "LIFELINE_RECOVERY_AUTO_APPROVE": False,
    # The single-use restore link is valid this many hours.
    "LIFELINE_RECOVERY_RESTORE_LINK_HOURS": 72,
    # A case waiting for the requester's reply expires after this many days.
    "LIFELINE_RECOVERY_NEEDS_INFO_DAYS": 30,
    # Queue cases older than this many days are highlighted.
    "LIFELINE_DESK_SLA_DAYS": 7,
    "LIFELINE_DESK_SOLE_ADMIN_GRANT_DAYS": 7,
    # The remembered-device cookie (proof c): signed, HttpOnly, set at every full login.
    "LIFELINE_DEVICE_COOKIE_NAME": "lifeline_device",
    "LIFELINE_DEVICE_COOKIE_DAYS": 400,
}


def get(name: str) -> Any:
    """The configured value of ``name``, or its default here.

    settings.py passes what the environment sets as strings (``env_overrides``); a string
    for a setting whose default is a number or a flag is converted to that type here.
    """
    default = DEFAULTS[name]
    value = getattr(settings, name, default)
    if not isinstance(value, str) or isinstance(default, str):
        return value
    text = value.strip()
    if isinstance(default, bool):
        return text.lower() in {"1", "true", "yes", "on"}
    try:
        return type(default)(text)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r}: expected {type(default).__name__}, like the default {default!r}."
        ) from None


def rate_limit(name: str) -> str:
    return get("LIFELINE_RECOVERY_RATE_LIMITS")[name]


def submitted_ttl() -> timedelta:
    return timedelta(hours=get("LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS"))


def needs_info_ttl() -> timedelta:
    return timedelta(days=get("LIFELINE_RECOVERY_NEEDS_INFO_DAYS"))


def restore_link_ttl() -> timedelta:
    return timedelta(hours=get("LIFELINE_RECOVERY_RESTORE_LINK_HOURS"))


def cooling_off_strong() -> timedelta:
    return timedelta(hours=get("LIFELINE_RECOVERY_COOLING_OFF_STRONG_HOURS"))


def cooling_off_other() -> timedelta:
    return timedelta(hours=get("LIFELINE_RECOVERY_COOLING_OFF_HOURS"))


def min_justification_length() -> int:
    return int(get("LIFELINE_RECOVERY_MIN_JUSTIFICATION"))


def auto_approve() -> bool:
    return bool(get("LIFELINE_RECOVERY_AUTO_APPROVE"))


def desk_sla_days() -> int:
    return int(get("LIFELINE_DESK_SLA_DAYS"))


def owner_alerts_per_day() -> int:
    return max(1, int(get("LIFELINE_RECOVERY_OWNER_ALERTS_PER_DAY")))


def cancel_link_days() -> int:
    return int(get("LIFELINE_RECOVERY_CANCEL_LINK_DAYS"))
