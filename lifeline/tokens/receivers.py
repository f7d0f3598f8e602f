"""How API tokens plug into the index (which sits below tokens and never imports them).

* ``authenticate_for_upload`` is the index's upload authenticator
  (``lifeline.index.upload.credentials``): ``/legacy/`` hands it the Basic password.
* ``record_trusted_publisher`` receives ``lifeline.index.signals.file_uploaded``: a file
  uploaded with a token minted by a trusted publisher remembers which CI run sent it.

Both are connected from ``TokensConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from lifeline.index.upload.credentials import CredentialRefused
from lifeline.tokens.models import ApiToken
from lifeline.tokens.publishing.uploads import record_trusted_upload
from lifeline.tokens.services import token_authenticate, token_lookup, token_record_use


def authenticate_for_upload(secret: str, *, ip: str | None) -> ApiToken | None:
    """The active token for ``secret``, its use recorded; ``None`` for an unknown secret.

    A secret whose hash matches a revoked or expired token gets a precise refusal: only the
    token's holder can trigger it, so it tells nobody else anything.
    """
    token = token_authenticate(secret)
    if token is None:
        known = token_lookup(secret)
        if known is not None and known.revoked_at is not None:
            raise CredentialRefused("Invalid API token: this token has been revoked.")
        if known is not None and known.is_expired:
            raise CredentialRefused("Invalid API token: this token has expired.")
        return None
    token_record_use(token=token, ip=ip)
    return token


def record_trusted_publisher(*, file: Any, credential: Any, **kwargs: Any) -> None:
    """In the upload's transaction: a publisher-minted token records its CI run."""
    if getattr(credential, "publisher_id", None):
        record_trusted_upload(file=file, token=credential)


def connect() -> None:
    from lifeline.index.signals import file_uploaded
    from lifeline.index.upload.credentials import register_upload_authenticator

    register_upload_authenticator(authenticate_for_upload)
    file_uploaded.connect(record_trusted_publisher, dispatch_uid="tokens.trusted_publisher")
