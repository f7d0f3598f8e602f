"""The recovery request state machine as data: the states, ONE transition table, and the
timers that move a case on by themselves.

Pure data: nothing here imports the rest of the app. The one function that applies a
transition, and the one sweep that fires the timers, are in ``lifeline.recovery.transition``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import models

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
    # back to review, contested (lifeline.recovery.contest).
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


@dataclass(frozen=True)
class Timer:
    """A case that stays in ``state`` until its deadline moves on to ``to_state`` by itself.

    The deadline is ``clock`` (a field of the request) plus the duration setting named by
    ``setting`` (read through ``lifeline.recovery.conf``); ``setting`` empty means ``clock``
    is the deadline itself. ``reason`` goes into the audit row and the owner's history
    (``{n}`` is replaced by the duration in the setting's unit).
    """

    name: str
    state: State
    to_state: State
    clock: str
    setting: str
    unit: Literal["hours", "days", ""]
    reason: str


# THE timers: each is applied by the one sweep (lifeline.recovery.transition.sweep_timers),
# by the scheduled job and whenever a view looks at the case, so a stopped worker strands
# nothing.
TIMERS: tuple[Timer, ...] = (
    Timer(
        name="submitted_ttl",
        state=State.SUBMITTED,
        to_state=State.EXPIRED,
        clock="created",
        setting="LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS",
        unit="hours",
        reason="contact address not confirmed in time",
    ),
    Timer(
        name="needs_info",
        state=State.NEEDS_INFO,
        to_state=State.EXPIRED,
        clock="state_changed_at",
        setting="LIFELINE_RECOVERY_NEEDS_INFO_DAYS",
        unit="days",
        reason="no reply in {n} days",
    ),
    Timer(
        name="cooling_off",
        state=State.APPROVED,
        to_state=State.READY,
        clock="completes_at",
        setting="",
        unit="",
        reason="cooling-off ended",
    ),
)
TIMER_FOR_STATE: dict[str, Timer] = {t.state.value: t for t in TIMERS}
