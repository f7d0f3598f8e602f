"""Session lifetimes enforced on the server: an inactivity timeout and an absolute lifetime.

ASVS 5.0 7.3.1 and 7.3.2. Django's own expiry (``SESSION_COOKIE_AGE`` after the last write)
is neither: every write (sudo mode, a message, a form) moves it forward, so an active or
regularly poked session never ended. Here the session itself carries two timestamps:

- ``SIGNED_IN_AT``: set when the user signs in (Django's ``user_logged_in``), never moved
  afterwards. Sudo mode, password changes and session writes leave it alone. A session older
  than ``LIFELINE_SESSION_MAX_AGE`` (default 14 days) ends.
- ``SEEN_AT``: the last request, written at most once every ``ACTIVITY_WRITE_EVERY`` seconds
  (5 minutes) so reading pages does not write the session on every request. A session idle
  for longer than ``LIFELINE_SESSION_IDLE_TIMEOUT`` (default 12 hours) ends. The write
  granularity makes the timeout up to 5 minutes longer, never shorter.

An ended session is logged out (the row is deleted, the key is dead) and the request goes to
the sign-in page with a calm message saying why. Defaults and their reasons are in
``lifeline/accounts/conf.py``; docs/security.md ("Sessions") documents them.

Sessions from before this module existed carry no stamps: the sign-in time is taken from
allauth's authentication records when there are any (else the first request seen now), and
the idle clock starts at the first request seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from lifeline.accounts import conf
from lifeline.core.humanize import humanize_duration

SIGNED_IN_AT = "lifeline_signed_in_at"
SEEN_AT = "lifeline_seen_at"
# allauth's record of the authentications done in this session (each with "at", a timestamp).
ALLAUTH_RECORDS = "account_authentication_methods"
ACTIVITY_WRITE_EVERY = 5 * 60

IDLE = "idle"
MAX_AGE = "max_age"


def _now() -> float:
    return timezone.now().timestamp()


@receiver(user_logged_in, dispatch_uid="lifeline.accounts.session_limits.signed_in")
def stamp_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A sign-in starts both clocks (Django has cycled the key just before)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(_now())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def _signed_in_at(session: SessionBase, now: float) -> float:
    records = session.get(ALLAUTH_RECORDS) or []
    times = [
        r["at"] for r in records if isinstance(r, dict) and isinstance(r.get("at"), int | float)
    ]
    return min(times) if times else now


def limit_reached(session: SessionBase, *, now: float) -> str | None:
    """``IDLE`` or ``MAX_AGE`` when the signed-in ``session`` is over, else ``None``.

    Records the activity (at most once every ``ACTIVITY_WRITE_EVERY`` seconds) and stamps a
    session that has no sign-in time yet.
    """
    signed_in = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in, int | float):
        signed_in = int(_signed_in_at(session, now))
        session[SIGNED_IN_AT] = signed_in
    if now - signed_in > conf.session_max_age():
        return MAX_AGE
    seen = session.get(SEEN_AT)
    if isinstance(seen, int | float) and now - seen > conf.session_idle_timeout():
        return IDLE
    if not isinstance(seen, int | float) or now - seen >= ACTIVITY_WRITE_EVERY:
        session[SEEN_AT] = int(now)
    return None


def signed_out_message(reason: str) -> str:
    if reason == IDLE:
        idle = humanize_duration(conf.session_idle_timeout())
        return f"You were signed out after {idle} of inactivity. Sign in again to carry on."
    longest = humanize_duration(conf.session_max_age())
    return (
        f"You were signed out because a session lasts at most {longest} after signing in. "
        "Sign in again to carry on."
    )


class SessionLimitsMiddleware:
    """Ends a signed-in session that was idle too long or is too old (after
    ``AuthenticationMiddleware`` and ``MessageMiddleware``, before anything that records
    the session's activity)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = limit_reached(request.session, now=_now())
            if reason:
                return self._sign_out(request, reason)
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)
        messages.info(request, signed_out_message(reason))
        url = reverse("account_login")
        if request.method in ("GET", "HEAD"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)
