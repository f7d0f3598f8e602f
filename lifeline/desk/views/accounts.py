"""The desk's account page, and the admin tools on it (sign out everywhere, freeze,
critical, force reset)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from lifeline.desk import account_tools, roles
from lifeline.desk.forms import JustificationForm
from lifeline.desk.permissions import desk_admin_action, desk_view
from lifeline.desk.selectors import account_summary
from lifeline.recovery.justification import JustificationTooShort

TOOLS = ("end_sessions", "freeze", "unfreeze", "critical", "uncritical", "force_reset")


def _user(username: str) -> Any:
    return get_object_or_404(get_user_model(), username__iexact=username)


def _context(request: HttpRequest, user: Any, **forms: Any) -> dict[str, Any]:
    ctx = account_summary(user)
    ctx["is_admin"] = roles.is_admin(request.user)
    ctx["tool_forms"] = {name: forms.get(name) or JustificationForm(prefix=name) for name in TOOLS}
    return ctx


@desk_view
def account_lookup(request: HttpRequest) -> HttpResponse:
    username = (request.GET.get("username") or "").strip()
    if username:
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is not None:
            return redirect("desk_account", username=user.username)
        messages.error(request, "No account has that username.")
    return render(request, "desk/account_lookup.html", {"username": username})


@desk_view
def account_page(request: HttpRequest, username: str) -> HttpResponse:
    return render(request, "desk/account.html", _context(request, _user(username)))


@desk_admin_action
def account_tool(request: HttpRequest, username: str, tool: str) -> HttpResponse:
    user = _user(username)
    if tool not in TOOLS:
        return redirect("desk_account", username=user.username)
    form = JustificationForm(request.POST, prefix=tool)
    actions: dict[str, tuple[Callable[..., Any], dict[str, Any], str]] = {
        "end_sessions": (
            account_tools.account_end_sessions,
            {},
            "Every session of the account ended; the owner was told by email.",
        ),
        "freeze": (account_tools.account_freeze, {}, "The account is frozen; its sessions ended."),
        "unfreeze": (account_tools.account_unfreeze, {}, "The account is no longer frozen."),
        "critical": (
            account_tools.account_mark_critical,
            {"critical": True},
            "The account is marked critical: recovery needs two approvers.",
        ),
        "uncritical": (
            account_tools.account_mark_critical,
            {"critical": False},
            "The account is no longer marked critical.",
        ),
        "force_reset": (
            account_tools.account_force_password_reset,
            {},
            "The password was reset and a reset link emailed to every verified address.",
        ),
    }
    if form.is_valid():
        func, extra, done = actions[tool]
        try:
            func(
                user=user,
                actor=request.user,
                justification=form.cleaned_data["justification"],
                **extra,
            )
        except (account_tools.ToolRefused, JustificationTooShort) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return redirect("desk_account", username=user.username)
    return render(request, "desk/account.html", _context(request, user, **{tool: form}), status=400)
