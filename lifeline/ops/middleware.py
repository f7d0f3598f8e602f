"""Request ids and access logs, and a clean 503 when the database is away."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from lifeline.ops import metrics
from lifeline.ops.logs import redact_text, request_id_var, request_var

access_logger = logging.getLogger("lifeline.access")
logger = logging.getLogger("lifeline.ops")

DATABASE_ERRORS = (OperationalError, InterfaceError)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")
_HEALTH_PREFIX = "/_health/"


def request_id_for(request: HttpRequest) -> str:
    """The id of this request: the proxy's ``X-Request-ID`` if the proxy is trusted.

    A client talking to us directly could otherwise choose its own id and make its requests
    look like someone else's in the logs, so without LIFELINE_TRUSTED_PROXY_COUNT we
    always generate one.
    """
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if settings.ALLAUTH_TRUSTED_PROXY_COUNT and _VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Give each request an id (in the logs and the ``X-Request-ID`` header), log it, count it.

    Health checks are answered here, before host validation and the SSL redirect, so a
    load balancer probing by IP over plain HTTP gets an answer (they reveal nothing).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        request_token = request_var.set(request)
        started = time.monotonic()
        try:
            if request.path_info.startswith(_HEALTH_PREFIX):
                response = self._health(request)
            else:
                response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._log(request, response, time.monotonic() - started)
            return response
        finally:
            request_var.reset(request_token)
            request_id_var.reset(token)

    def _health(self, request: HttpRequest) -> HttpResponse:
        from lifeline.ops import health

        name = request.path_info[len(_HEALTH_PREFIX) :].strip("/")
        view = {"live": health.live, "ready": health.ready}.get(name)
        if view is None:
            return JsonResponse({"status": "not found"}, status=404)
        return view(request)

    def _log(self, request: HttpRequest, response: HttpResponse, seconds: float) -> None:
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        metrics.observe_request(request.method or "", response.status_code, view)
        if request.path_info.startswith(_HEALTH_PREFIX) or request.path_info == "/metrics":
            return
        # Only a user already loaded: looking one up now could hit a database that is away.
        user = getattr(request, "_cached_user", None)
        path = redact_text(request.path)
        level = logging.WARNING if response.status_code >= 500 else logging.INFO
        access_logger.log(
            level,
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "view": view,
                "client_ip": getattr(getattr(request, "client", None), "ip", None),
                "user_id": getattr(user, "pk", None),
            },
        )


def service_unavailable(request: HttpRequest, part: str = "database") -> HttpResponse:
    """A 503 that needs nothing (no database, no templates) to render."""
    accept = request.META.get("HTTP_ACCEPT", "")
    if "json" in accept or not accept or "text/html" not in accept:
        response: HttpResponse = JsonResponse(
            {"status": "unavailable", "failing": [part], "detail": f"The {part} is unavailable."},
            status=503,
        )
    else:
        response = HttpResponse(
            "<!doctype html><html lang=en><meta charset=utf-8>"
            "<title>Temporarily unavailable</title>"
            "<h1>Temporarily unavailable</h1>"
            "<p>Lifeline cannot reach its database right now. Nothing you did caused this; "
            "please try again in a minute.</p></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


_UNAVAILABLE_HINTS = (
    "connect",
    "server closed",
    "terminating",
    "timeout",
    "timed out",
    "database is locked",
    "unable to open database",
    "the database system is",
    "too many clients",
    "could not translate host",
    "no route to host",
    "ssl",
)


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` means "the database is away" (503), not a bug such as a missing table
    (which SQLite also reports as OperationalError, and which must stay a loud 500)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    message = str(exc).lower()
    return any(hint in message for hint in _UNAVAILABLE_HINTS)


def _note_database_error(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        request._lifeline_database_error = True  # type: ignore[attr-defined]


got_request_exception.connect(_note_database_error, dispatch_uid="lifeline.ops.database_error")


class DatabaseUnavailableMiddleware:
    """Turn "the database is away" into a clean 503 instead of a 500 and a stack trace.

    Django converts an exception raised in any inner middleware into a 500 response before
    it reaches us, so besides catching what propagates we note database errors as Django
    reports them (``got_request_exception``) and replace that 500. Nothing else is
    needed to recover: with CONN_HEALTH_CHECKS, the next request opens a fresh connection.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS as exc:
            if not is_database_unavailable(exc):
                raise
            logger.warning("database unavailable: %s", type(exc).__name__)
            return service_unavailable(request)
        if response.status_code == 500 and getattr(request, "_lifeline_database_error", False):
            return service_unavailable(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if is_database_unavailable(exception):
            logger.warning("database unavailable: %s", type(exception).__name__)
            return service_unavailable(request)
        return None
