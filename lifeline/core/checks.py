"""System checks of Lifeline's own.

``lifeline check --deploy`` runs the deploy checks; the errors below run before every
management command (migrate, runserver, db_worker, tick), so a production deployment that
lacks them refuses to start instead of emailing links to the wrong place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

OUTBOX_BACKEND = "lifeline.notifications.outbox.OutboxBackend"


@register(deploy=True)
def outbox_not_in_production(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """The development outbox keeps whole emails (reset and restore links) in plain text and
    delivers nothing: a production deployment must send through SMTP."""
    mailer = settings.MAILERS.get("default", {}).get("BACKEND", "")
    if getattr(settings, "PRODUCTION", False) and mailer == OUTBOX_BACKEND:
        return [
            Warning(
                "Emails go to the development outbox: nothing is delivered, and messages "
                "(with password-reset and recovery links) are stored in plain text.",
                hint="Set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD). See docs/deploy.md.",
                id="lifeline.W001",
            )
        ]
    return []


@register()
def public_addresses_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every email link is built from LIFELINE_BASE_URL and every security notice names
    LIFELINE_SUPPORT_EMAIL. Development derives both (``lifeline serve`` from its port); in
    production a guess would send people to the wrong host, so both must be set."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[CheckMessage] = []
    base_url = settings.LIFELINE_BASE_URL
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        errors.append(
            Error(
                f"LIFELINE_BASE_URL must be the site's public address, e.g. "
                f"https://pypi.example.org (got {base_url!r}).",
                hint="Set LIFELINE_BASE_URL: every link in every email is built from it.",
                id="lifeline.E001",
            )
        )
    support = settings.LIFELINE_SUPPORT_EMAIL
    try:
        validate_email(support)
    except ValidationError:
        errors.append(
            Error(
                f"LIFELINE_SUPPORT_EMAIL must be an address people can write to (got {support!r}).",
                hint="Set LIFELINE_SUPPORT_EMAIL: security notices tell people to write to it.",
                id="lifeline.E002",
            )
        )
    return errors
