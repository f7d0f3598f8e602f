"""/recovery/: route people to self-service first, then the request form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from lifeline.core import ratelimit
from lifeline.recovery import conf, flows
from lifeline.recovery.forms import RecoveryRequestForm
from lifeline.recovery.requester.submit import recovery_request_submit, submission_limit

OPTIONS = {
    "factor": "account_login",
    "email": "account_reset_password",
    "nothing": "recovery_request",
}


@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Ask what the person still has and send them down the shortest path."""
    if request.method == "POST":
        choice = request.POST.get("have", "")
        if choice in OPTIONS:
            return redirect(OPTIONS[choice])
        return render(
            request, "recovery/start.html", {"choice_error": "Choose one option."}, status=400
        )
    return render(request, "recovery/start.html")


@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    """The request form. Whatever the username, a valid form gets the same redirect."""
    form = RecoveryRequestForm(request.POST or None)
    context = {"form": form, "coc_url": conf.get("LIFELINE_CODE_OF_CONDUCT_URL")}
    if request.method == "POST" and form.is_valid():
        verdict = submission_limit(
            username=form.cleaned_data["username"],
            contact_email=form.cleaned_data["contact_email"],
            ip=flows.client_ip(request),
        )
        if not verdict.allowed:
            context["rate_limited"] = ratelimit.humanize_wait(verdict.retry_after)
            return render(request, "recovery/request_form.html", context, status=429)
        data = form.cleaned_data
        recovery_request_submit(
            username=data["username"],
            contact_email=data["contact_email"],
            lost_email_access=data["lost_email_access"],
            email_wrong_from_start=data["email_wrong_from_start"],
            lost_2fa=data["lost_2fa"],
            lost_recovery_codes=data["lost_recovery_codes"],
            description=data["description"],
            ip=flows.client_ip(request),
            user_agent=flows.client_user_agent(request),
            device_key=flows.device_key_from(request),
        )
        request.session["lifeline_recovery_sent_to"] = data["contact_email"]
        return redirect("recovery_request_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "recovery/request_form.html", context, status=status)


@require_safe
def request_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "recovery/request_sent.html",
        {
            "sent_to": request.session.get("lifeline_recovery_sent_to", ""),
            "ttl_hours": conf.get("LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS"),
        },
    )
