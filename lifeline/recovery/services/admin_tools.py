"""Account tools for desk admins: freeze, unfreeze, mark critical, force a password reset.

Each needs a written justification and is recorded as an account event with the staff
member as the actor and the justification in the details.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email
from lifeline.recovery.services import roles
from lifeline.recovery.services.links import absolute
from lifeline.recovery.services.restore import end_all_sessions
from lifeline.recovery.states import min_justification_length

FROZEN_MESSAGE = "This account is frozen; contact support."


class ToolRefused(Exception):
    pass


def _check(actor: Any, user: Any, justification: str) -> str:
    try:
        roles.require_admin(actor)
    except roles.NotAllowed as exc:
        raise ToolRefused(str(exc)) from exc
    if getattr(user, "pk", None) == getattr(actor, "pk", None):
        raise ToolRefused("Use another admin's account to act on your own.")
    justification = (justification or "").strip()
    if len(justification) < min_justification_length():
        raise ToolRefused(
            f"Write a justification of at least {min_justification_length()} characters."
        )
    return justification


def account_freeze(*, user: Any, actor: Any, justification: str) -> int:
    """Freeze the account: end every session and block sign-in (the login page says to
    contact support). Returns the number of sessions ended."""
    justification = _check(actor, user, justification)
    with transaction.atomic():
        user.frozen_at = timezone.now()
        user.frozen_reason = justification[:500]
        user.save(update_fields=["frozen_at", "frozen_reason"])
        ended = end_all_sessions(user)
        record_event(
            tag=EventTag.STAFF_FREEZE,
            user=user,
            actor=actor,
            details={"justification": justification, "sessions_ended": ended},
        )
    return ended


def account_unfreeze(*, user: Any, actor: Any, justification: str) -> None:
    justification = _check(actor, user, justification)
    with transaction.atomic():
        user.frozen_at = None
        user.frozen_reason = ""
        user.save(update_fields=["frozen_at", "frozen_reason"])
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
    from lifeline.recovery.models import RecoveryRequest
    from lifeline.recovery.states import TERMINAL_STATES

    justification = _check(actor, user, justification)
    if not critical and (
        RecoveryRequest.objects.filter(user=user).exclude(state__in=TERMINAL_STATES).exists()
    ):
        raise ToolRefused(
            "This account has an open recovery case. Its critical flag can be cleared only "
            "after the case is closed, so the two-person rule can't be lifted mid-case."
        )
    with transaction.atomic():
        user.is_critical = critical
        user.save(update_fields=["is_critical"])
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
        user.set_unusable_password()
        user.save(update_fields=["password"])
        ended = end_all_sessions(user)
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
        reset_url = absolute(path)
        record_event(
            tag=EventTag.STAFF_FORCE_RESET,
            user=user,
            actor=actor,
            details={"justification": justification, "sessions_ended": ended},
        )
        send_email(template="recovery_force_reset", user=user, context={"reset_url": reset_url})
