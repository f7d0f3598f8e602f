"""Request-aware glue for recovery views: the device cookie and the status token in the session.

Like Django's password reset, the status link's token is moved into the session and the
browser is redirected to a URL without it, so the token does not linger in the address bar,
in history or in a Referer header.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from lifeline.core.client import client_from_request
from lifeline.recovery import crypto
from lifeline.recovery.models import RecoveryRequest

STATUS_SESSION_KEY = "lifeline_recovery_status"


def client_ip(request: HttpRequest) -> str | None:
    info = getattr(request, "client", None) or client_from_request(request)
    return info.ip


def client_user_agent(request: HttpRequest) -> str:
    info = getattr(request, "client", None) or client_from_request(request)
    return info.user_agent


def device_key_from(request: HttpRequest) -> str | None:
    return crypto.unsign_device_key(request.COOKIES.get(settings.LIFELINE_DEVICE_COOKIE_NAME))


def set_device_cookie(response: HttpResponse, key: str) -> None:
    response.set_cookie(
        settings.LIFELINE_DEVICE_COOKIE_NAME,
        crypto.sign_device_key(key),
        max_age=settings.LIFELINE_DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def remember_status_token(request: HttpRequest, request_obj: RecoveryRequest, token: str) -> None:
    tokens = dict(request.session.get(STATUS_SESSION_KEY, {}))
    tokens[str(request_obj.public_id)] = token
    request.session[STATUS_SESSION_KEY] = tokens


def status_token_valid(request: HttpRequest, request_obj: RecoveryRequest) -> bool:
    token = request.session.get(STATUS_SESSION_KEY, {}).get(str(request_obj.public_id), "")
    verified = request_obj.contact_verified_at
    return bool(verified) and crypto.status_token_matches(
        token, str(request_obj.public_id), verified.isoformat()
    )


def no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    return response
