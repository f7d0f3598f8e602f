"""The owner stops a recovery of their account: through the signed link in the alert (no
login needed), the logged-in banner, or by signing in with a second factor during
cooling-off."""

from __future__ import annotations

from typing import Any

from lifeline.recovery import conf, crypto, notify
from lifeline.recovery.links import LinkProblem, get_by_public_id
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.states import IllegalTransition, State
from lifeline.recovery.transition import recovery_transition


def check_cancel_link(signed: str) -> RecoveryRequest:
    public_id = crypto.unsign_cancel(signed, max_age_seconds=conf.cancel_link_days() * 86400)
    request_obj = get_by_public_id(public_id) if public_id else None
    if request_obj is None:
        raise LinkProblem("invalid")
    if request_obj.is_terminal or request_obj.state == State.COMPLETED:
        raise LinkProblem("used", request_obj)
    return request_obj


def recovery_owner_cancel(*, signed: str, actor: Any | None = None) -> RecoveryRequest:
    """Cancel through the owner's signed link (no login needed) or the logged-in banner.

    The request becomes ``cancelled_by_owner`` and is marked contested for the desk; the
    transition writes the audit row and the account event.
    """
    request_obj = check_cancel_link(signed)
    try:
        request_obj = recovery_transition(
            request_obj=request_obj,
            to_state=State.CANCELLED_BY_OWNER,
            actor=actor if getattr(actor, "pk", None) == request_obj.user_id else None,
            actor_kind="owner",
            details={"via": "signed link" if actor is None else "banner"},
        )
    except IllegalTransition as exc:
        request_obj.refresh_from_db()
        raise LinkProblem("used", request_obj) from exc
    notify.state_changed(request_obj)
    return request_obj


def cancel_on_owner_login(*, user: Any) -> list[RecoveryRequest]:
    """The owner signed in with a second factor: stop any recovery in cooling-off.

    Whoever can pass the account's second factor still holds the account, so a recovery of
    it is either unneeded or hostile. The case becomes ``cancelled_by_owner`` (contested).
    """
    stopped = []
    for request_obj in RecoveryRequest.objects.filter(
        user=user, state__in=[State.APPROVED, State.READY]
    ):
        try:
            recovery_transition(
                request_obj=request_obj,
                to_state=State.CANCELLED_BY_OWNER,
                actor=user,
                actor_kind="owner",
                details={"via": "second-factor sign-in during cooling-off"},
            )
        except IllegalTransition:
            continue
        notify.state_changed(request_obj)
        stopped.append(request_obj)
    return stopped
