"""``POST /recovery/proofs/workflow/``: a CI workflow's OIDC token vouches for a request.

JSON in, JSON out, like the token proof (``views/api.py``); the body is
``{"challenge": "<the case's challenge>", "token": "<OIDC token>"}``. See
``lifeline.recovery.proofs.workflow`` for what is checked.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables

from lifeline.recovery import flows
from lifeline.recovery.evidence import evidence_for_requester
from lifeline.recovery.proofs.common import ProofRefused
from lifeline.recovery.proofs.workflow import proof_workflow
from lifeline.recovery.views.api import _REFUSAL_STATUS, _error

MAX_BODY = 32 * 1024
MAX_CHALLENGE = 100


@csrf_exempt
@never_cache
@sensitive_variables("payload")
def workflow_proof(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = _error("method_not_allowed", "POST the challenge and token to this URL.", 405)
        response["Allow"] = "POST"
        return response
    try:
        payload = json.loads(request.body[:MAX_BODY] or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        payload = None
    if not isinstance(payload, dict):
        return _error("bad_request", 'Send JSON: {"challenge": "…", "token": "…"}.', 400)
    challenge = payload.get("challenge", "")
    if (
        not isinstance(challenge, str)
        or len(challenge) > MAX_CHALLENGE
        or not all(" " < ch < "\x7f" for ch in challenge.strip())
    ):
        return _error(
            "bad_challenge", "That is not a challenge: copy it from your status page.", 400
        )
    try:
        request_obj, proof = proof_workflow(
            challenge=challenge, jwt_token=payload.get("token"), ip=flows.client_ip(request)
        )
    except ProofRefused as refused:
        response = _error(refused.code, refused.message, _REFUSAL_STATUS.get(refused.code, 400))
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        return response
    body = {
        "ok": proof.ok,
        "method": "workflow",
        "strength": proof.strength,
        "result": proof.result,
        "message": proof.shown_reason,
        "request": request_obj.reference,
        "evidence": evidence_for_requester(request_obj).level.value,
    }
    if not proof.ok:
        body["error"] = "proof_failed"
    return JsonResponse(body, status=200 if proof.ok else 422)
