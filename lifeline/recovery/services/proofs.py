"""Proofs a requester completes: API token, device, password, emailed code, knowledge.

Each attempt becomes one ``RecoveryProof`` row (method, result, strength, boundary, time,
non-secret details) and one account event, in the same transaction. Secrets that are checked
(a token, a password, a code) are never stored or logged. The repository challenge lives in
``lifeline.recovery.services.repository``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from lifeline.core import ratelimit
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email
from lifeline.recovery import crypto
from lifeline.recovery.models import Device, EmailCodeChallenge, RecoveryProof, RecoveryRequest
from lifeline.recovery.policy import domain_boundary
from lifeline.recovery.services.links import status_url
from lifeline.recovery.states import PROVING_STATES, State

Method = RecoveryProof.Method
Strength = RecoveryProof.Strength

_DUMMY_PASSWORD_HASH: str | None = None


class ProofRefused(Exception):
    """The attempt was not even made (wrong state, rate limited, bad input).

    ``code`` is machine-readable (for the JSON endpoint), ``message`` is for people and
    ``retry_after`` is set when rate-limited.
    """

    def __init__(self, code: str, message: str, *, retry_after: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class ProofOutcome:
    proof: RecoveryProof

    @property
    def ok(self) -> bool:
        return self.proof.ok


def limit(scope: str, rules: list[tuple[str, str]]) -> None:
    """Raise ProofRefused when any (key, limit-name) rule is exhausted."""
    specs = settings.LIFELINE_RECOVERY_RATE_LIMITS
    verdict = ratelimit.check_all(
        f"recovery:{scope}", [(key, specs[name]) for key, name in rules if key]
    )
    if not verdict.allowed:
        raise ProofRefused(
            "rate_limited",
            f"Too many attempts. Try again in {ratelimit.humanize_wait(verdict.retry_after)}.",
            retry_after=verdict.retry_after,
        )


def require_proving(request_obj: RecoveryRequest) -> None:
    if request_obj.state not in PROVING_STATES:
        raise ProofRefused(
            "wrong_state",
            f"This request is {State(request_obj.state).label.lower()}; "
            "proofs can only be added while it is in review.",
        )


def record_proof(
    *,
    request_obj: RecoveryRequest,
    method: str,
    ok: bool,
    strength: str,
    boundary: str = "",
    reason: str = "",
    requester_reason: str = "",
    details: dict[str, Any] | None = None,
    notify: bool = True,
) -> RecoveryProof:
    """Write one proof attempt, its account event and (optionally) the result email.

    ``reason`` is for staff (the case page); ``requester_reason``, when given, is what the
    requester sees instead (status page, email, JSON), for proofs whose exact failure would
    tell an attacker something (see ``proof_api_token``).
    """
    with transaction.atomic():
        proof = RecoveryProof.objects.create(
            request=request_obj,
            method=method,
            result=RecoveryProof.Result.OK if ok else RecoveryProof.Result.FAILED,
            strength=strength,
            boundary=boundary or method,
            reason=reason[:300],
            requester_reason=requester_reason[:300],
            details=details or {},
        )
        _announce(request_obj, proof, notify=notify)
    return proof


def complete_proof(
    *, proof_id: int, ok: bool, reason: str, details: dict[str, Any] | None = None
) -> RecoveryProof | None:
    """Record the outcome of a pending proof (a check that ran in the background): the row
    goes from pending to ok or failed, with its account event and result email. None when
    the row is no longer pending (another run finished it first)."""
    with transaction.atomic():
        proof = (
            RecoveryProof.objects.select_for_update()
            .filter(pk=proof_id, result=RecoveryProof.Result.PENDING)
            .first()
        )
        if proof is None:
            return None
        proof.result = RecoveryProof.Result.OK if ok else RecoveryProof.Result.FAILED
        proof.reason = reason[:300]
        proof.details = (proof.details or {}) | (details or {})
        proof.save(update_fields=["result", "reason", "details"])
        request_obj = RecoveryRequest.objects.select_related("user").get(pk=proof.request_id)
        _announce(request_obj, proof, notify=True)
    return proof


def _announce(request_obj: RecoveryRequest, proof: RecoveryProof, *, notify: bool) -> None:
    record_event(
        tag=EventTag.RECOVERY_PROOF,
        user=request_obj.user,
        details={
            "request": request_obj.reference,
            "method": proof.method,
            "result": proof.result,
            "strength": proof.strength,
        },
    )
    if notify and request_obj.contact_verified_at is not None:
        send_email(
            template="recovery_proof_result",
            to=[request_obj.contact_email],
            include_unverified=True,
            context={
                "request_obj": request_obj,
                "proof": proof,
                "status_url": status_url(request_obj),
            },
        )


# --- a. API token possession ---------------------------------------------------------------

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

    limit("token", [(ip or "", "token_ip")])
    challenge = (challenge or "").strip()
    if not challenge:
        raise ProofRefused("missing_challenge", "Send the challenge shown on your status page.")
    request_obj = RecoveryRequest.objects.select_related("user").filter(challenge=challenge).first()
    if request_obj is None:
        raise ProofRefused("unknown_challenge", "No open recovery request has this challenge.")
    limit("token", [(str(request_obj.pk), "token_request")])
    require_proving(request_obj)
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


# --- c. Verified device -------------------------------------------------------------------


def proof_device(*, request_obj: RecoveryRequest, device_key: str) -> RecoveryProof | None:
    """Record the device proof when this browser completed a login to the account before the
    request was filed (medium). Silent otherwise: no failure row for a browser we don't know.
    """
    if request_obj.user_id is None or not device_key:
        return None
    if request_obj.state not in (State.SUBMITTED, *PROVING_STATES):
        return None
    device = Device.objects.filter(
        user_id=request_obj.user_id,
        key_hash=crypto.hash_device_key(device_key),
        first_seen__lt=request_obj.created,
    ).first()
    if device is None:
        return None
    if RecoveryProof.objects.filter(
        request=request_obj, method=Method.DEVICE, result=RecoveryProof.Result.OK
    ).exists():
        return None
    return record_proof(
        request_obj=request_obj,
        method=Method.DEVICE,
        ok=True,
        strength=Strength.MEDIUM,
        boundary="device",
        reason="Opened from a browser that signed in to this account before.",
        details={
            "device": device.pk,
            "browser": device.browser,
            "first_seen": device.first_seen.isoformat(),
        },
        notify=False,
    )


# --- d. Current password -----------------------------------------------------------------


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
    (see ``lifeline.recovery.services.password_history``).
    """
    from lifeline.recovery.services.password_history import password_origin

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


