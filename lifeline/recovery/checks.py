"""System checks: refuse settings that would switch the recovery's protections off.

Each protection of the recovery path is a setting, so one typo (or one "temporary" change)
could remove it: a cooling-off of 0 restores an account before the owner can read the alert,
a critical threshold of 0 drops the two-person rule for big projects, auto-approval without a
day's cooling-off hands accounts over with no human in the loop. With ``LIFELINE_PRODUCTION``
on these are errors (every management command, ``serve`` and ``tick`` refuse to start); in
development they are warnings, so tests and demos can still shorten the waits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from lifeline.recovery import conf

# With auto-approval no person looks at the case: the owner must have at least a day to see
# the cooling-off email and press cancel.
AUTO_APPROVE_MIN_COOLING_HOURS = 24
MAX_SUBMITTED_TTL_HOURS = 7 * 24
MAX_RESTORE_LINK_HOURS = 7 * 24


def _int(name: str) -> int | None:
    """The setting as conf reads it (the default there), or None if it is not a number."""
    try:
        return int(conf.get(name))
    except (ImproperlyConfigured, TypeError, ValueError):
        return None


def _problems() -> list[tuple[str, str, str]]:
    """(id suffix, message, hint) for every unsafe recovery setting."""
    found: list[tuple[str, str, str]] = []

    def need(ok: bool, code: str, message: str, hint: str) -> None:
        if not ok:
            found.append((code, message, hint))

    for name, default in conf.DEFAULTS.items():
        try:
            conf.get(name)
        except ImproperlyConfigured as error:  # e.g. LIFELINE_RECOVERY_NEEDS_INFO_DAYS=30d
            found.append(
                (
                    "E110",
                    f"{error} Every use of it would fail, and one failing timer stops the "
                    "others in the same tick (cooling-off and restore links included).",
                    f"Set {name} to a {type(default).__name__}, or unset it for the default.",
                )
            )

    strong = _int("LIFELINE_RECOVERY_COOLING_OFF_STRONG_HOURS")
    other = _int("LIFELINE_RECOVERY_COOLING_OFF_HOURS")
    positive: Callable[[int | None], bool] = lambda v: v is not None and v > 0  # noqa: E731
    need(
        positive(strong) and positive(other),
        "E101",
        f"Cooling-off must be a positive number of hours (strong evidence: {strong}, "
        f"otherwise: {other}): with none, an account is restored before its owner can read "
        "the alert and cancel.",
        "Set LIFELINE_RECOVERY_COOLING_OFF_STRONG_HOURS (24) and "
        "LIFELINE_RECOVERY_COOLING_OFF_HOURS (168).",
    )
    if positive(strong) and positive(other):
        need(
            other >= strong,
            "E102",
            f"The cooling-off for weaker evidence ({other} h) is shorter than for strong "
            f"evidence ({strong} h).",
            "LIFELINE_RECOVERY_COOLING_OFF_HOURS must be at least the strong period.",
        )
    for name, default in (
        ("LIFELINE_RECOVERY_CRITICAL_RELEASES", 100),
        ("LIFELINE_RECOVERY_CRITICAL_MAINTAINERS", 5),
    ):
        value = _int(name)
        need(
            positive(value),
            "E103",
            f"{name} is {value}: 0 or less turns off the two-approver rule for accounts "
            "with big projects.",
            f"Set {name} to a positive threshold (default {default}).",
        )
    if conf.auto_approve():
        need(
            strong is not None and strong >= AUTO_APPROVE_MIN_COOLING_HOURS,
            "E104",
            f"Auto-approval is on with a strong-evidence cooling-off of {strong} h: with no "
            f"person in the loop, the owner needs at least {AUTO_APPROVE_MIN_COOLING_HOURS} h "
            "to see the alert and cancel.",
            "Turn LIFELINE_RECOVERY_AUTO_APPROVE off, or set "
            f"LIFELINE_RECOVERY_COOLING_OFF_STRONG_HOURS to {AUTO_APPROVE_MIN_COOLING_HOURS} "
            "or more.",
        )
    ttl = _int("LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS")
    need(
        ttl is not None and 0 < ttl <= MAX_SUBMITTED_TTL_HOURS,
        "E105",
        f"LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS is {ttl}: unconfirmed requests must expire "
        f"after 1 to {MAX_SUBMITTED_TTL_HOURS} hours.",
        "The default is 24.",
    )
    restore = _int("LIFELINE_RECOVERY_RESTORE_LINK_HOURS")
    need(
        restore is not None and 0 < restore <= MAX_RESTORE_LINK_HOURS,
        "E106",
        f"LIFELINE_RECOVERY_RESTORE_LINK_HOURS is {restore}: the restore link must expire "
        f"after 1 to {MAX_RESTORE_LINK_HOURS} hours.",
        "The default is 72.",
    )
    cancel_days = _int("LIFELINE_RECOVERY_CANCEL_LINK_DAYS")
    longest = max(v for v in (strong, other, 0) if v is not None)
    need(
        cancel_days is not None and cancel_days * 24 > longest,
        "E107",
        f"The owner's cancel link lives {cancel_days} days, not longer than the cooling-off "
        f"({longest} h): the owner could not stop a case from the alert.",
        "Set LIFELINE_RECOVERY_CANCEL_LINK_DAYS above the longest cooling-off (default 30).",
    )
    justification = _int("LIFELINE_RECOVERY_MIN_JUSTIFICATION")
    need(
        positive(justification),
        "E108",
        f"LIFELINE_RECOVERY_MIN_JUSTIFICATION is {justification}: staff decisions would need "
        "no written reason.",
        "The default is 20 characters.",
    )
    alerts = _int("LIFELINE_RECOVERY_OWNER_ALERTS_PER_DAY")
    need(
        positive(alerts),
        "E109",
        f"LIFELINE_RECOVERY_OWNER_ALERTS_PER_DAY is {alerts}: the owner would hear of a new "
        "request only in the daily digest.",
        "The default is 3.",
    )
    return found


@register()
def recovery_protections(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Errors in production, warnings in development (see the module docstring)."""
    production = bool(getattr(settings, "PRODUCTION", False))
    kind = Error if production else Warning
    return [
        kind(message, hint=hint, id=f"lifeline.recovery.{code if production else 'W' + code[1:]}")
        for code, message, hint in _problems()
    ]
