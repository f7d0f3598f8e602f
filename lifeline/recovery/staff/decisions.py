"""Staff decisions on recovery cases: assign, ask for information, approve, deny, escalate.

Every state change goes through :func:`lifeline.recovery.transition.recovery_transition`
(the one function: table check, row lock, audit row, account event). Actions that do not
change the state (assign, escalate, the first of two approvals, a new restore link) are
written by :func:`lifeline.recovery.transition.staff_action` the same way: under the case's
row lock, with an audit row (``from_state == to_state`` and ``details["action"]``) and an
account event in the same transaction.

Approval rules (``approval_rules``): at least moderate evidence (weak evidence only after an
escalation, and then by two admins); never a case on one's own account or sent to one's own
address; two different, unlinked staff members for a critical account or a contested case.
The first approval is recorded as a ``RecoveryApproval`` and the case stays open until enough
approvals are in. Only approvals given since the case last entered ``open`` count. A refused
approval is a ``DecisionError`` (shown on the desk) and an audit row.

Auto-approval is in ``lifeline.recovery.staff.auto_approve``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery import notify
from lifeline.recovery.justification import check_justification
from lifeline.recovery.messages import recovery_message_post
from lifeline.recovery.models import (
    RecoveryApproval,
    RecoveryAudit,
    RecoveryMessage,
    RecoveryRequest,
)
from lifeline.recovery.restore_link import issue_restore_link
from lifeline.recovery.staff import approval_rules, roles
from lifeline.recovery.states import IllegalTransition, State
from lifeline.recovery.transition import DecisionError, recovery_transition, staff_action

__all__ = [
    "ApprovalOutcome",
    "DecisionError",
    "approvals_needed",
    "current_approvals",
    "is_escalated",
    "recovery_approve",
    "recovery_assign",
    "recovery_deny",
    "recovery_escalate",
    "recovery_request_info",
    "resend_restore_link",
]

TokensDecision = RecoveryRequest.TokensDecision


@dataclass(frozen=True)
class ApprovalOutcome:
    request_obj: RecoveryRequest
    applied: bool  # True when the case entered cooling-off
    approvals: int
    needed: int


def _check_staff(actor: Any, request_obj: RecoveryRequest, *, deciding: bool = False) -> None:
    if not roles.is_support(actor):
        raise DecisionError("Only support staff may act on recovery cases.")
    if deciding and is_escalated(request_obj) and not roles.is_admin(actor):
        raise DecisionError("This case was escalated: only a desk admin may decide it.")


def is_escalated(request_obj: RecoveryRequest) -> bool:
    return RecoveryAudit.objects.filter(request=request_obj, details__action="escalate").exists()


def recovery_assign(
    *, request_obj: RecoveryRequest, actor: Any, justification: str = ""
) -> RecoveryRequest:
    """Assign the case to ``actor`` ("assign to me").

    Assignment decides nothing, so it needs no justification; it is still written to the
    case's audit trail and as an account event, with the actor.
    """
    _check_staff(actor, request_obj)
    with transaction.atomic():
        locked = staff_action(
            request_obj=request_obj,
            actor=actor,
            action="assign",
            justification=justification,
            details={"assignee": actor.username},
            justification_required=False,
        )
        RecoveryRequest.objects.filter(pk=locked.pk).update(assignee=actor)
    request_obj.refresh_from_db()
    return request_obj


def recovery_escalate(
    *, request_obj: RecoveryRequest, actor: Any, justification: str
) -> RecoveryRequest:
    """Escalate to the desk admins: from now on only an admin may approve or deny."""
    _check_staff(actor, request_obj)
    with transaction.atomic():
        staff_action(
            request_obj=request_obj, actor=actor, action="escalate", justification=justification
        )
        for admin in roles.admins():
            if admin.pk != actor.pk:
                notify.desk_escalated(
                    request_obj,
                    admin=admin,
                    by=actor.username,
                    justification=justification.strip(),
                )
    return request_obj


def recovery_request_info(
    *, request_obj: RecoveryRequest, actor: Any, justification: str, message: str
) -> RecoveryRequest:
    """Ask the requester for more information: ``open`` → ``needs_info``, and email them."""
    _check_staff(actor, request_obj)
    if not (message or "").strip():
        raise DecisionError("Write the question to send to the requester.")
    with transaction.atomic():
        recovery_transition(
            request_obj=request_obj,
            to_state=State.NEEDS_INFO,
            actor=actor,
            actor_kind="staff",
            justification=justification,
            details={"action": "request_info"},
        )
        recovery_message_post(
            request_obj=request_obj,
            body=message,
            author_kind=RecoveryMessage.AuthorKind.STAFF,
            author=actor,
        )
    return request_obj


def current_approvals(request_obj: RecoveryRequest) -> list[RecoveryApproval]:
    """Approvals given since the case last entered ``open`` (they are what counts)."""
    if request_obj.state != State.OPEN:
        return []
    return list(
        RecoveryApproval.objects.filter(
            request=request_obj, created__gte=request_obj.state_changed_at
        ).select_related("approver")
    )


def approvals_needed(request_obj: RecoveryRequest) -> int:
    needed, _reasons = approval_rules.approvals_needed(
        request_obj, escalated=is_escalated(request_obj)
    )
    return needed


def _record_refusal(
    request_obj: RecoveryRequest, actor: Any, refusal: approval_rules.Refusal, justification: str
) -> None:
    """Audit a refused approval (its own transaction: the refusal itself rolled back)."""
    with transaction.atomic():
        RecoveryAudit.objects.create(
            request=request_obj,
            from_state=request_obj.state,
            to_state=request_obj.state,
            actor=actor,
            actor_kind="staff",
            justification=justification,
            details={"action": "approve_refused", "rule": refusal.rule},
        )
        record_event(
            tag=EventTag.RECOVERY_APPROVAL_REFUSED,
            user=request_obj.user,
            actor=actor,
            details={"request": request_obj.reference, "rule": refusal.rule},
        )


def recovery_approve(
    *,
    request_obj: RecoveryRequest,
    actor: Any,
    justification: str,
    tokens_decision: str = TokensDecision.KEEP,
) -> ApprovalOutcome:
    """Approve the case. With enough approvals it enters cooling-off (``approved``).

    ``tokens_decision`` says what the restore does with the account's API tokens: keep them
    (the default: the usual case is lost access, not a compromise) or revoke them (when a
    compromise is suspected). If any approver asks for revocation, the tokens are revoked.
    The check of earlier approvals runs under the case's row lock, so two staff members
    approving at the same moment are counted one after the other.
    """
    _check_staff(actor, request_obj, deciding=True)
    justification = check_justification(justification)
    if tokens_decision not in TokensDecision.values:
        raise DecisionError("Choose whether to keep or revoke the account's API tokens.")
    refusal: approval_rules.Refusal | None = None
    with transaction.atomic():
        locked = RecoveryRequest.objects.select_for_update().get(pk=request_obj.pk)
        if locked.state != State.OPEN:
            raise IllegalTransition(
                f"Only a case in review can be approved; this one is "
                f"{State(locked.state).label.lower()}.",
                from_state=locked.state,
                to_state=State.APPROVED,
            )
        if locked.user_id is None:
            raise DecisionError("This request matches no account: there is nothing to restore.")
        earlier = current_approvals(locked)
        if any(a.approver_id == actor.pk for a in earlier):
            raise DecisionError(
                "You already approved this case. A second, different staff member must approve."
            )
        escalated = is_escalated(locked)
        refusal = (
            approval_rules.conflict_of_interest(locked, actor)
            or approval_rules.evidence_refusal(locked, escalated=escalated)
            or approval_rules.linked_refusal(actor, [a.approver_id for a in earlier])
        )
        if refusal is None:
            return _record_approval(
                request_obj, locked, actor, justification, tokens_decision, earlier
            )
    _record_refusal(locked, actor, refusal, justification)
    raise DecisionError(refusal.message)


def _record_approval(
    request_obj: RecoveryRequest,
    locked: RecoveryRequest,
    actor: Any,
    justification: str,
    tokens_decision: str,
    earlier: list[RecoveryApproval],
) -> ApprovalOutcome:
    """Record one approval under the case's lock; enough of them start cooling-off."""
    with transaction.atomic():
        needed = approvals_needed(locked)
        RecoveryApproval.objects.create(
            request=locked,
            approver=actor,
            justification=justification,
            tokens_decision=tokens_decision,
        )
        count = len(earlier) + 1
        if count < needed:
            staff_action(
                request_obj=locked,
                actor=actor,
                action="approve",
                justification=justification,
                details={"approval": count, "needed": needed, "tokens": tokens_decision},
            )
            request_obj.refresh_from_db()
            return ApprovalOutcome(request_obj, applied=False, approvals=count, needed=needed)
        decisions = {a.tokens_decision for a in earlier} | {tokens_decision}
        final_tokens = TokensDecision.REVOKE if TokensDecision.REVOKE in decisions else "keep"
        locked = recovery_transition(
            request_obj=locked,
            to_state=State.APPROVED,
            actor=actor,
            actor_kind="staff",
            justification=justification,
            details={
                "action": "approve",
                "approvers": [a.approver.username for a in earlier if a.approver]
                + [actor.username],
                "tokens": final_tokens,
            },
        )
        RecoveryRequest.objects.filter(pk=locked.pk).update(tokens_decision=final_tokens)
        locked.tokens_decision = final_tokens
        notify.cooling_off_started(locked)
    request_obj.refresh_from_db()
    return ApprovalOutcome(request_obj, applied=True, approvals=count, needed=needed)


