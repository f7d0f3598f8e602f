"""2FA pages Lifeline adds to allauth's: confirm saved codes, print them, and guarded removal.

Pages that show recovery codes are ``never_cache`` and send ``Referrer-Policy:
no-referrer``; showing them needs sudo mode (allauth's ``view_recovery_codes`` flow).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.mfa import app_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.recovery_codes import views as rc_views
from allauth.mfa.recovery_codes.internal import flows as rc_flows
from allauth.mfa.webauthn import views as webauthn_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from lifeline.accounts.mfa.forms import ConfirmRecoveryCodesForm
from lifeline.accounts.mfa.status import mfa_status
from lifeline.accounts.sessions import end_other_sessions_keep_this


def no_referrer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages that carry secrets must not leak their URL (or anything) via Referer."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    wrapped.__name__ = getattr(view, "__name__", "view")
    wrapped.__doc__ = view.__doc__
    return wrapped


view_recovery_codes = never_cache(no_referrer(rc_views.view_recovery_codes))
download_recovery_codes = never_cache(no_referrer(rc_views.download_recovery_codes))


@never_cache
@no_referrer
@login_required
@reauthentication_required(app="allauth.mfa")
def print_recovery_codes(request: HttpRequest) -> HttpResponse:
    """A print-friendly sheet of the unused codes (needs sudo mode, like viewing them)."""
    wrapper, can_view = rc_flows.view_recovery_codes(request)
    if wrapper is None:
        raise Http404
    if not can_view:
        raise PermissionDenied
    return render(
        request,
        "mfa/recovery_codes/print.html",
        {
            "unused_codes": wrapper.get_unused_codes(),
            "total_count": app_settings.RECOVERY_CODE_COUNT,
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def confirm_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Type back one saved code. The codes are deliberately not shown on this page."""
    status = mfa_status(request.user)
    if not status.has_recovery_codes:
        messages.info(request, "Add an authenticator app or security key first.")
        return redirect("mfa_index")
    if request.method == "POST":
        form = ConfirmRecoveryCodesForm(request.POST, user=request.user)
        if form.is_valid():
            form.save()
            if not status.complete:
                # 2FA is set up from now on: sessions that never used it end here.
                end_other_sessions_keep_this(request, request.user, reason="2fa_setup_complete")
            messages.success(
                request,
                "Thank you: your recovery codes are saved and two-factor authentication is set up.",
            )
            return redirect("account_security")
    else:
        form = ConfirmRecoveryCodesForm(user=request.user)
    return render(
        request,
        "mfa/recovery_codes/confirm.html",
        {"form": form, "status": status},
    )


class RemoveWebAuthnView(webauthn_views.RemoveWebAuthnView):
    """allauth's removal, plus the rule that the last second factor stays while required."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            authenticator = self.get_queryset().filter(pk=kwargs.get("pk")).first()
            if authenticator is not None and not get_adapter().can_delete_authenticator(
                authenticator
            ):
                messages.error(request, get_adapter().error_messages["cannot_delete_authenticator"])
                return HttpResponseRedirect(reverse("mfa_list_webauthn"))
        return super().dispatch(request, *args, **kwargs)


remove_webauthn = RemoveWebAuthnView.as_view()
