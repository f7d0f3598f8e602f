"""The one function that changes a case's state, the one audit writer for staff actions
that do not, and the one sweep that fires every timer.

* :func:`recovery_transition` checks the table (``lifeline.recovery.states.TRANSITIONS``: is
  this move legal, and may this kind of actor make it), takes a row lock and re-reads the
  state inside it (so two concurrent callers can never both apply), then writes the case
  audit row and the account's security event in the same transaction.
* :func:`staff_action` records a staff action that leaves the state alone (assign,
  escalate, the first of two approvals, re-sending a link) the same way: under the row
  lock, an audit row with ``from_state == to_state`` and ``details["action"]``, an event.
* :func:`fire_timer` / :func:`sweep_timers` apply ``lifeline.recovery.states.TIMERS``
  (unconfirmed requests expire, unanswered questions expire, cooling-off ends and the
  restore link goes out). The scheduled job sweeps; every view that shows a case fires its
  timer first, so a stopped worker strands nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery import conf, notify
from lifeline.recovery.evidence import evidence_for
from lifeline.recovery.justification import check_justification
from lifeline.recovery.models import RecoveryAudit, RecoveryRequest
from lifeline.recovery.restore_link import issue_restore_link
from lifeline.recovery.states import (
    ACTOR_KINDS,
    TERMINAL_STATES,
    TIMER_FOR_STATE,
    TIMERS,
    TRANSITIONS,
    ActorKind,
    IllegalTransition,
    State,
    Timer,
)

if TYPE_CHECKING:
    from lifeline.accounts.models import User


class DecisionError(IllegalTransition):
    """A staff action the rules refuse (same approver twice, missing role, closed case…)."""


def _validate(
    *, from_state: str, to_state: str, actor: User | None, actor_kind: str, justification: str
) -> None:
    if actor_kind not in ACTOR_KINDS:
        raise IllegalTransition(f"Unknown actor kind {actor_kind!r}.")
    try:
        frm, to = State(from_state), State(to_state)
    except ValueError as exc:
        raise IllegalTransition(str(exc), from_state=from_state, to_state=to_state) from exc
    rule = TRANSITIONS.get((frm, to))
    if rule is None:
        raise IllegalTransition(
            f"A request cannot go from {frm.value!r} to {to.value!r}.",
            from_state=frm,
            to_state=to,
        )
    if actor_kind not in rule.actors:
        raise IllegalTransition(
            f"A {actor_kind} may not move a request from {frm.value!r} to {to.value!r}.",
            from_state=frm,
            to_state=to,
        )
    if actor_kind == "staff":
        if actor is None or not getattr(actor, "is_staff", False):
            raise IllegalTransition("Only a staff member may act as staff.", from_state=frm)
        check_justification(justification)


def cooling_off_for(request_obj: RecoveryRequest) -> timedelta:
    """The cooling-off period the evidence policy gives this request right now."""
    return evidence_for(request_obj).cooling_off


def recovery_transition(
    *,
    request_obj: RecoveryRequest,
    to_state: str,
    actor: User | None,
    actor_kind: ActorKind,
    justification: str = "",
    details: dict[str, Any] | None = None,
) -> RecoveryRequest:
    """Move ``request_obj`` to ``to_state`` and return the fresh, locked-and-saved row.

    Raises :class:`IllegalTransition` when the table forbids the move, the actor kind may not
    make it, or a staff actor gives no (long enough) justification. The state is re-read
    under ``SELECT … FOR UPDATE``, so of two concurrent callers only the first applies; the
    second sees the new state and gets ``IllegalTransition``. Timestamps the desk relies on
    (``queued_at``, ``decided_at``, ``first_response_at``, ``completes_at``) are set here.
    """
    details = dict(details or {})
    justification = (justification or "").strip()
    to = State(to_state)
    with transaction.atomic():
        locked = RecoveryRequest.objects.select_for_update().get(pk=request_obj.pk)
        from_state = locked.state
        _validate(
            from_state=from_state,
            to_state=to,
            actor=actor,
            actor_kind=actor_kind,
            justification=justification,
        )
        now = timezone.now()
        locked.state = to
        locked.state_changed_at = now
        if from_state == State.SUBMITTED and to == State.OPEN:
            locked.queued_at = now
        if to in (State.APPROVED, State.DENIED) and locked.decided_at is None:
            locked.decided_at = now
        if actor_kind == "staff" and locked.first_response_at is None:
            locked.first_response_at = now
        if from_state in (State.APPROVED, State.READY) and to == State.OPEN:
            locked.completes_at = None  # cooling-off stopped: a new approval starts it again
        if to == State.APPROVED:
            locked.completes_at = now + cooling_off_for(locked)
            details.setdefault("completes_at", locked.completes_at.isoformat())
        if to == State.CANCELLED_BY_OWNER:
            locked.contested = True
        locked.save()
        actor_user = actor if getattr(actor, "pk", None) else None
        RecoveryAudit.objects.create(
            request=locked,
            from_state=from_state,
            to_state=to,
            actor=actor_user,
            actor_kind=actor_kind,
            justification=justification,
            details=details,
        )
        record_event(
            tag=EventTag.RECOVERY_CANCEL
            if to == State.CANCELLED_BY_OWNER
            else EventTag.RECOVERY_TRANSITION,
            user=locked.user,
            actor=actor_user,
            details={
                "request": locked.reference,
                "from": from_state,
                "to": to.value,
                "actor_kind": actor_kind,
                **({"justification": justification} if justification else {}),
                # The system's reason (expiry, contest…), shown in the owner's history.
                **({"reason": details["reason"]} if details.get("reason") else {}),
            },
        )
    request_obj.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


def staff_action(
    *,
    request_obj: RecoveryRequest,
    actor: User,
    action: str,
    justification: str,
    details: dict[str, Any] | None = None,
    allow_terminal: bool = False,
    justification_required: bool = True,
) -> RecoveryRequest:
    """Audit a staff action that does not change the state, under the case's row lock.

    Returns the locked row, so callers inside an outer ``atomic`` can change it further.
    Routine actions that decide nothing (assignment) pass ``justification_required=False``:
    they are still audited and recorded as an event, with the actor.
    """
    if justification_required:
        justification = check_justification(justification)
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


# --- timers -----------------------------------------------------------------------------------


def timer_duration(timer: Timer) -> timedelta:
    if not timer.setting:
        return timedelta(0)
    value = conf.get(timer.setting)
    return timedelta(hours=value) if timer.unit == "hours" else timedelta(days=value)


def timer_deadline(request_obj: RecoveryRequest, timer: Timer) -> datetime | None:
    start = getattr(request_obj, timer.clock)
    return None if start is None else start + timer_duration(timer)


def _reason(timer: Timer) -> str:
    value = conf.get(timer.setting) if timer.setting else ""
    return timer.reason.format(n=value)


def _expired_email(request_obj: RecoveryRequest) -> None:
    notify.case_expired(request_obj, days=conf.needs_info_ttl().days)


def _send_restore_link(request_obj: RecoveryRequest) -> None:
    issue_restore_link(request_obj=request_obj)


# What happens after a timer fired, in the same transaction (a failure rolls it back).
AFTER_TIMER: dict[str, Callable[[RecoveryRequest], None]] = {
    "needs_info": _expired_email,
    "cooling_off": _send_restore_link,
}


def fire_timer(request_obj: RecoveryRequest, *, now: datetime | None = None) -> bool:
    """Apply the timer of the case's state if its deadline has passed. True when it fired.

    Safe to call from any view and concurrently: the deadline is checked again under the
    row lock and the transition re-reads the state, so only one caller moves the case and
    only one email or restore link goes out. ``request_obj`` is updated in place.
    """
    now = now or timezone.now()
    timer = TIMER_FOR_STATE.get(request_obj.state)
    if timer is None:
        return False
    deadline = timer_deadline(request_obj, timer)
    if deadline is None or deadline > now:
        return False
    try:
        with transaction.atomic():
            locked = RecoveryRequest.objects.select_for_update().get(pk=request_obj.pk)
            deadline = timer_deadline(locked, timer)
            if locked.state != timer.state or deadline is None or deadline > now:
                raise IllegalTransition("The timer is no longer due.")
            locked = recovery_transition(
                request_obj=request_obj,
                to_state=timer.to_state,
                actor=None,
                actor_kind="system",
                details={"reason": _reason(timer)},
            )
            after = AFTER_TIMER.get(timer.name)
            if after is not None:
                after(locked)
    except IllegalTransition:
        request_obj.refresh_from_db()
        return False
    return True


def sweep_timers() -> int:
    """Scheduled job: fire every due timer (see ``states.TIMERS``). Idempotent; returns how
    many cases moved."""
    count = 0
    now = timezone.now()
    for timer in TIMERS:
        due = RecoveryRequest.objects.filter(state=timer.state)
        if timer.setting:
            due = due.filter(**{f"{timer.clock}__lte": now - timer_duration(timer)})
        else:
            due = due.filter(**{f"{timer.clock}__lte": now})
        for request_obj in due.select_related("user").order_by(timer.clock, "pk"):
            count += fire_timer(request_obj, now=now)
    return count
