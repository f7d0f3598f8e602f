"""The API-token proof (strong): the requester presents a token of the account, with the
request's challenge, to the JSON endpoint (``lifeline.recovery.views.api``)."""

from __future__ import annotations

from typing import Any

from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.proofs.common import (
    Method,
    ProofRefused,
    Strength,
    record_proof,
    request_for_challenge,
)

# The one answer for every invalid token (malformed, unknown, revoked, expired, another
# account's, created after the request).
REJECTED_ANSWER = (
    "This token was not accepted for this request. Use an API token of this account that "
    "was created before the request was filed and is still valid."
)


def proof_api_token(
    *, challenge: str, raw_token: str, ip: str | None
) -> tuple[RecoveryRequest, RecoveryProof]:
    """Check a token presented with the request's challenge (strong).

    Valid when the token authenticates (well-formed, hash matches, not revoked, not expired),
    belongs to the account, and was created before the request was filed, so a token minted
    by someone who has since got into the account proves nothing.

    Not an oracle: every invalid token gets the same answer (``REJECTED_ANSWER``), so the
    endpoint cannot be used to learn whether a token exists, whose it is, or whether it was
    revoked. The exact reason is kept on the proof for staff.
    """
    from lifeline.tokens import crypto as token_crypto
    from lifeline.tokens.services import token_lookup

    request_obj = request_for_challenge(challenge, ip=ip)
    if not raw_token:
        raise ProofRefused(
            "missing_token", "Send your API token with HTTP Basic auth, user name __token__."
        )
    token = token_lookup(raw_token)
    details: dict[str, Any] = {}
    if token is None:
        malformed = token_crypto.parse(raw_token) is None
        failure = "malformed" if malformed else "unknown"
        reason = (
            "The token is malformed."
            if malformed
            else ("No token matches (unknown public id or wrong secret).")
        )
    elif request_obj.user_id is None or token.user_id != request_obj.user_id:
        # Staff learn that it was someone else's token, not whose.
        failure, reason = "other_account", "The token belongs to another account."
    else:
        details = {"token_name": token.name, "public_id": token.public_id}
        if token.revoked_at is not None:
            failure, reason = "revoked", "The token was revoked."
        elif not token.is_active or not token.user.is_active:
            failure, reason = "expired", "The token has expired (or its account is inactive)."
        elif token.created >= request_obj.created:
            failure = "created_after_request"
            reason = "The token was created after the request was filed."
        else:
            failure = ""
            reason = "A valid API token of this account, created before the request."
    ok = not failure
    if failure:
        details["failure"] = failure
    proof = record_proof(
        request_obj=request_obj,
        method=Method.API_TOKEN,
        ok=ok,
        strength=Strength.STRONG,
        boundary="api_token",
        reason=reason,
        requester_reason="" if ok else REJECTED_ANSWER,
        details=details,
    )
    return request_obj, proof
