"""What the status page shows: queue position, an estimate, the timeline, next steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from lifeline.recovery.evidence import HIDDEN_FROM_REQUESTER
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.policy import label
from lifeline.recovery.staff.metrics import QueueEstimate, queue_estimate
from lifeline.recovery.states import State


@dataclass(frozen=True)
class QueueInfo:
    position: int
    ahead: int
    waited: timedelta  # time in the queue so far
    estimate: QueueEstimate  # the desk's own figures (lifeline.recovery.staff.metrics)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    kind: str  # state | proof | message


def queue_info(request_obj: RecoveryRequest, *, now: datetime | None = None) -> QueueInfo | None:
    """Position in the first-in-first-out queue and the estimate from recent decisions.

    The estimate is the desk's median time to decision over the last 30 days, computed by
    the same function as the desk's metrics page; with too few decisions there is none.
    """
    if request_obj.state not in (State.OPEN, State.NEEDS_INFO) or request_obj.queued_at is None:
        return None
    now = now or timezone.now()
    ahead = RecoveryRequest.objects.filter(
        state__in=[State.OPEN, State.NEEDS_INFO], queued_at__lt=request_obj.queued_at
    ).count()
    return QueueInfo(
        position=ahead + 1,
        ahead=ahead,
        waited=max(now - request_obj.queued_at, timedelta(0)),
        estimate=queue_estimate(),  # the desk's cached figures (metrics.desk_figures)
    )


def timeline(request_obj: RecoveryRequest) -> list[TimelineEntry]:
    entries = [TimelineEntry(request_obj.created, "Request filed.", "state")]
    for audit in request_obj.audit.all():
        if audit.from_state == audit.to_state:
            continue  # a support-desk action (assign, escalate…), not a state change
        entries.append(TimelineEntry(audit.created, f"{State(audit.to_state).label}.", "state"))
    for proof in request_obj.proofs.exclude(method__in=HIDDEN_FROM_REQUESTER):
        verdict = "succeeded" if proof.ok else "is being checked" if proof.pending else "failed"
        entries.append(
            TimelineEntry(
                proof.created, f"{label(proof.method)} {verdict}: {proof.shown_reason}", "proof"
            )
        )
    for message in request_obj.messages.filter(kind="message"):
        who = "Support" if message.author_kind == "staff" else "You"
        entries.append(TimelineEntry(message.created, f"{who} wrote a message.", "message"))
    return sorted(entries, key=lambda e: e.at)


NEXT_STEPS = {
    State.SUBMITTED: "Confirm your contact address through the link we emailed you.",
    State.OPEN: (
        "Your request is in the review queue. Complete as many proofs below as you can: "
        "strong evidence speeds up the decision and shortens the cooling-off period."
    ),
    State.NEEDS_INFO: "Support asked you something: reply below. Your request then returns to "
    "the queue.",
    State.APPROVED: (
        "Your request was approved. After the cooling-off period we email a restore link to "
        "your contact address. The account's owner can still cancel until then."
    ),
    State.READY: "We emailed a restore link to your contact address. Use it to set a new "
    "password and set up two-factor authentication.",
    State.COMPLETED: "Your account was restored.",
    State.DENIED: "Your request was denied. See the messages below for the reason.",
    State.WITHDRAWN: "You withdrew this request. You can file a new one at any time.",
    State.CANCELLED_BY_OWNER: (
        "Someone with access to the account's verified email cancelled this request. If that "
        "was not you, file a new request and explain: support will review it with care."
    ),
    State.EXPIRED: "This request expired. You can file a new one.",
}


def next_step(request_obj: RecoveryRequest) -> str:
    return NEXT_STEPS[State(request_obj.state)]
