"""Secrets of the recovery flow. No views, no models.

* Status and verification links carry 256-bit random tokens; only ``sha256`` digests with a
  domain prefix are stored, compared with ``hmac.compare_digest``.
* The owner's one-click cancel link is a ``django.core.signing`` signature over the request's
  public id (salted, time-limited): it needs no login and no stored secret, and it stops
  working on its own once the request is no longer cancellable.
* Emailed codes are HMAC-SHA256 under SECRET_KEY (a 6-8 digit code has too little entropy
  for a bare hash: the key stops an offline search of a stolen database).
* The device cookie's key is in ``lifeline.accounts.devices``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

_LINK_DOMAIN = b"lifeline-recovery-link:v1:"
CANCEL_SALT = "lifeline.recovery.owner-cancel"
CHALLENGE_PREFIX = "lifeline-recovery-"


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


def hash_link_token(raw: str) -> str:
    return hashlib.sha256(_LINK_DOMAIN + raw.encode()).hexdigest()


def link_token_matches(raw: str, stored_hash: str) -> bool:
    """Constant-time check of a raw link token against its stored digest."""
    if not raw or not stored_hash or len(raw) > 100:
        # Still compare, so a missing hash costs the same as a wrong token.
        hmac.compare_digest(hash_link_token("x"), hash_link_token("y"))
        return False
    return hmac.compare_digest(hash_link_token(raw), stored_hash)


def status_token(public_id: str, verified_at: str, *, secret: str | None = None) -> str:
    """The status-page token: an HMAC over the request and the moment its contact was verified.

    Nothing is stored: every email can carry the link, and it cannot be guessed without
    SECRET_KEY. ``SECRET_KEY_FALLBACKS`` keep old links working through a key rotation.
    """
    return salted_hmac(
        "lifeline.recovery.status", f"{public_id}:{verified_at}", secret=secret, algorithm="sha256"
    ).hexdigest()


def status_token_matches(raw: str, public_id: str, verified_at: str) -> bool:
    if not raw or len(raw) > 100 or not verified_at:
        return False
    secrets_to_try = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        hmac.compare_digest(status_token(public_id, verified_at, secret=secret), raw)
        for secret in secrets_to_try
    )


def new_challenge() -> str:
    return CHALLENGE_PREFIX + secrets.token_hex(16)


def sign_cancel(public_id: str) -> str:
    return signing.dumps(str(public_id), salt=CANCEL_SALT, compress=False)


def unsign_cancel(value: str, *, max_age_seconds: int) -> str | None:
    """The public id inside a cancel link, or None if tampered with or too old."""
    try:
        return signing.loads(value, salt=CANCEL_SALT, max_age=max_age_seconds)
    except signing.BadSignature:
        return None


def new_code(digits: int) -> str:
    digits = min(max(digits, 6), 8)
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def hash_code(code: str, *, challenge_id: int) -> str:
    return salted_hmac(
        "lifeline.recovery.email-code", f"{challenge_id}:{code.strip()}", algorithm="sha256"
    ).hexdigest()


def code_matches(code: str, stored_hash: str, *, challenge_id: int) -> bool:
    return hmac.compare_digest(hash_code(code, challenge_id=challenge_id), stored_hash)
