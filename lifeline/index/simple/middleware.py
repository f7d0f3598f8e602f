"""A short path through the middleware stack for the machine APIs.

``/simple/`` pages, ``/files/`` and the JSON API (``/pypi/<name>/json``) are read by pip, uv
and other tools: anonymous, no cookies, no forms, no templates. Sessions, authentication,
CSRF, messages, allauth and the 2FA gate have nothing to do for them, yet cost about half of
each request. Skipping them also keeps ``Vary: Cookie`` (added whenever the session is
read, e.g. to find the user) off these public, cacheable responses: a shared cache must be
able to serve one copy of an immutable file to everyone. This middleware sits right after the ops
middleware (request id, access log, metrics, database-down 503), so those still see every
request, and answers GET/HEAD on the simple routes itself.

It keeps what matters for security: the host is validated against ALLOWED_HOSTS (an invalid
host falls through to the normal stack, which answers 400), plain-HTTP requests fall through
when SECURE_SSL_REDIRECT is on, and the response gets the same protective headers as the rest
of the site (nosniff, Referrer-Policy, X-Frame-Options, HSTS, and a CSP that allows nothing,
since the simple HTML loads no resources). Views on this path never raise ``Http404``: they
return their own small 404, as the site's error page needs the full stack.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

FAST_ROUTES = {
    "simple_index",
    "simple_project",
    "file_download",
    "pypi_json_project",
    "pypi_json_release",
    # Trusted publishing's token exchange (lifeline/tokens/publishing/api.py): JSON, no session.
    "oidc_audience",
    "oidc_mint_token",
    "oidc_burn_token",
    # Bounce and complaint webhook (lifeline/checkup/webhook.py): JSON, HMAC-signed, no session.
    "email_events_webhook",
}
PREFIXES = ("/simple/", "/files/", "/pypi/", "/_/oidc/", "/_/email/")
# Paths on the short path for every method (their views check the method themselves).
ANY_METHOD_PREFIXES = ("/_/oidc/", "/_/email/")
CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


class SimpleApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PREFIXES) or (
            request.method not in ("GET", "HEAD")
            and not request.path_info.startswith(ANY_METHOD_PREFIXES)
        ):
            return self.get_response(request)
        try:
            request.get_host()
        except DisallowedHost:
            return self.get_response(request)
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.url_name not in FAST_ROUTES:
            return self.get_response(request)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault(
            "Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin"
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CSP)
        if settings.SECURE_HSTS_SECONDS and request.is_secure():
            hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                hsts += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                hsts += "; preload"
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
