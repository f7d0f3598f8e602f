"""Who may upload: the hook between ``/legacy/`` and the app that issues upload credentials.

The index does not know what an API token is: the tokens app sits above it (the layers in
pyproject.toml) and registers its authenticator from ``TokensConfig.ready``. The upload view
hands the Basic password to it and gets back a credential, ``None`` (unknown), or a
``CredentialRefused`` with a message only the secret's holder can trigger (revoked, expired).

A credential is whatever the authenticator returns, as long as it has the attributes of
``UploadCredential``: the upload service checks its project scope and records its public id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class UploadCredential(Protocol):
    user: Any
    public_id: str
    project_id: int | None
    project: Any


class CredentialRefused(Exception):
    """A known credential that can't be used; the message says why (shown to the client)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# (secret, ip) -> the credential (its use already recorded), or None for an unknown secret.
Authenticator = Callable[..., UploadCredential | None]

_authenticator: Authenticator | None = None


def register_upload_authenticator(authenticator: Authenticator) -> None:
    """Called once, from the credential-issuing app's ``AppConfig.ready``."""
    global _authenticator
    _authenticator = authenticator


def authenticate_upload(secret: str, *, ip: str | None) -> UploadCredential | None:
    """The credential for ``secret``; ``None`` when nobody knows it (or nothing is registered)."""
    if _authenticator is None:
        return None
    return _authenticator(secret, ip=ip)
