"""Durations and event/audit details in words, for pages people read.

Staff and users should never see ``1 day, 0:00:00``, ``0:01:50.915165`` or
``['support']``: these helpers turn Python values into short English. The template filters
in ``lifeline.core.templatetags.lifeline_humanize`` wrap them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# Labels for detail keys that a generic "replace underscores" would get wrong or leave vague.
KEY_LABELS: dict[str, str] = {
    "approvers": "Approvers",
    "approval": "Approval",
    "needed": "Approvals needed",
    "assignee": "Assigned to",
    "tokens": "API tokens at restore",
    "tokens_decision": "API tokens at restore",
    "tokens_revoked": "API tokens revoked",
    "completes_at": "Cooling-off ends",
    "sessions_ended": "Sessions ended",
    "removed_2fa": "Two-factor methods removed",
    "primary_email": "New primary address",
    "contact_email": "Contact address",
    "contact_verified": "Contact address confirmed",
    "merged_into": "Merged into",
    "attached_to": "Attached to",
    "first_seen": "First seen",
    "ip": "IP address",
    "url": "URL",
    "fetched": "Fetched",
    "token_name": "Token name",
    "actor_kind": "By",
    "via": "Via",
    "lost": "Lost",
    "request": "Request",
    "reason": "Reason",
    "rule": "Rule",
    "competing_request": "Competing request",
    "cooling_off_stopped": "Cooling-off stopped",
}


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def humanize_duration(value: timedelta | float | int | None) -> str:
    """A duration as people say it: "45 s", "1 min 51 s", "2 h 5 min", "24 hours", "7 days".

    Precision shrinks as the duration grows (seconds only under ten minutes, minutes only
    under ten hours, hours only under a week). ``None`` gives an empty string.
    """
    if value is None or value == "":
        return ""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    negative = seconds < 0
    seconds = round(abs(seconds))
    if seconds < MINUTE:
        text = f"{seconds} s"
    elif seconds < HOUR:
        minutes, rest = divmod(seconds, MINUTE)
        text = f"{minutes} min" + (f" {rest} s" if rest and minutes < 10 else "")
    elif seconds < 2 * DAY:
        hours, rest = divmod(seconds, HOUR)
        minutes = round(rest / MINUTE)
        if minutes == 60:
            hours, minutes = hours + 1, 0
        if hours < 10 and minutes:
            text = f"{hours} h {minutes} min"
        else:
            text = _plural(round(seconds / HOUR), "hour")
    else:
        days, rest = divmod(seconds, DAY)
        hours = round(rest / HOUR)
        if hours == 24:
            days, hours = days + 1, 0
        if days < 7 and hours:
            text = f"{_plural(days, 'day')} {_plural(hours, 'hour')}"
        else:
            text = _plural(round(seconds / DAY), "day")
    return f"minus {text}" if negative else text


def key_label(key: str) -> str:
    """A detail key as a label: known keys get their label, others lose their underscores."""
    return KEY_LABELS.get(key, key.replace("_", " ").capitalize())


def _parse_datetime(value: str) -> datetime | None:
    if len(value) < 16 or value[4] != "-" or "T" not in value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def humanize_value(value: Any) -> str:
    """One detail value in words: lists joined, booleans as yes/no, timestamps as dates."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return humanize_duration(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, (list, tuple, set)):
        return ", ".join(humanize_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{key_label(str(k))}: {humanize_value(v)}" for k, v in value.items())
    if isinstance(value, str):
        parsed = _parse_datetime(value)
        if parsed is not None:
            return parsed.strftime("%Y-%m-%d %H:%M UTC")
        return value
    return str(value)


def humanize_details(details: Any, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(label, value) pairs for a details dict, in its order, without the ``skip`` keys."""
    if not isinstance(details, dict):
        return []
    return [(key_label(str(k)), humanize_value(v)) for k, v in details.items() if k not in skip]
