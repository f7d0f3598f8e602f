"""The requester withdraws their own request."""

from __future__ import annotations

from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.states import State
from lifeline.recovery.transition import recovery_transition


def recovery_withdraw(*, request_obj: RecoveryRequest) -> RecoveryRequest:
    return recovery_transition(
        request_obj=request_obj, to_state=State.WITHDRAWN, actor=None, actor_kind="requester"
    )
