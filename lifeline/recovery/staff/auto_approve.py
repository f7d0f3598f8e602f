"""Auto-approval (``LIFELINE_RECOVERY_AUTO_APPROVE``, off by default): strong-evidence,
non-critical, uncontested cases go straight into cooling-off, with "policy" as the actor.

The scheduled job tries every open case; receivers also try right after a proof succeeds
or a case enters the queue (``lifeline.recovery.receivers``).
"""

from __future__ import annotations

from django.db import transaction

from lifeline.recovery import conf, notify
from lifeline.recovery.evidence import (
    account_is_contested,
    account_is_critical,
    evidence_for,
    independence_blockers,
)
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.policy import Level
from lifeline.recovery.staff.decisions import is_escalated
from lifeline.recovery.states import IllegalTransition, State
from lifeline.recovery.transition import recovery_transition
from lifeline.recovery.vouch import vouch_blockers

TokensDecision = RecoveryRequest.TokensDecision


def auto_approval_blockers(request_obj: RecoveryRequest) -> list[str]:
    """Why this case may not be approved by policy (empty: it may)."""
    blockers = []
    if not conf.auto_approve():
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
    blockers += vouch_blockers(request_obj)  # a recovery contact could not confirm
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
        notify.cooling_off_started(locked)
    request_obj.refresh_from_db()
    return True


def auto_approve_open_cases() -> int:
    """Scheduled job: auto-approve every qualifying open case (nothing when the setting is
    off). Idempotent; receivers also try right after a proof succeeds."""
    if not conf.auto_approve():
        return 0
    count = 0
    for request_obj in RecoveryRequest.objects.filter(state=State.OPEN).order_by("queued_at"):
        try:
            if recovery_auto_approve(request_obj=request_obj):
                count += 1
        except IllegalTransition:
            continue
    return count
