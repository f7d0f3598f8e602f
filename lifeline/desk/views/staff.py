"""Staff management (admins only): give or remove the support and admin roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lifeline.accounts.mfa.status import has_2fa
from lifeline.desk.forms import StaffRoleForm
from lifeline.desk.permissions import desk_admin_action, desk_admin_view
from lifeline.recovery.services import roles


def _context(form: StaffRoleForm) -> dict:
    members = roles.staff_members()
    return {
        "form": form,
        "members": [(m, roles.role_of(m), has_2fa(m)) for m in members],
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
                roles.staff_set_role(
                    user=user,
                    role=form.cleaned_data["role"] or "",
                    actor=request.user,
                    justification=form.cleaned_data["justification"],
                )
            except roles.NotAllowed as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"{user.username}'s role was updated.")
            if not form.errors:
                return redirect("desk_staff")
    return render(request, "desk/staff.html", _context(form), status=400)
