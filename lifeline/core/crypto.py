"""Encryption of secrets at rest, with rotatable keys.

Secrets that must be read back (TOTP secrets, the recovery-code seed, queued email bodies)
are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under ``LIFELINE_ENCRYPTION_KEYS``.
A MultiFernet encrypts with the first key and decrypts with any of them, so rotation is:

1. generate a key (``lifeline genkey``), put it first in ``LIFELINE_ENCRYPTION_KEYS``;
2. restart; new ciphertexts use the new key, old ones still decrypt;
3. optionally run ``lifeline rotate_secrets`` to re-encrypt everything under the new key;
4. drop the old key.

Ciphertexts carry a ``fernet:`` prefix so a plaintext value is never mistaken for one.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


class DecryptionError(Exception):
    """The ciphertext was tampered with or was made with a key we no longer hold."""


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise DecryptionError("No encryption keys are configured.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.LIFELINE_ENCRYPTION_KEYS))


def generate_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(plaintext: str) -> str:
    return PREFIX + _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    if not ciphertext.startswith(PREFIX):
        raise DecryptionError("Value is not a Lifeline ciphertext.")
    try:
        return _fernet().decrypt(ciphertext[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("Ciphertext could not be decrypted with any configured key.") from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first (newest) key."""
    if not ciphertext.startswith(PREFIX):
        raise DecryptionError("Value is not a Lifeline ciphertext.")
    try:
        token = _fernet().rotate(ciphertext[len(PREFIX) :].encode())
    except InvalidToken as exc:
        raise DecryptionError("Ciphertext could not be decrypted with any configured key.") from exc
    return PREFIX + token.decode()
