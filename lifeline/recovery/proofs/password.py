"""The password proof (medium): the account's current password, for people who lost only
their second factor."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password

from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.proofs.common import (
    Method,
    Strength,
    limit,
    record_proof,
    require_proving,
)
from lifeline.recovery.proofs.password_history import password_origin

_DUMMY_PASSWORD_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_PASSWORD_HASH
    if _DUMMY_PASSWORD_HASH is None:
        _DUMMY_PASSWORD_HASH = make_password("lifeline-recovery-dummy-password")
    return _DUMMY_PASSWORD_HASH


def proof_password(*, request_obj: RecoveryRequest, password: str, ip: str | None) -> RecoveryProof:
    """Check the account's current password (medium), for people who lost only 2FA.

    Rate-limited per request and per IP. The hash check always runs (a dummy hash when
    the request matches no account) so timing says nothing.

    A matching password counts only if it was set before the request was filed, and one last
    set through an emailed reset link shares the boundary of the mailboxes the link went to
    (see ``lifeline.recovery.proofs.password_history``).
    """
    require_proving(request_obj)
    limit("password", [(str(request_obj.pk), "password"), (ip or "", "password_ip")])
    # The *current* password: read the row now, not a copy loaded with the request.
    user = type(request_obj.user).objects.get(pk=request_obj.user_id) if request_obj.user else None
    if user is not None and user.has_usable_password():
        matched = check_password(password or "", user.password)
    else:
        check_password(password or "", _dummy_hash())
        matched = False
    if not matched:
        return record_proof(
            request_obj=request_obj,
            method=Method.PASSWORD,
            ok=False,
            strength=Strength.MEDIUM,
            boundary="password",
            reason="The password did not match.",
        )
    origin = password_origin(user)
    details = {
        "password_set": origin.set_at.isoformat() if origin.set_at else "",
        "how": origin.tag,
    }
    if origin.set_at is not None and origin.set_at >= request_obj.created:
        return record_proof(
            request_obj=request_obj,
            method=Method.PASSWORD,
            ok=False,
            strength=Strength.MEDIUM,
            boundary=origin.boundary,
            reason=(
                f"The password matched, but it was set on {origin.set_at:%Y-%m-%d %H:%M} UTC, "
                "after this request was filed: a password set during a request proves nothing."
            ),
            details=details | {"error": "set_after_request"},
        )
    reason = "The current password matched."
    requester_reason = ""
    if origin.by_reset:
        reason += (
            " It was last set through a reset link sent to "
            f"{', '.join(origin.reset_domains) or 'an address of the account'}, so it counts "
            "together with proofs from that domain, not in addition to them."
        )
        requester_reason = (
            "The current password matched. It was last set through an emailed reset link, so "
            "it counts together with proofs from that mailbox's domain."
        )
    return record_proof(
        request_obj=request_obj,
        method=Method.PASSWORD,
        ok=True,
        strength=Strength.MEDIUM,
        boundary=origin.boundary,
        reason=reason,
        requester_reason=requester_reason,
        details=details,
    )
