"""What every proof shares: refusals, rate limits, the state check, and recording an attempt.

Each attempt becomes one ``RecoveryProof`` row (method, result, strength, boundary, time,
non-secret details) and one account event, in the same transaction. Secrets that are checked
(a token, a password, a code) are never stored or logged. Each proof has its own module in
this package, named for what it checks.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lifeline.core import ratelimit
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery import conf
from lifeline.recovery.evidence import HIDDEN_FROM_REQUESTER
from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.notify import proof_result
from lifeline.recovery.policy import Method, Strength
from lifeline.recovery.states import PROVING_STATES, State

__all__ = ["Method", "ProofRefused", "Strength", "limit", "record_proof", "require_proving"]


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


def limit(scope: str, rules: list[tuple[str, str]]) -> None:
    """Raise ProofRefused when any (key, limit-name) rule is exhausted."""
    verdict = ratelimit.check_all(
        f"recovery:{scope}", [(key, conf.rate_limit(name)) for key, name in rules if key]
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


def request_for_challenge(challenge: str, *, ip: str | None) -> RecoveryRequest:
    """The request a proof sent to a JSON endpoint is for (by its public challenge), rate
    limited per IP and per request, still taking proofs; else :class:`ProofRefused`."""
    limit("token", [(ip or "", "token_ip")])
    challenge = (challenge or "").strip()
    if not challenge:
        raise ProofRefused("missing_challenge", "Send the challenge shown on your status page.")
    request_obj = RecoveryRequest.objects.select_related("user").filter(challenge=challenge).first()
    if request_obj is None:
        raise ProofRefused("unknown_challenge", "No open recovery request has this challenge.")
    limit("token", [(str(request_obj.pk), "token_request")])
    require_proving(request_obj)
    return request_obj


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
    # A vouch's result is never emailed to the requester (evidence.HIDDEN_FROM_REQUESTER).
    shown = proof.method not in HIDDEN_FROM_REQUESTER
    if notify and shown and request_obj.contact_verified_at is not None:
        proof_result(request_obj, proof)
