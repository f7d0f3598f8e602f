"""Help pages that security notices link to. Public: they must work for someone locked out."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def not_me(request: HttpRequest) -> HttpResponse:
    """'This wasn't me': what to do after a security notice about a change you didn't make.

    Every security notice email links here. It changes nothing and asks for nothing, so it
    is safe to open logged out, from any link, and reveals nothing about any account.
    """
    return render(request, "core/not_me.html", {"support_email": settings.LIFELINE_SUPPORT_EMAIL})
