"""Recovery contact and new-device events in words on the security history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lifeline.events import display as events_display
from lifeline.events.tags import EventTag


def _contact(details: Mapping[str, Any]) -> str:
    if details.get("role") == "contact":
        text = f"for {details.get('owner', '')}"
    else:
        text = str(details.get("contact") or details.get("username") or "")
    by = details.get("by")
    if by:
        text += " (by the owner)" if by == "owner" else " (by the contact)"
    return text


def _new_device(details: Mapping[str, Any]) -> str:
    text = str(details.get("browser", ""))
    if details.get("notified") is False:
        text += " (the account's first device: no email)"
    return text


def register_contact_describers() -> None:
    for tag in (
        EventTag.CONTACT_INVITE,
        EventTag.CONTACT_ACCEPT,
        EventTag.CONTACT_DECLINE,
        EventTag.CONTACT_REMOVE,
    ):
        events_display.register(tag, _contact)
    events_display.register(EventTag.DEVICE_NEW, _new_device)
