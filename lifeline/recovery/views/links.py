"""Emailed links: confirm the contact address; the owner's one-click cancel."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifeline.core import ratelimit
from lifeline.recovery import conf, flows
from lifeline.recovery.links import LinkProblem
from lifeline.recovery.requester.owner_cancel import check_cancel_link, recovery_owner_cancel
from lifeline.recovery.requester.verify import check_verify_link, recovery_contact_verify
from lifeline.recovery.views.common import link_problem


def _limited(request: HttpRequest, name: str) -> bool:
    spec = conf.rate_limit(name)
    return not ratelimit.check(f"recovery:{name}", flows.client_ip(request) or "", spec).allowed


@flows.no_referrer_csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that follow links confirm nothing); POST confirms."""
    if _limited(request, "verify_ip"):
        return link_problem(request, "rate_limited", what="verify")
    try:
        if request.method == "POST":
            recovery_contact_verify(public_id=public_id, token=token)
            response = render(request, "recovery/verify_done.html")
        else:
            request_obj = check_verify_link(public_id=public_id, token=token)
            response = render(request, "recovery/verify_confirm.html", {"request_obj": request_obj})
    except LinkProblem as problem:
        return link_problem(request, problem.code, problem.request_obj, what="verify")
    return flows.no_referrer(response)


@flows.no_referrer_csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def owner_cancel(request: HttpRequest, signed: str) -> HttpResponse:
    """The owner's cancel link: no login needed, one button to press.

    Only links that fail their signature check count against ``cancel_ip``: a valid signed
    link is itself the proof, so no flood of bad links from the owner's network can rate-limit
    the owner's way to stop a case (the banner's cancel button uses this link too).
    """
    try:
        check_cancel_link(signed)
    except LinkProblem as problem:
        if problem.code == "invalid" and _limited(request, "cancel_ip"):
            return link_problem(request, "rate_limited", what="cancel")
    try:
        if request.method == "POST":
            actor = request.user if request.user.is_authenticated else None
            request_obj = recovery_owner_cancel(signed=signed, actor=actor)
            response = render(request, "recovery/cancel_done.html", {"request_obj": request_obj})
        else:
            request_obj = check_cancel_link(signed)
            response = render(request, "recovery/cancel_confirm.html", {"request_obj": request_obj})
    except LinkProblem as problem:
        return link_problem(request, problem.code, problem.request_obj, what="cancel")
    return flows.no_referrer(response)
