"""``/_/oidc/audience`` and ``/_/oidc/mint-token``: PyPI's trusted publishing API.

Sessionless JSON endpoints (declared in ``lifeline.index.simple.middleware``), so no cookie,
CSRF token or 2FA gate applies: the OIDC token is the only credential. Answers match PyPI's
shapes, which the PyPA publish action and ``uv publish`` read.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables

from lifeline.core import ratelimit
from lifeline.core.client import client_context, request_client
from lifeline.tokens.publishing import conf
from lifeline.tokens.publishing.mint import burn_minted_token, mint_token, record_refusal
from lifeline.tokens.publishing.oidc import OidcError

MAX_BODY = 32 * 1024


def _failure(code: str, description: str, status: int = 422) -> JsonResponse:
    return JsonResponse(
        {"message": "Token request failed", "errors": [{"code": code, "description": description}]},
        status=status,
    )


@never_cache
def audience(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"message": "Method not allowed"}, status=405)
    return JsonResponse({"audience": conf.audience()})


@csrf_exempt
@never_cache
@sensitive_variables("body", "payload", "minted")
def mint(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"message": "Method not allowed"}, status=405)
    client = request_client(request)
    key = client.ip or "unknown"
    verdict = ratelimit.check_all(
        "oidc-mint", [(key, spec.strip()) for spec in conf.mint_rate_limit().split(",")]
    )
    if not verdict.allowed:
        response = _failure(
            "rate-limited",
            "Too many token requests; try again in "
            f"{ratelimit.humanize_wait(verdict.retry_after)}.",
            status=429,
        )
        response["Retry-After"] = str(verdict.retry_after)
        return response
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    payload = None
    if length <= MAX_BODY:
        try:
            payload = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError):
            payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("token"), str):
        description = (
            "The request body is too large."
            if length > MAX_BODY
            else 'The body must be JSON: {"token": "<OIDC token>"}.'
        )
        with client_context(client):
            record_refusal("invalid-payload", description, ip=client.ip)
        return _failure("invalid-payload", description)
    with client_context(client):
        try:
            minted = mint_token(jwt_token=payload["token"], ip=client.ip)
        except OidcError as exc:
            return _failure(exc.code, exc.description)
    response = JsonResponse({"success": True, "token": minted.raw, "expires": minted.expires})
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt
@never_cache
@sensitive_variables("payload", "raw")
def burn(request: HttpRequest) -> JsonResponse:
    """``POST /_/oidc/burn-token`` ``{"token": "<minted token>"}``: uv revokes its minted token
    once the upload is done, so it can't be used for the rest of its 15 minutes.

    Holding a token is the authority to revoke it; only tokens minted by a trusted publisher
    are accepted here, and the answer is the same whether or not one was found.
    """
    if request.method != "POST":
        return JsonResponse({"message": "Method not allowed"}, status=405)
    client = request_client(request)
    if not ratelimit.check("oidc-burn", client.ip or "unknown", "60/m").allowed:
        return _failure("rate-limited", "Too many requests.", status=429)
    try:
        payload = json.loads(request.body[:MAX_BODY] or b"null")
    except (ValueError, UnicodeDecodeError):
        payload = None
    raw = payload.get("token") if isinstance(payload, dict) else None
    if not isinstance(raw, str):
        return _failure("invalid-payload", 'The body must be JSON: {"token": "<token>"}.')
    with client_context(client):
        burn_minted_token(raw_token=raw)
    return JsonResponse({"success": True})
