"""``account:email:unverify`` in words on the security history and the desk timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lifeline.events import display as events_display
from lifeline.events.tags import EventTag


def _unverified(details: Mapping[str, Any]) -> str:
    from lifeline.checkup.services import reason_text

    text = f"{details.get('email', '')}: {reason_text(str(details.get('reason', '')))}"
    if details.get("new_primary"):
        text += f"; {details['new_primary']} is now primary"
    return text


def _reminder_kind(details: Mapping[str, Any]) -> str:
    from lifeline.checkup.reminder_models import ReminderKind

    kind = str(details.get("kind", ""))
    label = ReminderKind(kind).label if kind in ReminderKind.values else kind
    text = label[:1].lower() + label[1:]
    if "addresses" in details:
        count = int(details.get("addresses") or 0)
        text += f" (to {count} address{'' if count == 1 else 'es'})"
    return text


def _review(details: Mapping[str, Any]) -> str:
    status = details.get("status")
    return f"status {status}" if status else ""


def register_event_describers() -> None:
    events_display.register(EventTag.EMAIL_UNVERIFY, _unverified)
    events_display.register(EventTag.CHECKUP_REVIEW, _review)
    for tag in (
        EventTag.CHECKUP_REMINDER,
        EventTag.CHECKUP_UNSUBSCRIBE,
        EventTag.CHECKUP_RESUBSCRIBE,
    ):
        events_display.register(tag, _reminder_kind)
