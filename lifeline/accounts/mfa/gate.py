"""The two-factor gate's answers, shared by ``require_2fa`` (accounts/decorators.py) and the
site-wide ``Require2FAMiddleware``: the messages and the redirect to the missing step."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

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
