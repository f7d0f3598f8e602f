"""System checks of the notifications app (registered from ``NotificationsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

from lifeline.notifications.outbox import OutboxBackend

OUTBOX_BACKEND = f"{OutboxBackend.__module__}.{OutboxBackend.__qualname__}"


@register(deploy=True)
def outbox_not_in_production(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """The development outbox keeps whole emails (reset and restore links) in plain text and
    delivers nothing: a production deployment must send through SMTP."""
    mailer = settings.MAILERS.get("default", {}).get("BACKEND", "")
    if settings.PRODUCTION and mailer == OUTBOX_BACKEND:
        return [
            Warning(
                "Emails go to the development outbox: nothing is delivered, and messages "
                "(with password-reset and recovery links) are stored in plain text.",
                hint="Set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD). See docs/deploy.md.",
                id="lifeline.W001",
            )
        ]
    return []
