"""System checks: a bounce-webhook secret strong enough to sign with, and a known backend."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register

from lifeline.checkup import conf, rdap

MIN_SECRET_LENGTH = 32


@register()
def reachability_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from django.conf import settings

    production = settings.PRODUCTION  # (the environment variable is LIFELINE_PRODUCTION)
    kind = Error if production else Warning
    found: list[CheckMessage] = []
    secret = conf.webhook_secret()
    if secret and len(secret) < MIN_SECRET_LENGTH:
        found.append(
            kind(
                "LIFELINE_BOUNCE_WEBHOOK_SECRET is too short to sign with: anyone who guesses "
                "it can unverify any address.",
                hint=f"Use at least {MIN_SECRET_LENGTH} random characters "
                '(python -c "import secrets; print(secrets.token_urlsafe(32))").',
                id="lifeline.checkup.E001" if production else "lifeline.checkup.W001",
            )
        )
    try:
        rdap.get_backend()
    except ImportError:
        found.append(
            Error(
                f"LIFELINE_DOMAIN_STATUS_BACKEND {conf.domain_backend()!r} is not a backend.",
                hint='Use "null", "rdap", or the dotted path of a DomainStatusBackend class.',
                id="lifeline.checkup.E002",
            )
        )
    return found
