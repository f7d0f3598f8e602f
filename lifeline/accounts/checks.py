"""System checks of the accounts app (registered from ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from lifeline.accounts import conf


@register()
def breached_passwords_checked_in_production(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """ASVS 6.2.12: new passwords are checked against breached ones. The check is pluggable
    and off (``null``) by default, because development and tests have no internet; a
    production site should turn it on."""
    backend = settings.LIFELINE_BREACHED_PASSWORD_BACKEND
    if settings.PRODUCTION and backend == "null":
        return [
            Warning(
                "New passwords are not checked against breached passwords "
                "(LIFELINE_BREACHED_PASSWORD_BACKEND is 'null').",
                hint=(
                    "Set LIFELINE_BREACHED_PASSWORD_BACKEND=hibp (Have I Been Pwned's range "
                    "API: only 5 hex digits of a SHA-1 leave the server). See docs/deploy.md."
                ),
                id="lifeline.W002",
            )
        ]
    return []


@register()
def session_lifetimes_agree(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The inactivity timeout must be shorter than the absolute lifetime, and the session
    store must keep a session at least as long as the inactivity timeout (it forgets a
    session ``SESSION_COOKIE_AGE`` after its last write)."""
    idle, longest = conf.session_idle_timeout(), conf.session_max_age()
    problems = []
    if not 0 < idle <= longest:
        problems.append(
            f"LIFELINE_SESSION_IDLE_TIMEOUT ({idle} s) must be above 0 and at most "
            f"LIFELINE_SESSION_MAX_AGE ({longest} s)."
        )
    if idle > settings.SESSION_COOKIE_AGE:
        problems.append(
            f"SESSION_COOKIE_AGE ({settings.SESSION_COOKIE_AGE} s) is shorter than "
            f"LIFELINE_SESSION_IDLE_TIMEOUT ({idle} s): sessions would end before the "
            "documented timeout."
        )
    return [
        Warning(
            text,
            hint="See docs/security.md, 'Sessions': the defaults are 12 hours and 14 days.",
            id="lifeline.W003",
        )
        for text in problems
    ]
