"""Machine endpoint for the API token proof: JSON in every answer, errors say what was wrong."""

from __future__ import annotations

import base64
import binascii
import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from lifeline.recovery import flows
from lifeline.recovery.services.evidence import evidence_for
from lifeline.recovery.services.proofs import ProofRefused, proof_api_token

_REFUSAL_STATUS = {
    "missing_challenge": 400,
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
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def _challenge(request: HttpRequest) -> str:
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return ""
        value = payload.get("challenge", "") if isinstance(payload, dict) else ""
        return value if isinstance(value, str) else ""
    return request.POST.get("challenge", "")


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
    evidence = evidence_for(request_obj)
    body = {
        "ok": proof.ok,
        "method": proof.method,
        "strength": proof.strength,
        "result": proof.result,
        "message": proof.reason,
        "request": request_obj.reference,
        "evidence": evidence.level.value,
    }
    if not proof.ok:
        body["error"] = "proof_failed"
    return JsonResponse(body, status=200 if proof.ok else 422)
