"""Desk actions on a case. Each is a POST in sudo mode; every decision carries a written
justification (assignment, which decides nothing, does not). The services write the audit
row and the account event (lifeline.recovery.staff.decisions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lifeline.desk.forms import (
    ApproveForm,
    AssignForm,
    DenyForm,
    JustificationForm,
    RequestInfoForm,
)
from lifeline.desk.permissions import desk_action
from lifeline.desk.views.case import case_context, get_case
from lifeline.recovery.staff import decisions
from lifeline.recovery.staff.decisions import resend_restore_link
from lifeline.recovery.states import IllegalTransition


def _run(
    request: HttpRequest,
    public_id: str,
    *,
    form_class: type[forms.Form],
    prefix: str,
    perform: Callable[[Any, dict[str, Any]], str],
) -> HttpResponse:
    request_obj = get_case(public_id)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            done = perform(request_obj, form.cleaned_data)
        except IllegalTransition as exc:
            messages.error(request, str(exc))
            return redirect("desk_case", public_id=request_obj.public_id)
        messages.success(request, done)
        return redirect("desk_case", public_id=request_obj.public_id)
    ctx = case_context(request, request_obj, **{f"{prefix}_form": form})
    return render(request, "desk/case.html", ctx, status=400)


@desk_action
def assign(request: HttpRequest, public_id: str) -> HttpResponse:
    def perform(case: Any, data: dict[str, Any]) -> str:
        decisions.recovery_assign(request_obj=case, actor=request.user)
        return "The case is assigned to you."

    return _run(request, public_id, form_class=AssignForm, prefix="assign", perform=perform)


@desk_action
def escalate(request: HttpRequest, public_id: str) -> HttpResponse:
    def perform(case: Any, data: dict[str, Any]) -> str:
        decisions.recovery_escalate(
            request_obj=case, actor=request.user, justification=data["justification"]
        )
        return "Escalated: only a desk admin can decide this case now."

    return _run(
        request, public_id, form_class=JustificationForm, prefix="escalate", perform=perform
    )


@desk_action
def request_info(request: HttpRequest, public_id: str) -> HttpResponse:
    def perform(case: Any, data: dict[str, Any]) -> str:
        decisions.recovery_request_info(
            request_obj=case,
            actor=request.user,
            justification=data["justification"],
            message=data["message"],
        )
        return "Asked the requester for more information."

    return _run(request, public_id, form_class=RequestInfoForm, prefix="info", perform=perform)


@desk_action
def approve(request: HttpRequest, public_id: str) -> HttpResponse:
    def perform(case: Any, data: dict[str, Any]) -> str:
        outcome = decisions.recovery_approve(
            request_obj=case,
            actor=request.user,
            justification=data["justification"],
            tokens_decision=data["tokens_decision"],
        )
        if not outcome.applied:
            return (
                f"Approval {outcome.approvals} of {outcome.needed} recorded. A second, different "
                "staff member must approve this case (critical, contested or escalated)."
            )
        return "Approved: the cooling-off period has started and the owner was told."

    return _run(request, public_id, form_class=ApproveForm, prefix="approve", perform=perform)


@desk_action
def deny(request: HttpRequest, public_id: str) -> HttpResponse:
    def perform(case: Any, data: dict[str, Any]) -> str:
        decisions.recovery_deny(
            request_obj=case,
            actor=request.user,
            justification=data["justification"],
            reason_to_share=data["reason_to_share"],
        )
        return "Denied: the requester was emailed the reason."

    return _run(request, public_id, form_class=DenyForm, prefix="deny", perform=perform)


@desk_action
def resend(request: HttpRequest, public_id: str) -> HttpResponse:
    def perform(case: Any, data: dict[str, Any]) -> str:
        resend_restore_link(
            request_obj=case, actor=request.user, justification=data["justification"]
        )
        return "A new restore link was sent; the old one no longer works."

    return _run(request, public_id, form_class=JustificationForm, prefix="resend", perform=perform)
