"""View decorators for pages that need two-factor authentication."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from lifeline.accounts.mfa.gate import REQUIRE_2FA_MESSAGE, second_factor_step_redirect
from lifeline.accounts.mfa.status import has_2fa, session_needs_second_factor


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
