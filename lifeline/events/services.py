"""The one way to write a security event."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lifeline.core.client import current_client
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag

# Keys that must never be written into an event's details.
_FORBIDDEN_DETAIL_KEYS = {"password", "token", "code", "secret", "key", "recovery_code"}


def record_event(
    *,
    tag: EventTag,
    user: Any | None,
    actor: Any | None = None,
    project: str = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> SecurityEvent:
    """Record a security event about ``user`` done by ``actor``.

    Call it inside the transaction that makes the change, so the event and the change
    commit or roll back together. IP and user agent default to the current request's
    (see ``lifeline.core.client``). Details are JSON; secrets are refused outright.
    """
    tag = EventTag(tag)  # an unknown tag is a programming error: fail loudly
    details = dict(details or {})
    leaked = _FORBIDDEN_DETAIL_KEYS & {k.lower() for k in details}
    if leaked:
        raise ValueError(f"Refusing to log secret-looking detail keys: {sorted(leaked)}")
    client = current_client()
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # AnonymousUser
    with transaction.atomic():
        return SecurityEvent.objects.create(
            tag=tag,
            user=user if user is not None and getattr(user, "pk", None) else None,
            actor=actor,
            project=project,
            details=details,
            ip=ip if ip is not None else client.ip,
            user_agent=(user_agent if user_agent is not None else client.user_agent)[:400],
        )
