"""The emailed-code proof (medium): a code sent to one of the account's previously verified
addresses. Only the code's HMAC is kept (``EmailCodeChallenge.code_hash``)."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from lifeline.recovery import conf, crypto, notify
from lifeline.recovery.links import cancel_url
from lifeline.recovery.models import EmailCodeChallenge, RecoveryProof, RecoveryRequest
from lifeline.recovery.policy import domain_boundary
from lifeline.recovery.proofs.common import (
    Method,
    ProofRefused,
    Strength,
    limit,
    record_proof,
    require_proving,
)


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
    code = crypto.new_code(conf.get("LIFELINE_RECOVERY_EMAIL_CODE_DIGITS"))
    minutes = conf.get("LIFELINE_RECOVERY_EMAIL_CODE_MINUTES")
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
        notify.email_code(
            address=address,
            context={
                "request_obj": request_obj,
                "code": code,
                "minutes": minutes,
                "cancel_url": cancel_url(request_obj),
            },
        )
    return challenge


def proof_email_code_verify(*, request_obj: RecoveryRequest, code: str) -> RecoveryProof:
    """Check the emailed code (medium): 10 minutes by default, at most 5 tries per code."""
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
        if challenge.attempts >= conf.get("LIFELINE_RECOVERY_EMAIL_CODE_TRIES"):
            raise ProofRefused("too_many_tries", "Too many wrong codes. Ask for a new one.")
        challenge.attempts += 1
        cleaned = "".join(ch for ch in (code or "") if ch.isdigit())
        ok = crypto.code_matches(cleaned, challenge.code_hash, challenge_id=challenge.pk)
        if ok:
            challenge.used_at = timezone.now()
        challenge.save(update_fields=["attempts", "used_at"])
        left = conf.get("LIFELINE_RECOVERY_EMAIL_CODE_TRIES") - challenge.attempts
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
