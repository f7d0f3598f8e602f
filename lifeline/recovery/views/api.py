"""Machine endpoint for the API token proof: JSON in every answer, errors say what was wrong.

What was wrong with the *request* (no challenge, bad JSON, wrong user name) is said plainly.
What was wrong with the *token* is not: every invalid token gets the same status, message and
JSON (``proofs.REJECTED_ANSWER``), so the endpoint is no oracle for whether a token exists,
whose it is or whether it was revoked. Staff see the exact reason on the case.
"""

from __future__ import annotations

import base64
import binascii
import json

from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from lifeline.recovery import flows
from lifeline.recovery.evidence import evidence_for_requester
from lifeline.recovery.proofs.api_token import proof_api_token
from lifeline.recovery.proofs.common import ProofRefused

_REFUSAL_STATUS = {
    "missing_challenge": 400,
    "bad_challenge": 400,
    "bad_request": 400,
    "missing_token": 401,
    "unknown_challenge": 404,
    "wrong_state": 409,
    "rate_limited": 429,
}


def _error(code: str, message: str, status: int, **extra: object) -> JsonResponse:
    response = JsonResponse(
        {"ok": False, "error": code, "message": message, **extra}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="Lifeline recovery", charset="UTF-8"'
    return response


def _basic_token(request: HttpRequest) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # not base64, not ASCII, or not UTF-8 inside
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


# Challenges are ASCII ("lifeline-recovery-" and hex); anything else is refused before any
# lookup, so hostile text (a lone surrogate, NUL, megabytes) never reaches the database.
_MAX_CHALLENGE = 100


def _challenge(request: HttpRequest) -> str:
    """The challenge from a JSON or form body; ProofRefused("bad_request"…) when unreadable."""
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise ProofRefused(
                "bad_request", 'The body is not valid JSON; send {"challenge": "…"}.'
            ) from None
        if not isinstance(payload, dict):
            raise ProofRefused("bad_request", 'Send a JSON object: {"challenge": "…"}.')
        value = payload.get("challenge", "")
    else:
        try:
            value = request.POST.get("challenge", "")
        except MultiPartParserError:
            raise ProofRefused("bad_request", "The form body could not be read.") from None
    if not isinstance(value, str):
        raise ProofRefused("bad_challenge", "The challenge must be a string.")
    value = value.strip()
    if len(value) > _MAX_CHALLENGE or not all(" " < ch < "\x7f" for ch in value):
        raise ProofRefused(
            "bad_challenge", "That is not a challenge: copy it from your status page."
        )
    return value


@csrf_exempt
@never_cache
def token_proof(request: HttpRequest) -> JsonResponse:
    """POST a request's challenge with HTTP Basic ``__token__`` and an API token."""
    if request.method != "POST":
        response = _error("method_not_allowed", "POST the challenge to this URL.", 405)
        response["Allow"] = "POST"
        return response
    credentials = _basic_token(request)
    if credentials is None:
        return _error(
            "missing_token", "Send your API token with HTTP Basic auth, user name __token__.", 401
        )
    username, raw_token = credentials
    if username != "__token__":
        return _error("bad_username", "The HTTP Basic user name must be __token__.", 401)
    try:
        request_obj, proof = proof_api_token(
            challenge=_challenge(request), raw_token=raw_token, ip=flows.client_ip(request)
        )
    except ProofRefused as refused:
        response = _error(refused.code, refused.message, _REFUSAL_STATUS.get(refused.code, 400))
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        return response
    evidence = evidence_for_requester(request_obj)
    body = {
        "ok": proof.ok,
        "method": proof.method,
        "strength": proof.strength,
        "result": proof.result,
        "message": proof.shown_reason,
        "request": request_obj.reference,
        "evidence": evidence.level.value,
    }
    if not proof.ok:
        body["error"] = "proof_failed"
    return JsonResponse(body, status=200 if proof.ok else 422)
