"""Account tools for desk admins: freeze, unfreeze, mark critical, force a password reset,
sign out everywhere.

Each needs a written justification and is recorded as an account event with the staff
member as the actor and the justification in the details.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lifeline.accounts.services import access
from lifeline.accounts.sessions import end_all_sessions
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery import notify
from lifeline.recovery.justification import check_justification
from lifeline.recovery.links import absolute
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.staff import roles
from lifeline.recovery.states import TERMINAL_STATES


class ToolRefused(Exception):
    """The tool may not be used here (not an admin, or on one's own account)."""


def _check(actor: Any, user: Any, justification: str) -> str:
    try:
        roles.require_admin(actor)
    except roles.NotAllowed as exc:
        raise ToolRefused(str(exc)) from exc
    if getattr(user, "pk", None) == getattr(actor, "pk", None):
        raise ToolRefused("Use another admin's account to act on your own.")
    return check_justification(justification)


def account_freeze(*, user: Any, actor: Any, justification: str) -> int:
    """Freeze the account: end every session and block sign-in (the login page says to
    contact support). Returns the number of sessions ended."""
    justification = _check(actor, user, justification)
    with transaction.atomic():
        access.freeze(user, reason=justification)
        ended = access.end_all_sessions(user)
        record_event(
            tag=EventTag.STAFF_FREEZE,
            user=user,
            actor=actor,
            details={"justification": justification, "sessions_ended": ended},
        )
    return ended


def account_end_sessions(*, user: Any, actor: Any, justification: str) -> int:
    """Sign the account out everywhere without freezing it (ASVS 7.4.5): for a session that
    may have been stolen while the owner still holds their password and factors. The owner is
    emailed a security notice; returns the number of sessions ended."""
    justification = _check(actor, user, justification)
    return end_all_sessions(user=user, actor=actor, justification=justification)


def account_unfreeze(*, user: Any, actor: Any, justification: str) -> None:
    justification = _check(actor, user, justification)
    with transaction.atomic():
        access.unfreeze(user)
        record_event(
            tag=EventTag.STAFF_UNFREEZE,
            user=user,
            actor=actor,
            details={"justification": justification},
        )


def account_mark_critical(*, user: Any, actor: Any, justification: str, critical: bool) -> None:
    """Flag (or unflag) the account critical: its recovery then needs two approvers.

    Unflagging is refused while a recovery case for the account is open: otherwise one admin
    could lower the bar mid-case and then be the only approver (the two-person rule).
    """
    justification = _check(actor, user, justification)
    if not critical and (
        RecoveryRequest.objects.filter(user=user).exclude(state__in=TERMINAL_STATES).exists()
    ):
        raise ToolRefused(
            "This account has an open recovery case. Its critical flag can be cleared only "
            "after the case is closed, so the two-person rule can't be lifted mid-case."
        )
    with transaction.atomic():
        access.set_critical(user, critical)
        record_event(
            tag=EventTag.STAFF_CRITICAL,
            user=user,
            actor=actor,
            details={"justification": justification, "critical": critical},
        )


def account_force_password_reset(*, user: Any, actor: Any, justification: str) -> None:
    """Make the current password unusable, end every session and email a reset link to every
    verified address of the account."""
    justification = _check(actor, user, justification)
    with transaction.atomic():
        access.make_password_unusable(user)
        ended = access.end_all_sessions(user)
        reset_url = absolute(access.password_reset_path(user))
        record_event(
            tag=EventTag.STAFF_FORCE_RESET,
            user=user,
            actor=actor,
            details={"justification": justification, "sessions_ended": ended},
        )
        notify.force_reset(user, reset_url=reset_url)
