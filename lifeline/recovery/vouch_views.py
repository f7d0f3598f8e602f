"""The contact's side of a vouch: one page per request, answered in sudo mode with 2FA."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lifeline.accounts.mfa.status import has_2fa, session_passed_2fa
from lifeline.core.banners import Banner
from lifeline.recovery.vouch import (
    CONFIRM_TEXT,
    REFUSE_TEXT,
    VouchError,
    open_vouches_for,
    vouch_answer,
    vouch_for,
)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@reauthentication_required
def vouch(request: HttpRequest, proof_id: int) -> HttpResponse:
    """A vouch needs a contact who set up 2FA and used it in this session (whatever
    LIFELINE_REQUIRE_2FA says), in sudo mode: a phished password alone can't vouch."""
    if not (has_2fa(request.user) and session_passed_2fa(request)):
        return render(request, "recovery/vouch_needs_2fa.html", status=403)
    try:
        ask = vouch_for(contact=request.user, proof_id=proof_id)
    except VouchError:
        raise Http404("No such request to vouch.") from None
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("confirmed", "could_not_confirm"):
            messages.error(request, "Choose one of the two answers.")
        else:
            try:
                vouch_answer(
                    contact=request.user, proof_id=proof_id, confirmed=answer == "confirmed"
                )
            except VouchError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, f"Thank you. Your answer about {ask.owner_name} was recorded."
                )
                return redirect("recovery_contacts")
    return render(
        request,
        "recovery/vouch.html",
        {"ask": ask, "confirm_text": CONFIRM_TEXT, "refuse_text": REFUSE_TEXT},
    )


def vouch_banners(request: HttpRequest) -> list[Banner]:
    """A contact is asked to vouch: say so on every page (their dashboard included)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [
        Banner(
            message=(
                f"Someone asked to recover {ask.owner_name}'s account, and you are their "
                "recovery contact. Check with them before you answer."
            ),
            level="warning",
            url=reverse("recovery_vouch", args=[ask.proof.pk]),
            action="Answer",
        )
        for ask in open_vouches_for(user)
    ]
