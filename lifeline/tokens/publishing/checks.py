"""System checks: trusted publishing settings that would weaken token verification.

Accepting http:// (or private-address) issuers is for the test suite's local issuer only:
anywhere else a network attacker could serve their own keys. Errors with
``LIFELINE_PRODUCTION`` on, warnings in development.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from lifeline.tokens.publishing import conf


def _problems() -> list[tuple[str, str]]:
    found = []
    if conf.allow_insecure_issuers():
        found.append(
            (
                "E001",
                "LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS is on: OIDC keys may be "
                "fetched over plain http or from private addresses.",
            )
        )
    for name, issuer in (("GITHUB", conf.github_issuer()), ("GITLAB", conf.gitlab_issuer())):
        if urlsplit(issuer).scheme != "https" and not conf.allow_insecure_issuers():
            found.append(("E002", f"LIFELINE_OIDC_{name}_ISSUER must be an https URL."))
    if not 1 <= conf.token_minutes() <= 60:
        found.append(("E003", "LIFELINE_OIDC_TOKEN_MINUTES must be between 1 and 60."))
    return found


@register("security")
def check_publishing_settings(**kwargs: Any) -> list[CheckMessage]:
    kind = Error if settings.PRODUCTION else Warning
    return [
        kind(message, hint="See docs/publishing.md.", id=f"lifeline.publishing.{code}")
        for code, message in _problems()
    ]
