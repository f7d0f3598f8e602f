"""Who may see the desk: support or admin staff with 2FA. Everyone else gets a 404.

A 404, not a 403 or a login redirect: the desk's existence and its URLs are not advertised
to anyone who cannot use it. Staff without complete 2FA get the same 404 (while the site
requires 2FA, the 2FA gate middleware sends every signed-in user without 2FA to the 2FA
setup page first, for every page that is not exempt, so that reveals nothing either).

Decisions and account tools are POST-only and need sudo mode (allauth's reauthentication,
at most 10 minutes old): without it allauth asks for the password or second factor again
and then replays the POST.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from lifeline.accounts.mfa.status import has_2fa, session_passed_2fa
from lifeline.desk import roles

View = Callable[..., HttpResponse]


def can_use_desk(user: Any) -> bool:
    return bool(user and user.is_authenticated and roles.is_support(user) and has_2fa(user))


def desk_view(view: View) -> View:
    """Support or admin staff with 2FA; a 404 for anyone else."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_use_desk(request.user) or not session_passed_2fa(request):
            raise Http404("Page not found")
        response = view(request, *args, **kwargs)
        # Desk URLs never leave the site (same-origin keeps the Origin header CSRF checks).
        response["Referrer-Policy"] = "same-origin"
        return response

    return never_cache(wrapper)


def desk_admin_view(view: View) -> View:
    """Admins only (a 404 for support staff too)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not roles.is_admin(request.user):
            raise Http404("Page not found")
        return view(request, *args, **kwargs)

    return desk_view(wrapper)


def desk_action(view: View) -> View:
    """A POST-only desk action in sudo mode (the role and 2FA are checked first)."""
    sudo = reauthentication_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            raise Http404("Page not found")
        return sudo(request, *args, **kwargs)

    return desk_view(wrapper)


def desk_admin_action(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not roles.is_admin(request.user):
            raise Http404("Page not found")
        return view(request, *args, **kwargs)

    return desk_action(wrapper)
