"""Who is on the other end of the current request: IP and user agent.

Services never take a request (ARCHITECTURE.md), but the security log wants to know the IP
and browser behind each change. The middleware puts them in a context variable for the
duration of the request; ``record_event`` and email templates read them from here.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from allauth.core.internal.httpkit import get_client_ip
from django.http import HttpRequest

USER_AGENT_MAX_LENGTH = 400


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None = None
    user_agent: str = ""


_current: contextvars.ContextVar[ClientInfo] = contextvars.ContextVar(
    "lifeline_client",
    default=ClientInfo(),  # noqa: B039 - frozen dataclass, immutable
)


def client_from_request(request: HttpRequest) -> ClientInfo:
    """The client's IP (honouring LIFELINE_TRUSTED_PROXY_COUNT) and user agent."""
    try:
        ip = get_client_ip(request)
    except Exception:  # a malformed X-Forwarded-For must not break the request
        ip = None
    agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH]
    return ClientInfo(ip=ip, user_agent=agent)


def request_client(request: HttpRequest) -> ClientInfo:
    """The request's client, as set by ClientContextMiddleware (computed if it did not run,
    e.g. on the simple API's short path)."""
    return getattr(request, "client", None) or client_from_request(request)


def current_client() -> ClientInfo:
    return _current.get()


@contextmanager
def client_context(info: ClientInfo) -> Iterator[None]:
    token = _current.set(info)
    try:
        yield
    finally:
        _current.reset(token)


def describe_browser(user_agent: str) -> str:
    """A short human description of a user agent, e.g. "Firefox on Linux"."""
    ua = user_agent or ""
    browser = "Unknown browser"
    for needle, name in (
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Chrome (headless)"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("pip/", "pip"),
        ("twine/", "twine"),
        ("uv/", "uv"),
        ("python-requests/", "Python requests"),
    ):
        if needle in ua:
            browser = name
            break
    system = ""
    for needle, name in (
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ):
        if needle in ua:
            system = name
            break
    return f"{browser} on {system}" if system else browser
