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


def register_event_describers() -> None:
    events_display.register(EventTag.EMAIL_UNVERIFY, _unverified)
