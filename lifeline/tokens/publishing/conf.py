"""Trusted publishing settings, with their defaults (each can be set in lifeline/settings/)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def github_issuer() -> str:
    return str(
        getattr(
            settings, "LIFELINE_OIDC_GITHUB_ISSUER", "https://token.actions.githubusercontent.com"
        )
    ).rstrip("/")


def gitlab_issuer() -> str:
    return str(getattr(settings, "LIFELINE_OIDC_GITLAB_ISSUER", "https://gitlab.com")).rstrip("/")


def github_host() -> str:
    """The code host of GitHub publishers' repositories (a recovery proof's boundary)."""
    return str(getattr(settings, "LIFELINE_OIDC_GITHUB_HOST", "github.com")).lower()


def audience() -> str:
    """The ``aud`` a token must carry: set it, or it is the site's host (e.g. ``pypi.example``)."""
    configured = getattr(settings, "LIFELINE_OIDC_AUDIENCE", "")
    if configured:
        return str(configured)
    return urlsplit(settings.LIFELINE_BASE_URL).hostname or "lifeline"


def allow_insecure_issuers() -> bool:
    """Tests only: accept ``http://`` issuers, including loopback ones."""
    return bool(getattr(settings, "LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS", False))


def token_minutes() -> int:
    return int(getattr(settings, "LIFELINE_OIDC_TOKEN_MINUTES", 15))


def pending_days() -> int:
    return int(getattr(settings, "LIFELINE_OIDC_PENDING_DAYS", 30))


def jwks_cache_seconds() -> int:
    return int(getattr(settings, "LIFELINE_OIDC_JWKS_CACHE_SECONDS", 300))


def http_timeout() -> float:
    return float(getattr(settings, "LIFELINE_OIDC_HTTP_TIMEOUT", 5))


def mint_rate_limit() -> str:
    return str(getattr(settings, "LIFELINE_OIDC_MINT_RATE_LIMIT", "30/m,300/h"))


# Tolerated clock skew: a token's iat/nbf may be this far in the future (and exp this far past).
LEEWAY_SECONDS = 60
ALGORITHMS = ["RS256", "ES256"]
