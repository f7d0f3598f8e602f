"""Staff decisions on recovery cases: assign, ask for information, approve, deny, escalate.

Every state change goes through :func:`lifeline.recovery.states.recovery_transition` (the
one function: table check, row lock, audit row, account event). Actions that do not change
the state (assign, escalate, the first of two approvals) are written by :func:`desk_action`
the same way: under the case's row lock, with an audit row (``from_state == to_state`` and
``details["action"]``) and an account event in the same transaction.

Approval rules (``approval_rules``): at least moderate evidence (weak evidence only after an
escalation, and then by two admins); never a case on one's own account or sent to one's own
address; two different, unlinked staff members for a critical account or a contested case.
The first approval is recorded as a ``RecoveryApproval`` and the case stays open until enough
approvals are in. Only approvals given since the case last entered ``open`` count. A refused
approval is a ``DecisionError`` (shown on the desk) and an audit row.

Auto-approval (``LIFELINE_RECOVERY_AUTO_APPROVE``, off by default) moves strong-evidence,
non-critical, uncontested cases straight into cooling-off, with "policy" as the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email
from lifeline.recovery.models import (
    RecoveryApproval,
    RecoveryAudit,
    RecoveryMessage,
    RecoveryRequest,
)
from lifeline.recovery.policy import Level
from lifeline.recovery.services import approval_rules, roles
from lifeline.recovery.services.evidence import (
    account_is_contested,
    account_is_critical,
    evidence_for,
    independence_blockers,
)
from lifeline.recovery.services.links import status_url
from lifeline.recovery.states import (
    TERMINAL_STATES,
    IllegalTransition,
    State,
    min_justification_length,
    recovery_transition,
)

TokensDecision = RecoveryRequest.TokensDecision


class DecisionError(IllegalTransition):
    """A decision the rules refuse (same approver twice, missing role, short reason…)."""


@dataclass(frozen=True)
class ApprovalOutcome:
    request_obj: RecoveryRequest
    applied: bool  # True when the case entered cooling-off
    approvals: int
    needed: int


def _check_justification(justification: str) -> str:
    justification = (justification or "").strip()
    if len(justification) < min_justification_length():
        raise DecisionError(
            f"Write a justification of at least {min_justification_length()} characters."
        )
    return justification


def _check_staff(actor: Any, request_obj: RecoveryRequest, *, deciding: bool = False) -> None:
    if not roles.is_support(actor):
        raise DecisionError("Only support staff may act on recovery cases.")
    if deciding and is_escalated(request_obj) and not roles.is_admin(actor):
        raise DecisionError("This case was escalated: only a desk admin may decide it.")


def is_escalated(request_obj: RecoveryRequest) -> bool:
    return RecoveryAudit.objects.filter(request=request_obj, details__action="escalate").exists()


def desk_action(
    *,
    request_obj: RecoveryRequest,
    actor: Any,
    action: str,
    justification: str,
    details: dict[str, Any] | None = None,
    allow_terminal: bool = False,
    justification_required: bool = True,
) -> RecoveryRequest:
    """Record a staff action that does not change the state, under the case's row lock.

    Returns the locked row, so callers inside an outer ``atomic`` can change it further.
    Routine actions that decide nothing (assignment) pass ``justification_required=False``:
    they are still audited and recorded as an event, with the actor.
    """
    if justification_required:
        justification = _check_justification(justification)
    justification = (justification or "").strip()
    with transaction.atomic():
        locked = RecoveryRequest.objects.select_for_update().get(pk=request_obj.pk)
        if locked.state in TERMINAL_STATES and not allow_terminal:
            raise DecisionError(f"This case is {State(locked.state).label.lower()}.")
        RecoveryAudit.objects.create(
            request=locked,
            from_state=locked.state,
            to_state=locked.state,
            actor=actor,
            actor_kind="staff",
            justification=justification,
            details={"action": action, **(details or {})},
        )
        record_event(
            tag=EventTag.RECOVERY_DESK_ACTION,
            user=locked.user,
            actor=actor,
            details={
                "request": locked.reference,
                "action": action,
                **({"justification": justification} if justification else {}),
                **(details or {}),
            },
        )
    return locked


def recovery_assign(
    *, request_obj: RecoveryRequest, actor: Any, justification: str = ""
) -> RecoveryRequest:
    """Assign the case to ``actor`` ("assign to me").

    Assignment decides nothing, so it needs no justification; it is still written to the
    case's audit trail and as an account event, with the actor.
    """
    _check_staff(actor, request_obj)
    with transaction.atomic():
        locked = desk_action(
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
        desk_action(
            request_obj=request_obj, actor=actor, action="escalate", justification=justification
        )
        for admin in roles.admins():
            if admin.pk != actor.pk:
                send_email(
                    template="recovery_desk_escalated",
                    user=admin,
                    context={
                        "request_obj": request_obj,
                        "by": actor.username,
                        "justification": justification.strip(),
                    },
                )
    return request_obj


def recovery_request_info(
    *, request_obj: RecoveryRequest, actor: Any, justification: str, message: str
) -> RecoveryRequest:
    """Ask the requester for more information: ``open`` → ``needs_info``, and email them."""
    from lifeline.recovery.services.messages import recovery_message_post

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
    justification = _check_justification(justification)
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
            desk_action(
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
        _cooling_off_started(locked)
    request_obj.refresh_from_db()
    return ApprovalOutcome(request_obj, applied=True, approvals=count, needed=needed)


def _cooling_off_started(request_obj: RecoveryRequest) -> None:
    from lifeline.recovery.services.cooling import notify_cooling_off_started

    notify_cooling_off_started(request_obj=request_obj)


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
        send_email(
            template="recovery_denied",
            to=[request_obj.contact_email],
            include_unverified=True,
            context={
                "request_obj": request_obj,
                "reason": reason_to_share,
                "status_url": status_url(request_obj),
            },
        )
    return request_obj


# --- auto-approval ----------------------------------------------------------------------------


def auto_approval_blockers(request_obj: RecoveryRequest) -> list[str]:
    """Why this case may not be approved by policy (empty: it may)."""
    blockers = []
    if not getattr(settings, "LIFELINE_RECOVERY_AUTO_APPROVE", False):
        blockers.append("Auto-approval is off.")
    if request_obj.state != State.OPEN:
        blockers.append("The case is not in review.")
    if request_obj.user is None:
        blockers.append("No account matches the request.")
        return blockers
    if request_obj.user.frozen_at is not None:
        blockers.append("The account is frozen.")
    if evidence_for(request_obj).level != Level.STRONG:
        blockers.append("The evidence is not strong.")
    blockers += independence_blockers(request_obj)  # policy.auto_approval_blockers
    critical, _ = account_is_critical(request_obj.user)
    if critical:
        blockers.append("The account is critical.")
    if request_obj.contested or account_is_contested(request_obj.user):
        blockers.append("The owner contested a recovery of this account.")
    if is_escalated(request_obj):
        blockers.append("The case was escalated.")
    return blockers


def recovery_auto_approve(*, request_obj: RecoveryRequest) -> bool:
    """Approve by policy if the case qualifies. True when it entered cooling-off."""
    with transaction.atomic():
        locked = (
            # of=("self",): PostgreSQL can't lock the nullable side of the outer join.
            RecoveryRequest.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=request_obj.pk)
        )
        if auto_approval_blockers(locked):
            return False
        evidence = evidence_for(locked)
        locked = recovery_transition(
            request_obj=locked,
            to_state=State.APPROVED,
            actor=None,
            actor_kind="policy",
            details={
                "action": "auto_approve",
                "setting": "LIFELINE_RECOVERY_AUTO_APPROVE",
                "evidence": evidence.reasons,
                "tokens": TokensDecision.KEEP,
            },
        )
        RecoveryRequest.objects.filter(pk=locked.pk).update(tokens_decision=TokensDecision.KEEP)
        locked.tokens_decision = TokensDecision.KEEP
        _cooling_off_started(locked)
    request_obj.refresh_from_db()
    return True


def auto_approve_open_cases() -> int:
    """Scheduled job: auto-approve every qualifying open case (nothing when the setting is
    off). Idempotent; receivers also try right after a proof succeeds."""
    if not getattr(settings, "LIFELINE_RECOVERY_AUTO_APPROVE", False):
        return 0
    count = 0
    for request_obj in RecoveryRequest.objects.filter(state=State.OPEN).order_by("queued_at"):
        try:
            if recovery_auto_approve(request_obj=request_obj):
                count += 1
        except IllegalTransition:
            continue
    return count