def recovery_deny(
    *, request_obj: RecoveryRequest, actor: Any, justification: str, reason_to_share: str
) -> RecoveryRequest:
    """Deny the case and email the requester the reason the staff member chose to share.

    ``justification`` is internal (audit trail); ``reason_to_share`` goes to the requester
    and into the case thread.
    """
    _check_staff(actor, request_obj, deciding=True)
    reason_to_share = (reason_to_share or "").strip()
    if not reason_to_share:
        raise DecisionError("Write the reason to share with the requester.")
    with transaction.atomic():
        recovery_transition(
            request_obj=request_obj,
            to_state=State.DENIED,
            actor=actor,
            actor_kind="staff",
            justification=justification,
            details={"action": "deny"},
        )
        RecoveryMessage.objects.create(
            request=request_obj,
            author_kind=RecoveryMessage.AuthorKind.STAFF,
            author=actor,
            body=reason_to_share,
        )
        notify.denied(request_obj, reason=reason_to_share)
    return request_obj


def resend_restore_link(*, request_obj: RecoveryRequest, actor: Any, justification: str) -> str:
    """Staff: send a fresh restore link to a ready case (the old one stops working)."""
    _check_staff(actor, request_obj)
    with transaction.atomic():
        locked = staff_action(
            request_obj=request_obj,
            actor=actor,
            action="resend_restore_link",
            justification=justification,
        )
        if locked.state != State.READY:
            raise IllegalTransition("Only a case whose restore link was sent can get a new one.")
        return issue_restore_link(request_obj=locked)
