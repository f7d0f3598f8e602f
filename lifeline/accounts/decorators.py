"""View decorators for pages that need two-factor authentication."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from lifeline.accounts.mfa.status import has_2fa, session_needs_second_factor

REQUIRE_2FA_MESSAGE = (
    "Two-factor authentication is required to publish and to manage projects and API "
    "tokens. Set it up below; it takes about two minutes."
)
USE_2FA_MESSAGE = (
    "This session was signed in without your second factor. Confirm it's you with your "
    "authenticator app, security key or a recovery code to continue."
)


def second_factor_step_redirect(request: HttpRequest) -> HttpResponse:
    """Send a session that has not used its second factor to do so, then come back."""
    messages.warning(request, USE_2FA_MESSAGE)
    url = reverse("mfa_reauthenticate")
    if request.method in {"GET", "HEAD"}:
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


def require_2fa(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, with a session that used its second factor if the user has one, and with
    2FA set up when LIFELINE_REQUIRE_2FA is on; else redirect to the missing step."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if session_needs_second_factor(request):
            return second_factor_step_redirect(request)
        if settings.LIFELINE_REQUIRE_2FA and not has_2fa(request.user):
            messages.warning(request, REQUIRE_2FA_MESSAGE)
            return redirect("mfa_index")
        return view(request, *args, **kwargs)

    return wrapped
