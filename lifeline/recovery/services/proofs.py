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
    details: dict[str, Any] | None = None,
    notify: bool = True,
) -> RecoveryProof:
    """Write one proof attempt, its account event and (optionally) the result email."""
    with transaction.atomic():
        proof = RecoveryProof.objects.create(
            request=request_obj,
            method=method,
            result=RecoveryProof.Result.OK if ok else RecoveryProof.Result.FAILED,
            strength=strength,
            boundary=boundary or method,
            reason=reason[:300],
            details=details or {},
        )
        record_event(
            tag=EventTag.RECOVERY_PROOF,
            user=request_obj.user,
            details={
                "request": request_obj.reference,
                "method": method,
                "result": proof.result,
                "strength": strength,
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
    return proof


# --- a. API token possession ---------------------------------------------------------------


def proof_api_token(
    *, challenge: str, raw_token: str, ip: str | None
) -> tuple[RecoveryRequest, RecoveryProof]:
    """Check a token presented with the request's challenge (strong).

    Valid when the token authenticates (well-formed, hash matches, not revoked, not expired),
    belongs to the account, and was created before the request was filed, so a token minted
    by someone who has since got into the account proves nothing.
    """
    from lifeline.tokens.services import token_authenticate

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
    token = token_authenticate(raw_token)
    details: dict[str, Any] = {}
    if token is None:
        ok, reason = False, "The token is unknown, revoked or expired."
    else:
        details = {"token_name": token.name, "public_id": token.public_id}
        if request_obj.user_id is None or token.user_id != request_obj.user_id:
            ok, reason = False, "The token does not belong to this account."
            details = {}  # say nothing about another account's token
        elif token.created >= request_obj.created:
            ok, reason = False, "The token was created after the request was filed."
        else:
            ok, reason = True, "A valid API token of this account, created before the request."
    proof = record_proof(
        request_obj=request_obj,
        method=Method.API_TOKEN,
        ok=ok,
        strength=Strength.STRONG,
        boundary="api_token",
        reason=reason,
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
    """
    require_proving(request_obj)
    limit("password", [(str(request_obj.pk), "password"), (ip or "", "password_ip")])
    user = request_obj.user
    if user is not None and user.has_usable_password():
        ok = check_password(password or "", user.password)
    else:
        check_password(password or "", _dummy_hash())
        ok = False
    return record_proof(
        request_obj=request_obj,
        method=Method.PASSWORD,
        ok=ok,
        strength=Strength.MEDIUM,
        boundary="password",
        reason="The current password matched." if ok else "The password did not match.",
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
            boundary=f"email:{challenge.email}",
            reason=(
                f"The code sent to {mask_email(challenge.email)} matched."
                if ok
                else f"Wrong code ({left} tr{'y' if left == 1 else 'ies'} left)."
            ),
            details={"address": mask_email(challenge.email)},
            notify=ok,
        )
