"""The bounce webhook's signature: HMAC-SHA256 over ``timestamp + "." + body``.

The timestamp is signed with the body, so a captured request cannot be replayed with a
new timestamp; the replay window bounds how long a captured request stays valid, and
event ids (models.EmailEventReceipt) stop a replay inside it. Compares are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (``sha256=<hex>``)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


def signature_valid(*, secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    if not secret or not signature:
        return False
    given = signature.strip()
    if not given.startswith(PREFIX):
        given = PREFIX + given
    expected = sign(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))
