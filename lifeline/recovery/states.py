"""The recovery request state machine: the states, ONE transition table, and the one function
that applies a transition.

Every change of ``RecoveryRequest.state`` goes through :func:`recovery_transition`. It checks
the table (is this move legal, and may this kind of actor make it), takes a row lock and
re-reads the state inside it (so two concurrent callers can never both apply), then writes
the case audit row and the account's security event in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

ActorKind = Literal["requester", "owner", "staff", "policy", "system"]
ACTOR_KINDS: tuple[str, ...] = ("requester", "owner", "staff", "policy", "system")


class State(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for the contact address to be confirmed"
    OPEN = "open", "In the review queue"
    NEEDS_INFO = "needs_info", "Waiting for your reply"
    APPROVED = "approved", "Approved, cooling-off period running"
    READY = "ready", "Restore link sent"
    COMPLETED = "completed", "Account restored"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CANCELLED_BY_OWNER = "cancelled_by_owner", "Cancelled by the account owner"
    EXPIRED = "expired", "Expired"


TERMINAL_STATES = frozenset(
    {State.COMPLETED, State.DENIED, State.WITHDRAWN, State.CANCELLED_BY_OWNER, State.EXPIRED}
)
# In the queue (the contact address is confirmed) and not yet decided or finished. At most one
# request per account may be in one of these states (a partial unique constraint enforces it).
QUEUED_STATES = frozenset({State.OPEN, State.NEEDS_INFO, State.APPROVED, State.READY})
# States in which the requester can still add proofs.
PROVING_STATES = frozenset({State.OPEN, State.NEEDS_INFO})


@dataclass(frozen=True)
class Rule:
    actors: frozenset[str]


def _rule(*actors: str) -> Rule:
    return Rule(frozenset(actors))


# THE transition table: (from, to) → who may make that move.
TRANSITIONS: dict[tuple[State, State], Rule] = {
    (State.SUBMITTED, State.OPEN): _rule("requester", "system"),
    (State.SUBMITTED, State.EXPIRED): _rule("system", "policy"),
    (State.SUBMITTED, State.WITHDRAWN): _rule("requester", "system"),
    (State.SUBMITTED, State.CANCELLED_BY_OWNER): _rule("owner"),
    (State.OPEN, State.NEEDS_INFO): _rule("staff"),
    (State.NEEDS_INFO, State.OPEN): _rule("requester", "staff"),
    (State.OPEN, State.APPROVED): _rule("staff", "policy"),
    (State.OPEN, State.DENIED): _rule("staff"),
    (State.NEEDS_INFO, State.DENIED): _rule("staff"),
    (State.NEEDS_INFO, State.EXPIRED): _rule("system", "policy"),
    (State.APPROVED, State.READY): _rule("system", "policy", "staff"),
    (State.APPROVED, State.DENIED): _rule("staff"),
    (State.READY, State.COMPLETED): _rule("requester", "system"),
    (State.READY, State.EXPIRED): _rule("system", "policy"),
    (State.OPEN, State.WITHDRAWN): _rule("requester"),
    (State.NEEDS_INFO, State.WITHDRAWN): _rule("requester"),
    (State.APPROVED, State.WITHDRAWN): _rule("requester"),
    (State.OPEN, State.CANCELLED_BY_OWNER): _rule("owner"),
    (State.NEEDS_INFO, State.CANCELLED_BY_OWNER): _rule("owner"),
    (State.APPROVED, State.CANCELLED_BY_OWNER): _rule("owner"),
    # The owner can still stop a restore whose link has been sent but not used.
    (State.READY, State.CANCELLED_BY_OWNER): _rule("owner"),
    # A competing request for the account was confirmed: cooling-off stops and the case goes
    # back to review, contested (lifeline.recovery.services.contest).
    (State.APPROVED, State.OPEN): _rule("system"),
    (State.READY, State.OPEN): _rule("system"),
}


class IllegalTransition(Exception):
    """A transition the table does not allow, or an actor who may not make it."""

    def __init__(self, message: str, *, from_state: str = "", to_state: str = "") -> None:
        super().__init__(message)
        self.from_state = from_state
        self.to_state = to_state


def allowed_targets(from_state: str, actor_kind: str) -> list[State]:
    """The states ``actor_kind`` may move a request in ``from_state`` to (for buttons)."""
    return [
        to
        for (frm, to), rule in TRANSITIONS.items()
        if frm == from_state and actor_kind in rule.actors
    ]


def can_transition(from_state: str, to_state: str, actor_kind: str) -> bool:
    rule = TRANSITIONS.get((State(from_state), State(to_state)))
    return rule is not None and actor_kind in rule.actors


def min_justification_length() -> int:
    return int(getattr(settings, "LIFELINE_RECOVERY_MIN_JUSTIFICATION", 20))


def _validate(
    *, from_state: str, to_state: str, actor: Any, actor_kind: str, justification: str
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
        if len(justification.strip()) < min_justification_length():
            raise IllegalTransition(
                f"Staff decisions need a justification of at least "
                f"{min_justification_length()} characters.",
                from_state=frm,
                to_state=to,
            )


def recovery_transition(
    *,
    request_obj: Any,
    to_state: str,
    actor: Any | None,
    actor_kind: ActorKind,
    justification: str = "",
    details: dict[str, Any] | None = None,
) -> Any:
    """Move ``request_obj`` to ``to_state`` and return the fresh, locked-and-saved row.

    Raises :class:`IllegalTransition` when the table forbids the move, the actor kind may not
    make it, or a staff actor gives no (long enough) justification. The state is re-read
    under ``SELECT … FOR UPDATE``, so of two concurrent callers only the first applies; the
    second sees the new state and gets ``IllegalTransition``. Timestamps the desk relies on
    (``queued_at``, ``decided_at``, ``first_response_at``, ``completes_at``) are set here.
    """
    from lifeline.events.services import record_event
    from lifeline.events.tags import EventTag
    from lifeline.recovery.models import RecoveryAudit, RecoveryRequest

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


def cooling_off_for(request_obj: Any) -> timedelta:
    """The cooling-off period the evidence policy gives this request right now."""
    from lifeline.recovery.services.evidence import evidence_for

    return evidence_for(request_obj).cooling_off
