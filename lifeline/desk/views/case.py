"""The case page: everything needed to decide, on one screen; and the staff message form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from lifeline.desk import roles
from lifeline.desk.forms import (
    REPLY_TEMPLATES,
    ApproveForm,
    DenyForm,
    JustificationForm,
    MessageForm,
    RequestInfoForm,
)
from lifeline.desk.permissions import desk_action, desk_view
from lifeline.desk.selectors import account_summary
from lifeline.recovery.evidence import account_is_contested, evidence_for
from lifeline.recovery.messages import recovery_message_post
from lifeline.recovery.models import RecoveryMessage, RecoveryRequest
from lifeline.recovery.proofs.common import ProofRefused
from lifeline.recovery.staff.auto_approve import auto_approval_blockers
from lifeline.recovery.staff.decisions import (
    approvals_needed,
    current_approvals,
    is_escalated,
)
from lifeline.recovery.states import allowed_targets
from lifeline.recovery.transition import fire_timer
from lifeline.recovery.vouch import REFUSE_TEXT, could_not_confirm


def get_case(public_id: str) -> RecoveryRequest:
    request_obj = get_object_or_404(
        RecoveryRequest.objects.select_related("user", "assignee"), public_id=public_id
    )
    # Checks on access: a stopped worker must not strand a case.
    fire_timer(request_obj)
    return request_obj


def case_context(request: HttpRequest, request_obj: RecoveryRequest, **forms: object) -> dict:
    reply_key = request.GET.get("reply", "")
    reply_initial = REPLY_TEMPLATES.get(reply_key, ("", ""))[1]
    targets = {t.value for t in allowed_targets(request_obj.state, "staff")}
    approvals = current_approvals(request_obj)
    ctx = {
        "request_obj": request_obj,
        "evidence": evidence_for(request_obj),
        "proofs": list(request_obj.proofs.all()),
        "thread": list(request_obj.messages.select_related("author")),
        "audit": list(request_obj.audit.select_related("actor")),
        "approvals": approvals,
        "approvals_needed": approvals_needed(request_obj) if request_obj.user_id else 1,
        "escalated": is_escalated(request_obj),
        "contested": request_obj.contested or account_is_contested(request_obj.user),
        "auto_blockers": auto_approval_blockers(request_obj),
        "vouch_refusals": could_not_confirm(request_obj),
        "refuse_text": REFUSE_TEXT,
        "can_approve": "approved" in targets,
        "can_deny": "denied" in targets,
        "can_request_info": "needs_info" in targets,
        "can_message": not request_obj.is_terminal,
        "is_admin": roles.is_admin(request.user),
        "reply_templates": REPLY_TEMPLATES,
        "reply_key": reply_key if reply_key in REPLY_TEMPLATES else "",
        "escalate_form": forms.get("escalate_form") or JustificationForm(prefix="escalate"),
        "resend_form": forms.get("resend_form") or JustificationForm(prefix="resend"),
        "approve_form": forms.get("approve_form") or ApproveForm(prefix="approve"),
        "deny_form": forms.get("deny_form")
        or DenyForm(
            prefix="deny",
            initial={"reason_to_share": reply_initial if reply_key == "insufficient" else ""},
        ),
        "info_form": forms.get("info_form")
        or RequestInfoForm(
            prefix="info",
            initial={"message": reply_initial if reply_key != "insufficient" else ""},
        ),
        "message_form": forms.get("message_form")
        or MessageForm(initial={"body": reply_initial if reply_key != "insufficient" else ""}),
    }
    if request_obj.user is not None:
        ctx.update(account_summary(request_obj.user))
    return ctx


@desk_view
def case_page(request: HttpRequest, public_id: str) -> HttpResponse:
    request_obj = get_case(public_id)
    return render(request, "desk/case.html", case_context(request, request_obj))


@desk_action
def case_message(request: HttpRequest, public_id: str) -> HttpResponse:
    request_obj = get_case(public_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            recovery_message_post(
                request_obj=request_obj,
                body=form.cleaned_data["body"],
                author_kind=RecoveryMessage.AuthorKind.STAFF,
                author=request.user,
            )
        except ProofRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Message sent to the requester.")
            return redirect("desk_case", public_id=request_obj.public_id)
    ctx = case_context(request, request_obj, message_form=form)
    return render(request, "desk/case.html", ctx, status=400)
