"""Verify an OIDC identity token (a JWT) from a CI system. No views, no database writes.

Security reasoning:

- **Keys come only from the issuer's own origin.** The issuer is one we know (GitHub's or
  GitLab's from settings, or one an owner registered); its discovery document is fetched
  from ``<issuer>/.well-known/openid-configuration``, must name the same issuer, and its
  ``jwks_uri`` must be on the issuer's origin. Nothing inside the token (``jku``, ``x5u``,
  embedded ``jwk``) is ever used to find a key.
- **Only asymmetric algorithms.** RS256 and ES256 are accepted; ``none`` and HS* never, so a
  token "signed" with the public key as an HMAC secret is refused.
- **Rotation without a flood.** Keys are cached briefly in the shared cache; an unknown
  ``kid`` refetches once, at most a few times a minute per issuer, so garbage ``kid`` values
  cannot make us hammer the issuer.
- **https only.** Plain-http and loopback/private-address issuers are refused unless
  ``LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS`` is on (tests), so an owner-registered issuer
  can't be used to probe the internal network.
- Standard claims: ``iss``, ``aud``, ``exp``, ``iat`` and ``jti`` are required; ``iat``/``nbf``
  may be at most ``LEEWAY_SECONDS`` in the future.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
from django.core.cache import cache

from lifeline.core import ratelimit
from lifeline.tokens.publishing import conf

MAX_DOCUMENT_BYTES = 256 * 1024
MAX_TOKEN_LENGTH = 16 * 1024


@dataclass
class OidcError(Exception):
    """A refusal: ``code`` as PyPI names it, ``description`` safe to show the client."""

    code: str
    description: str

    def __str__(self) -> str:
        return f"{self.code}: {self.description}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def check_issuer_url(issuer: str) -> None:
    """Refuse an issuer URL we must not fetch from (raises OidcError)."""
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise OidcError("invalid-issuer", "The issuer must be an https URL with a host name.")
    if conf.allow_insecure_issuers():
        return
    if parts.scheme != "https" or parts.username or parts.password:
        raise OidcError("invalid-issuer", "The issuer must be an https URL.")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return  # unresolvable now: the fetch will fail on its own
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise OidcError("invalid-issuer", "The issuer's host is not a public address.")


def _fetch_json(url: str) -> dict[str, Any]:
    check_issuer_url(url)
    # check_issuer_url allowed only http(s) (https outside tests).
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=conf.http_timeout()) as response:  # noqa: S310
            body = response.read(MAX_DOCUMENT_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise OidcError("issuer-unavailable", f"Could not reach the issuer ({exc}).") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise OidcError("issuer-unavailable", "The issuer's document is too large.")
    try:
        data = json.loads(body)
    except ValueError:
        raise OidcError("issuer-unavailable", "The issuer's document is not JSON.") from None
    if not isinstance(data, dict):
        raise OidcError("issuer-unavailable", "The issuer's document is not a JSON object.")
    return data


def _load_jwks(issuer: str) -> dict[str, dict[str, Any]]:
    """The issuer's signing keys by ``kid``, fetched through its discovery document."""
    config = _fetch_json(f"{issuer}/.well-known/openid-configuration")
    if str(config.get("issuer", "")).rstrip("/") != issuer:
        raise OidcError(
            "issuer-unavailable", "The issuer's discovery document names another issuer."
        )
    jwks_uri = str(config.get("jwks_uri", ""))
    if _origin(jwks_uri) != _origin(issuer):
        raise OidcError(
            "issuer-unavailable", "The issuer's jwks_uri is not on the issuer's origin."
        )
    keys = _fetch_json(jwks_uri).get("keys")
    if not isinstance(keys, list):
        raise OidcError("issuer-unavailable", "The issuer's key set has no keys.")
    return {str(k["kid"]): k for k in keys if isinstance(k, dict) and k.get("kid")}


def _cache_key(issuer: str) -> str:
    return f"oidc:jwks:{issuer}"


def signing_key(issuer: str, kid: str) -> dict[str, Any]:
    """The JWK ``kid`` of ``issuer``: from the cache, or refetched once if unknown (rotation)."""
    keys = cache.get(_cache_key(issuer))
    if keys is None or kid not in keys:
        if keys is not None and not ratelimit.check("oidc-jwks-refetch", issuer, "3/m").allowed:
            raise OidcError("invalid-token", "The token's signing key is unknown to the issuer.")
        keys = _load_jwks(issuer)
        cache.set(_cache_key(issuer), keys, conf.jwks_cache_seconds())
    if kid not in keys:
        raise OidcError("invalid-token", "The token's signing key is unknown to the issuer.")
    return keys[kid]


def unverified_issuer(token: str) -> str:
    """The ``iss`` the token claims, to choose which issuer to verify it against."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise OidcError("invalid-payload", "The token is missing or too long.")
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise OidcError("invalid-token", "The token is not a well-formed JWT.") from None
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise OidcError("invalid-token", "The token has no issuer (iss).")
    return issuer.rstrip("/")


def verify(token: str, *, issuer: str, audience: str) -> dict[str, Any]:
    """The token's verified claims; raises OidcError saying what was wrong."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise OidcError("invalid-token", "The token is not a well-formed JWT.") from None
    algorithm = header.get("alg")
    if algorithm not in conf.ALGORITHMS:
        raise OidcError(
            "invalid-token", f"The token's algorithm must be one of {', '.join(conf.ALGORITHMS)}."
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise OidcError("invalid-token", "The token has no key id (kid).")
    jwk = signing_key(issuer, kid)
    if jwk.get("alg") not in (None, algorithm):
        raise OidcError("invalid-token", "The token's algorithm does not match its key.")
    try:
        key = jwt.PyJWK(jwk, algorithm=algorithm)
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[algorithm],
            audience=audience,
            issuer=[issuer, f"{issuer}/"],
            leeway=conf.LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "jti"], "strict_aud": False},
        )
    except jwt.ExpiredSignatureError:
        raise OidcError("invalid-token", "The token has expired (exp).") from None
    except jwt.ImmatureSignatureError:
        raise OidcError("invalid-token", "The token is not valid yet (iat or nbf).") from None
    except jwt.InvalidAudienceError:
        raise OidcError(
            "invalid-token", f"The token's audience (aud) is not {audience!r}."
        ) from None
    except jwt.InvalidIssuerError:
        raise OidcError("invalid-token", "The token's issuer (iss) is wrong.") from None
    except jwt.MissingRequiredClaimError as exc:
        raise OidcError("invalid-token", f"The token lacks the {exc.claim!r} claim.") from None
    except jwt.InvalidSignatureError:
        raise OidcError("invalid-token", "The token's signature is not valid.") from None
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise OidcError(
            "invalid-token", f"The token is not valid ({type(exc).__name__})."
        ) from None
    return claims
