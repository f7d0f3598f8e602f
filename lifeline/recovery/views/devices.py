"""Forget a remembered device (listed on the account security page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from lifeline.accounts.devices import device_forget


@require_POST
@login_required
def forget(request: HttpRequest, device_id: int) -> HttpResponse:
    if device_forget(user=request.user, device_id=device_id):
        messages.success(
            request, "The device was forgotten. It no longer counts as recovery proof."
        )
    else:
        messages.error(request, "That device is not on your account.")
    return redirect("account_security")
