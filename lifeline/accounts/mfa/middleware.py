"""The 2FA gate, in two steps, for every signed-in request.

1. **This session used its second factor.** A user who has an authenticator app or a
   security key must have used it in *this* session (allauth records each authentication
   method in the session). A session signed in with only the password, for example one
   that predates 2FA being turned on, reaches nothing but the second-factor
   re-authentication page, log out and the public pages until it passes that step.
   Turning 2FA on also ends every other session (``lifeline.accounts.sessions``); this
   step is the rule that holds even for a session that was missed.
2. **2FA is set up.** While LIFELINE_REQUIRE_2FA is on, a signed-in user without complete
   2FA setup reaches only account and security settings, 2FA setup, log out and public
   pages. "Complete" means a second factor AND saved recovery codes confirmed
   (``status.has_2fa``).

It is an allow-list, so a new management page is gated the day it is written. Paths in
LIFELINE_2FA_BLOCKED_PREFIXES (API tokens) are gated even inside an allowed prefix, and
public pages (LIFELINE_2FA_READ_ONLY_PREFIXES, the home page) are allowed for GET/HEAD
only, so nothing can be changed through them. Uploads under /legacy/ authenticate with a
token and do their own 2FA check.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from lifeline.accounts.mfa.gate import REQUIRE_2FA_MESSAGE, second_factor_step_redirect
from lifeline.accounts.mfa.status import has_2fa, session_needs_second_factor

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
ACCOUNT_PREFIX = "/account/"
# Where a session that has not used its second factor may still go (besides public pages).
SECOND_FACTOR_STEP_URLS = ("mfa_reauthenticate", "mfa_reauthenticate_webauthn", "account_logout")


def is_exempt(request: HttpRequest) -> bool:
    path = request.path_info
    if any(path.startswith(p) for p in settings.LIFELINE_2FA_BLOCKED_PREFIXES):
        return False
    if any(path.startswith(p) for p in settings.LIFELINE_2FA_EXEMPT_PREFIXES):
        return True
    if request.method in SAFE_METHODS:
        return path == "/" or any(
            path.startswith(p) for p in settings.LIFELINE_2FA_READ_ONLY_PREFIXES
        )
    return False


def is_second_factor_step_exempt(request: HttpRequest) -> bool:
    """Reachable by a session that has not used its second factor: the step itself, log
    out, and what is reachable signed out anyway (public pages, the simple API, files)."""
    path = request.path_info
    if path in {reverse(name) for name in SECOND_FACTOR_STEP_URLS}:
        return True
    if path.startswith(ACCOUNT_PREFIX):
        return False
    return is_exempt(request)


class Require2FAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if not is_second_factor_step_exempt(request) and session_needs_second_factor(request):
            return second_factor_step_redirect(request)
        if settings.LIFELINE_REQUIRE_2FA and not is_exempt(request) and not has_2fa(user):
            messages.warning(request, REQUIRE_2FA_MESSAGE)
            return redirect("mfa_index")
        return self.get_response(request)
