"""The requester's restore step: follow the emailed link, set a new password.

Like the status link, the restore token is moved into the session and the browser is sent
to a URL without it (no token in history or a Referer header).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from lifeline.core import ratelimit
from lifeline.recovery import flows
from lifeline.recovery.links import LinkProblem
from lifeline.recovery.requester.restore import recovery_restore
from lifeline.recovery.restore_link import check_restore_link

SESSION_KEY = "lifeline_recovery_restore"
RATE = "30/h"


class NewPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="New password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields[
            "new_password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "The two passwords differ.")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return data


def _problem(request: HttpRequest, code: str, request_obj: Any = None) -> HttpResponse:
    status = {"expired": 410, "used": 409, "rate_limited": 429}.get(code, 400)
    response = render(
        request,
        "recovery/restore_problem.html",
        {"code": code, "request_obj": request_obj},
        status=status,
    )
    return flows.no_referrer(response)


def _limited(request: HttpRequest) -> bool:
    return not ratelimit.check("recovery:restore", flows.client_ip(request) or "", RATE).allowed


@never_cache
@require_safe
def restore_enter(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    if _limited(request):
        return _problem(request, "rate_limited")
    try:
        link = check_restore_link(public_id=public_id, token=token)
    except LinkProblem as problem:
        return _problem(request, problem.code, problem.request_obj)
    tokens = dict(request.session.get(SESSION_KEY, {}))
    tokens[str(link.request.public_id)] = token
    request.session[SESSION_KEY] = tokens
    return flows.no_referrer(redirect("recovery_restore", public_id=link.request.public_id))


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@flows.no_referrer_csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def restore_page(request: HttpRequest, public_id: str) -> HttpResponse:
    token = request.session.get(SESSION_KEY, {}).get(str(public_id), "")
    if not token:
        return _problem(request, "no_session")
    if request.method == "POST" and _limited(request):
        return _problem(request, "rate_limited")
    try:
        link = check_restore_link(public_id=public_id, token=token)
    except LinkProblem as problem:
        return _problem(request, problem.code, problem.request_obj)
    request_obj = link.request
    form = NewPasswordForm(request.POST or None, user=request_obj.user)
    if request.method == "POST" and form.is_valid():
        try:
            recovery_restore(
                public_id=public_id, token=token, new_password=form.cleaned_data["new_password1"]
            )
        except LinkProblem as problem:
            return _problem(request, problem.code, problem.request_obj)
        tokens = dict(request.session.get(SESSION_KEY, {}))
        tokens.pop(str(public_id), None)
        request.session[SESSION_KEY] = tokens
        request.session["lifeline_recovery_restored"] = request_obj.user.username
        return flows.no_referrer(redirect("recovery_restore_done"))
    response = render(
        request, "recovery/restore.html", {"form": form, "request_obj": request_obj, "link": link}
    )
    return flows.no_referrer(response)


@never_cache
@require_safe
def restore_done(request: HttpRequest) -> HttpResponse:
    username = request.session.get("lifeline_recovery_restored", "")
    return render(request, "recovery/restore_done.html", {"username": username})
