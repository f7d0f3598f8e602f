"""API token pages: list, create (sudo mode; the token is shown once), revoke."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST, require_safe

from lifeline.accounts.decorators import require_2fa
from lifeline.tokens.forms import TokenCreateForm
from lifeline.tokens.models import ApiToken
from lifeline.tokens.services import token_create, token_revoke, tokens_for_user


@require_safe
@require_2fa
def token_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "tokens/list.html",
        {"tokens": tokens_for_user(request.user), "form": TokenCreateForm(user=request.user)},
    )


@never_cache
@require_2fa
@reauthentication_required(allow_get=True)
@sensitive_variables("raw")
def token_new(request: HttpRequest) -> HttpResponse:
    """Create a token. The raw value is rendered once, in this response only.

    ``never_cache`` keeps it out of shared caches and ``Referrer-Policy: no-referrer``
    keeps the page URL out of any onward request.
    """
    form = TokenCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        token, raw = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            project=form.project,
            expires_at=form.expires_at,
        )
        response = render(request, "tokens/created.html", {"token": token, "raw": raw})
        response["Referrer-Policy"] = "no-referrer"
        return response
    return render(request, "tokens/new.html", {"form": form})


@require_POST
@require_2fa
def token_revoke_view(request: HttpRequest, public_id: str) -> HttpResponse:
    token = get_object_or_404(ApiToken, public_id=public_id, user=request.user)
    if token_revoke(token=token, actor=request.user):
        messages.success(request, f"The token “{token.name}” was revoked.")
    return redirect("token_list")