# --- e. Code to a previously verified address ---------------------------------------------


def mask_email(address: str) -> str:
    """``a…@g…l.com``: enough for the owner to recognise, too little to learn the address.

    Anyone who knows a username can see these, so the domain is masked too (a personal or
    employer domain would say a lot); only the top-level domain stays.
    """
    local, _, domain = address.partition("@")
    shown = local[:1] + "…" if len(local) > 1 else local
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    masked_name = name[:1] + "…" + name[-1:] if len(name) > 2 else "…"
    return f"{shown}@{masked_name}{dot}{tld}"


def code_addresses(request_obj: RecoveryRequest) -> list[str]:
    """The account's verified addresses (where a code may be sent)."""
    if request_obj.user_id is None:
        return []
    return list(
        EmailAddress.objects.filter(user_id=request_obj.user_id, verified=True)
        .order_by("-primary", "email")
        .values_list("email", flat=True)
    )


def proof_email_code_send(*, request_obj: RecoveryRequest, index: int) -> EmailCodeChallenge:
    """Email a fresh code to the account's ``index``-th verified address (valid 15 min)."""
    require_proving(request_obj)
    addresses = code_addresses(request_obj)
    if not 0 <= index < len(addresses):
        raise ProofRefused("bad_address", "Choose one of the listed addresses.")
    limit("email_code_send", [(str(request_obj.pk), "email_code_send")])
    address = addresses[index]
    code = crypto.new_code(settings.LIFELINE_RECOVERY_EMAIL_CODE_DIGITS)
    minutes = settings.LIFELINE_RECOVERY_EMAIL_CODE_MINUTES
    with transaction.atomic():
        EmailCodeChallenge.objects.filter(request=request_obj, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        challenge = EmailCodeChallenge.objects.create(
            request=request_obj,
            email=address,
            code_hash="",
            expires_at=timezone.now() + timedelta(minutes=minutes),
        )
        challenge.code_hash = crypto.hash_code(code, challenge_id=challenge.pk)
        challenge.save(update_fields=["code_hash"])
        send_email(
            template="recovery_email_code",
            to=[address],
            context={
                "request_obj": request_obj,
                "code": code,
                "minutes": minutes,
                "cancel_url": _cancel_url(request_obj),
            },
        )
    return challenge


def _cancel_url(request_obj: RecoveryRequest) -> str:
    from lifeline.recovery.services.links import cancel_url

    return cancel_url(request_obj)


def proof_email_code_verify(*, request_obj: RecoveryRequest, code: str) -> RecoveryProof:
    """Check the emailed code (medium): 15 minutes, at most 5 tries per code."""
    require_proving(request_obj)
    with transaction.atomic():
        challenge = (
            EmailCodeChallenge.objects.select_for_update()
            .filter(request=request_obj, used_at__isnull=True)
            .first()
        )
        if challenge is None:
            raise ProofRefused("no_code", "Ask for a code first.")
        if challenge.expires_at <= timezone.now():
            raise ProofRefused("code_expired", "This code has expired. Ask for a new one.")
        if challenge.attempts >= settings.LIFELINE_RECOVERY_EMAIL_CODE_TRIES:
            raise ProofRefused("too_many_tries", "Too many wrong codes. Ask for a new one.")
        challenge.attempts += 1
        cleaned = "".join(ch for ch in (code or "") if ch.isdigit())
        ok = crypto.code_matches(cleaned, challenge.code_hash, challenge_id=challenge.pk)
        if ok:
            challenge.used_at = timezone.now()
        challenge.save(update_fields=["attempts", "used_at"])
        left = settings.LIFELINE_RECOVERY_EMAIL_CODE_TRIES - challenge.attempts
        return record_proof(
            request_obj=request_obj,
            method=Method.EMAIL_CODE,
            ok=ok,
            strength=Strength.MEDIUM,
            boundary=domain_boundary(challenge.email),
            reason=(
                f"The code sent to {mask_email(challenge.email)} matched."
                if ok
                else f"Wrong code ({left} tr{'y' if left == 1 else 'ies'} left)."
            ),
            details={"address": mask_email(challenge.email)},
            notify=ok,
        )
