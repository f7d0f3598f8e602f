"""The API token format and its hash. No Django views or models here.

Raw format: ``llpi-<public_id>.<secret>``

* ``llpi-`` is a fixed prefix so secret scanners (GitHub push protection, trufflehog) can
  match leaked tokens with the regex ``llpi-[0-9a-f]{16}\\.[A-Za-z0-9_-]{43}``.
* ``public_id`` is 16 hex characters (64 random bits). It is stored in clear and only used to
  find the row; knowing it grants nothing.
* ``secret`` is 32 random bytes, URL-safe base64 (256 bits).

Only ``sha256("lifeline-api-token:v1:" + raw)`` is stored. A fast hash is right here: the
secret carries 256 bits of entropy, so a stolen database cannot be brute-forced, and a slow
hash would only cost CPU on every upload. Hashes are compared with ``hmac.compare_digest``;
a lookup that finds no row still compares against a dummy hash, so the timing of a failed
attempt does not reveal whether a public id exists.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "llpi-"
PUBLIC_ID_BYTES = 8
SECRET_BYTES = 32
TOKEN_RE = re.compile(r"^llpi-(?P<public_id>[0-9a-f]{16})\.(?P<secret>[A-Za-z0-9_-]{43})$")
_HASH_DOMAIN = b"lifeline-api-token:v1:"
DUMMY_HASH = hashlib.sha256(b"lifeline-api-token:dummy").hexdigest()


@dataclass(frozen=True)
class ParsedToken:
    public_id: str
    raw: str


def generate() -> tuple[str, str]:
    """A new ``(public_id, raw_token)``."""
    public_id = secrets.token_hex(PUBLIC_ID_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return public_id, f"{PREFIX}{public_id}.{secret}"


def parse(raw: str) -> ParsedToken | None:
    """The public id of a well-formed token, or None. Never raises on any input."""
    if not isinstance(raw, str) or len(raw) > 100:
        return None
    match = TOKEN_RE.match(raw.strip())
    if match is None:
        return None
    return ParsedToken(public_id=match["public_id"], raw=raw.strip())


def hash_token(raw: str) -> str:
    return hashlib.sha256(_HASH_DOMAIN + raw.encode()).hexdigest()


def matches(raw: str, stored_hash: str) -> bool:
    """Constant-time comparison of a raw token against a stored hash."""
    return hmac.compare_digest(hash_token(raw), stored_hash)
