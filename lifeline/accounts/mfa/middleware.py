"""The 2FA gate: while LIFELINE_REQUIRE_2FA is on, a signed-in user without complete 2FA
setup reaches only account and security settings, 2FA setup, log out and public pages.

It is an allow-list, so a new management page is gated the day it is written. "Complete"
means a second factor AND saved recovery codes confirmed (``status.has_2fa``). Paths in
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

from lifeline.accounts.decorators import REQUIRE_2FA_MESSAGE
from lifeline.accounts.mfa.status import has_2fa

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


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


class Require2FAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.LIFELINE_REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not is_exempt(request)
            and not has_2fa(user)
        ):
            messages.warning(request, REQUIRE_2FA_MESSAGE)
            return redirect("mfa_index")
        return self.get_response(request)
