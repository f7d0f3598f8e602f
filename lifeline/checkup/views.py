"""Checkup actions: "I've reviewed this", revoke a stale token, reminder (un)subscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.accounts.decorators import require_2fa
from lifeline.checkup.reminder_models import ReminderKind
from lifeline.checkup.reminders import (
    read_unsubscribe_token,
    reminder_resubscribe,
    reminder_unsubscribe,
)
from lifeline.checkup.review import checkup_review
from lifeline.tokens.models import ApiToken
from lifeline.tokens.services import token_revoke


@require_POST
@login_required
def review(request: HttpRequest) -> HttpResponse:
    checkup_review(user=request.user)
    messages.success(request, "Thanks: your review is recorded. We'll ask again in 6 months.")
    return redirect(reverse("account_security") + "#checkup")


@require_POST
@require_2fa
def revoke_token(request: HttpRequest, public_id: str) -> HttpResponse:
    token = get_object_or_404(ApiToken, public_id=public_id, user=request.user)
    if token_revoke(token=token, actor=request.user):
        messages.success(request, f"The token “{token.name}” was revoked.")
    return redirect(reverse("account_security") + "#check-tokens")


@require_POST
@login_required
def resubscribe(request: HttpRequest) -> HttpResponse:
    try:
        kind = ReminderKind(request.POST.get("kind", ""))
    except ValueError:
        return redirect(reverse("account_security") + "#reminders")
    if reminder_resubscribe(user=request.user, kind=kind):
        messages.success(request, f"Reminders are back on: {kind.label.lower()}.")
    return redirect(reverse("account_security") + "#reminders")


@csrf_exempt  # the signed token is the credential; RFC 8058 one-click POSTs carry no cookie
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation (link prefetchers and scanners must not unsubscribe);
    POST turns that one kind of reminder off. A mail client's RFC 8058 one-click POST
    (``List-Unsubscribe=One-Click``) lands here too."""
    found = read_unsubscribe_token(token)
    if found is None:
        raise Http404("This link is not valid.")
    user_id, kind = found
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Http404("This link is not valid.")
    done = False
    if request.method == "POST":
        reminder_unsubscribe(user=user, kind=kind)
        done = True
    response = render(
        request, "checkup/unsubscribe.html", {"kind": kind, "done": done, "token": token}
    )
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
