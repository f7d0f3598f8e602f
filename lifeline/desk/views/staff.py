"""Staff management (admins only): give or remove the support and admin roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lifeline.accounts.mfa.status import has_2fa
from lifeline.desk import roles
from lifeline.desk.forms import JustificationForm, StaffRoleForm
from lifeline.desk.permissions import desk_admin_action, desk_admin_view
from lifeline.recovery.justification import JustificationTooShort


def _context(form: StaffRoleForm) -> dict:
    members = roles.staff_members()
    return {
        "form": form,
        "members": [(m, roles.role_of(m), has_2fa(m)) for m in members],
        # Giving a role is a two-person action: pending grants wait here for a second admin.
        "grants": [(g, JustificationForm(prefix=f"grant{g.pk}")) for g in roles.pending_grants()],
    }


@desk_admin_view
def staff_page(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/staff.html", _context(StaffRoleForm()))


@desk_admin_action
def staff_set_role(request: HttpRequest) -> HttpResponse:
    form = StaffRoleForm(request.POST)
    if form.is_valid():
        user = (
            get_user_model()
            .objects.filter(username__iexact=form.cleaned_data["username"].strip())
            .first()
        )
        if user is None:
            form.add_error("username", "No account has that username.")
        else:
            try:
                change = roles.staff_set_role(
                    user=user,
                    role=form.cleaned_data["role"] or "",
                    actor=request.user,
                    justification=form.cleaned_data["justification"],
                )
            except (roles.NotAllowed, JustificationTooShort) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, change.message)
            if not form.errors:
                return redirect("desk_staff")
    return render(request, "desk/staff.html", _context(form), status=400)


@desk_admin_action
def staff_grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A second admin confirms (or any admin cancels) a pending role grant."""
    grant = next((g for g in roles.pending_grants() if g.pk == pk), None)
    if grant is None:
        messages.error(request, "This role grant is no longer waiting for confirmation.")
        return redirect("desk_staff")
    form = JustificationForm(request.POST, prefix=f"grant{grant.pk}")
    if not form.is_valid():
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("desk_staff")
    justification = form.cleaned_data["justification"]
    try:
        if request.POST.get("decision") == "confirm":
            roles.confirm_role_grant(grant=grant, actor=request.user, justification=justification)
            messages.success(request, f"{grant.user.username} now has the {grant.role} role.")
        else:
            roles.cancel_role_grant(grant=grant, actor=request.user, justification=justification)
            messages.success(request, "The role grant was cancelled.")
    except (roles.NotAllowed, JustificationTooShort) as exc:
        messages.error(request, str(exc))
    return redirect("desk_staff")
