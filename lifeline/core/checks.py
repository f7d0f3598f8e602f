"""System checks of Lifeline's own.

Each app registers its own (e.g. ``lifeline/notifications/checks.py``, the outbox in
production); these are about the site as a whole. The errors below run before every
management command (migrate, runserver, db_worker, tick), so a production deployment that
lacks them refuses to start instead of emailing links to the wrong place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


@register()
def public_addresses_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every email link is built from LIFELINE_BASE_URL and every security notice names
    LIFELINE_SUPPORT_EMAIL. Development derives both (``lifeline serve`` from its port); in
    production a guess would send people to the wrong host, so both must be set."""
    if not settings.PRODUCTION:
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
