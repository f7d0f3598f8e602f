"""Request-aware glue for recovery views: the device cookie and the status token in the session.

Like Django's password reset, the status link's token is moved into the session and the
browser is redirected to a URL without it, so the token does not linger in the address bar,
in history or in a Referer header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt

from lifeline.accounts.devices import sign_device_key, unsign_device_key
from lifeline.core.client import request_client
from lifeline.recovery import conf, crypto
from lifeline.recovery.models import RecoveryRequest

STATUS_SESSION_KEY = "lifeline_recovery_status"


def client_ip(request: HttpRequest) -> str | None:
    return request_client(request).ip


def client_user_agent(request: HttpRequest) -> str:
    return request_client(request).user_agent


def device_key_from(request: HttpRequest) -> str | None:
    return unsign_device_key(request.COOKIES.get(conf.get("LIFELINE_DEVICE_COOKIE_NAME")))


def set_device_cookie(response: HttpResponse, key: str) -> None:
    response.set_cookie(
        conf.get("LIFELINE_DEVICE_COOKIE_NAME"),
        sign_device_key(key),
        max_age=conf.get("LIFELINE_DEVICE_COOKIE_DAYS") * 86400,
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


class _NoReferrerCsrfMiddleware(CsrfViewMiddleware):
    """CSRF protection for pages served with ``Referrer-Policy: no-referrer``.

    Under that policy browsers send a same-origin form POST with ``Origin: null`` and no
    Referer header (Fetch spec, "serializing a request origin"), which Django's origin and
    (on HTTPS) referer checks reject. For exactly those requests this skips the two
    header checks; the CSRF token check (cookie + form field) still runs, and the session
    cookie is SameSite=Lax. Requests that do carry an Origin or Referer are checked as usual.
    """

    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null" and not request.META.get("HTTP_REFERER"):
            return True
        return super()._origin_verified(request)

    def _check_referer(self, request: HttpRequest) -> None:
        if not request.META.get("HTTP_REFERER"):
            return
        super()._check_referer(request)


def no_referrer_csrf_protect(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Use instead of the global CSRF check on views whose pages use no-referrer."""
    return csrf_exempt(decorator_from_middleware(_NoReferrerCsrfMiddleware)(view))
