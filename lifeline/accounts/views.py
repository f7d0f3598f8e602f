from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.internal.flows import sessions as session_flows
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from lifeline.accounts.mfa.status import mfa_status
from lifeline.core.client import describe_browser
from lifeline.events.models import SecurityEvent
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag


@require_safe
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The account security page: factors, addresses, sessions and recent events."""
    user = request.user
    authenticators = Authenticator.objects.filter(user=user).order_by("created_at")
    context = {
        "emails": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "recent_events": SecurityEvent.objects.filter(user=user)[:5],
        "mfa": mfa_status(user),
        "totp": next((a for a in authenticators if a.type == Authenticator.Type.TOTP), None),
        "keys": [a for a in authenticators if a.type == Authenticator.Type.WEBAUTHN],
        "session_count": UserSession.objects.filter(user=user).count(),
    }
    return render(request, "accounts/security.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """Where the account is signed in (IP, browser, last seen); end one or all others.

    Ending sessions needs no sudo mode: it only ever removes access, and a user who fears
    someone else is signed in must be able to act at once.
    """
    user = request.user
    if request.method == "POST":
        if request.POST.get("action") == "end_others":
            others = [s for s in UserSession.objects.filter(user=user) if not s.is_current()]
            session_flows.end_sessions(request, others)
            record_event(
                tag=EventTag.SESSION_END, user=user, actor=user, details={"count": len(others)}
            )
            messages.success(request, f"Signed out {len(others)} other session(s).")
            return redirect("account_sessions")
        target = UserSession.objects.filter(user=user, pk=request.POST.get("session")).first()
        if target is not None:
            current = target.is_current()
            record_event(
                tag=EventTag.SESSION_END,
                user=user,
                actor=user,
                details={"session_ip": target.ip, "current": current},
            )
            session_flows.end_sessions(request, [target])
            if current:
                return redirect("account_login")
            messages.success(request, "That session has been signed out.")
        return redirect("account_sessions")
    rows = sorted(
        UserSession.objects.purge_and_list(user), key=lambda s: s.last_seen_at, reverse=True
    )
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": [
                {"obj": s, "browser": describe_browser(s.user_agent), "current": s.is_current()}
                for s in rows
            ]
        },
    )
