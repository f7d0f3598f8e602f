"""A competing request is a red flag: the case becomes contested and its cooling-off stops.

When a second request for an account is *confirmed* (its submitter proved control of the
contact address) while the account's case is in the queue (open, needs_info, approved or
ready), two people claim the same account and at most one of them is its owner. Then:

* the case is marked ``contested`` (the desk lists it first, and it needs two approvers);
* if it was in cooling-off (``approved``) or its restore link was out (``ready``), it goes back
  to review (``open``) through the state machine, with the reason in the audit trail; every
  unused restore link stops working and earlier approvals no longer count;
* the owner is told at every verified address (with the cancel link of the case), and both
  contact addresses are told that the case now gets a closer review.

Why at confirmation and not at submission: an unconfirmed submission costs nothing (any
address, typed by anyone) and may be spam. If it could stop a cooling-off, anyone could stall
a genuine recovery forever with throwaway submissions. An unconfirmed submission is attached
to the case as a note for staff (``requests.recovery_request_submit``); it becomes a contest
when it becomes real. Confirmed submissions are bounded by the per-username limit and the
owner's daily alert bound (``owner_alerts``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery import notify
from lifeline.recovery.links import cancel_url
from lifeline.recovery.models import RecoveryAudit, RecoveryRequest, RestoreLink
from lifeline.recovery.owner_alerts import alert_owner
from lifeline.recovery.states import State
from lifeline.recovery.transition import recovery_transition

COOLING_STATES = (State.APPROVED, State.READY)
REASON = "A competing recovery request for this account was confirmed."


def contest_case(*, case: RecoveryRequest, competitor: RecoveryRequest) -> RecoveryRequest:
    """Mark ``case`` contested because ``competitor`` was confirmed; stop its cooling-off.

    Call inside the transaction that confirms ``competitor``. Returns the fresh case row.
    """
    details = {
        "action": "contested",
        "reason": REASON,
        "competing_request": competitor.reference,
    }
    with transaction.atomic():
        locked = RecoveryRequest.objects.select_for_update().get(pk=case.pk)
        stopped_from = locked.state if locked.state in COOLING_STATES else ""
        if stopped_from:
            locked = recovery_transition(
                request_obj=locked,
                to_state=State.OPEN,
                actor=None,
                actor_kind="system",
                justification="",
                details={**details, "cooling_off_stopped": True},
            )
            RestoreLink.objects.filter(
                request=locked, used_at__isnull=True, superseded_at__isnull=True
            ).update(superseded_at=timezone.now())
        else:
            RecoveryAudit.objects.create(
                request=locked,
                from_state=locked.state,
                to_state=locked.state,
                actor=None,
                actor_kind="system",
                details=details,
            )
        RecoveryRequest.objects.filter(pk=locked.pk).update(contested=True)
        locked.contested = True
        record_event(
            tag=EventTag.RECOVERY_CONTESTED,
            user=locked.user,
            details={
                "request": locked.reference,
                "competing_request": competitor.reference,
                **({"cooling_off_stopped_from": stopped_from} if stopped_from else {}),
            },
        )
        context = {
            "case": locked,
            "competitor": competitor,
            "cooling_off_stopped": bool(stopped_from),
        }
        # The owner hears about the competing request like about any new request (bounded
        # per day), except when a cooling-off they were told about has just stopped.
        alert_owner(
            request_obj=competitor,
            template="recovery_contested_owner",
            context={**context, "cancel_url": cancel_url(locked)},
            force=bool(stopped_from),
        )
        # Each contact address separately: neither learns the other's address.
        for request_obj in (locked, competitor):
            notify.contested_contact(request_obj, **context)
    case.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked
