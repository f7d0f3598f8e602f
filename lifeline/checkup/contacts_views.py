"""Recovery contacts pages: name up to three accounts, answer invitations, end links.

Thin: the services (contacts_services.py) decide; these views only turn their answers
into messages and redirects. Naming a contact needs sudo mode (it gives another account a
say in your recovery); ending a link never does (it only ever removes trust).
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lifeline.checkup.contacts_selectors import (
    INVITATION_LIFETIME,
    MAX_CONTACTS,
    contact_for,
    invitations_for,
    named_by,
)
from lifeline.checkup.contacts_services import (
    ContactError,
    contact_accept,
    contact_decline,
    contact_invite,
    contact_remove,
)
from lifeline.core.banners import Banner


@require_http_methods(["GET", "HEAD"])
@login_required
def recovery_contacts(request: HttpRequest) -> HttpResponse:
    named = named_by(request.user)
    return render(
        request,
        "checkup/recovery_contacts.html",
        {
            "named": named,
            "invitations": invitations_for(request.user),
            "contact_for": contact_for(request.user),
            "max_contacts": MAX_CONTACTS,
            "can_add": len(named) < MAX_CONTACTS,
            "lifetime": INVITATION_LIFETIME,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@reauthentication_required
def recovery_contact_add(request: HttpRequest) -> HttpResponse:
    """Sudo mode. The answer is the same whether or not the username exists."""
    error = ""
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        try:
            contact_invite(owner=request.user, username=username)
        except ContactError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                f"Invitation to {username} recorded. If that account can be a recovery "
                "contact, they'll find it on their account and by email; it shows below as "
                "waiting until they accept.",
            )
            return redirect("recovery_contacts")
    return render(
        request,
        "checkup/recovery_contact_add.html",
        {"error": error, "username": username, "max_contacts": MAX_CONTACTS},
        status=400 if error else 200,
    )


@require_POST
@login_required
def recovery_contact_answer(request: HttpRequest, link_id: int) -> HttpResponse:
    accept = request.POST.get("answer") == "accept"
    try:
        if accept:
            row = contact_accept(contact=request.user, link_id=link_id)
            messages.success(request, f"You are now a recovery contact of {row.owner.username}.")
        else:
            contact_decline(contact=request.user, link_id=link_id)
            messages.success(request, "Invitation declined.")
    except ContactError as exc:
        messages.error(request, str(exc))
    return redirect("recovery_contacts")


@require_POST
@login_required
def recovery_contact_remove(request: HttpRequest, link_id: int) -> HttpResponse:
    try:
        contact_remove(actor=request.user, link_id=link_id)
    except ContactError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Removed.")
    return redirect("recovery_contacts")


def invitation_banners(request: HttpRequest) -> list[Banner]:
    """Someone asked you to be their recovery contact: say so on every page until answered."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [
        Banner(
            message=f"{row.owner.username} asked you to be one of their recovery contacts.",
            level="info",
            url=reverse("recovery_contacts"),
            action="Answer the invitation",
        )
        for row in invitations_for(user)
    ]
