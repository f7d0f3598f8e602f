from allauth.account.models import EmailAddress
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lifeline.events.models import SecurityEvent


@require_safe
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The account security page: factors, addresses, sessions and recent events."""
    user = request.user
    context = {
        "emails": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "recent_events": SecurityEvent.objects.filter(user=user)[:5],
    }
    return render(request, "accounts/security.html", context)
