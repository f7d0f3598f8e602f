from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifeline.recovery.flows import no_referrer
from lifeline.recovery.models import RecoveryRequest

_PROBLEM_STATUS = {
    "invalid": 400,
    "expired": 410,
    "used": 409,
    "no_session": 403,
    "rate_limited": 429,
}


def link_problem(
    request: HttpRequest, code: str, request_obj: RecoveryRequest | None = None, *, what: str
) -> HttpResponse:
    """A friendly page for a link that cannot be used, with the next step. Never a 500."""
    response = render(
        request,
        "recovery/link_problem.html",
        {"code": code, "request_obj": request_obj, "what": what},
        status=_PROBLEM_STATUS.get(code, 400),
    )
    return no_referrer(response)
