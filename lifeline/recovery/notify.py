"""Every email recovery sends, one named function each.

The requester is reached only at the request's contact address, which is not an address of
the account (it may be unverified until the requester clicks the link):
:func:`to_requester` is the one place that sends there. Emails to the account's owner go to
its verified addresses (``user=``); owner alerts bounded per day are in
``lifeline.recovery.owner_alerts``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from lifeline.notifications.services import send_email
from lifeline.recovery.links import absolute, cancel_url, status_url
from lifeline.recovery.models import RecoveryMessage, RecoveryProof, RecoveryRequest

if TYPE_CHECKING:
    from lifeline.accounts.models import User


def to_requester(request_obj: RecoveryRequest, template: str, **context: Any) -> None:
    """Send ``template`` to the request's contact address (``request_obj`` in the context)."""
    send_email(
        template=template,
        to=[request_obj.contact_email],
        include_unverified=True,
        context={"request_obj": request_obj, **context},
    )


# --- to the requester (the contact address) ---------------------------------------------------


def contact_verify(request_obj: RecoveryRequest, *, verify_path: str, ttl_hours: int) -> None:
    to_requester(
        request_obj,
        "recovery_contact_verify",
        verify_url=absolute(verify_path),
        ttl_hours=ttl_hours,
    )


def request_received(request_obj: RecoveryRequest) -> None:
    to_requester(request_obj, "recovery_received", status_url=status_url(request_obj))


def note_received(request_obj: RecoveryRequest) -> None:
    """The same claimant filed again: their submission joined the open case as a note."""
    to_requester(request_obj, "recovery_note_received")


def state_changed(request_obj: RecoveryRequest) -> None:
    to_requester(request_obj, "recovery_state_changed")


def case_expired(request_obj: RecoveryRequest, *, days: int) -> None:
    to_requester(request_obj, "recovery_expired", days=days)


def proof_result(request_obj: RecoveryRequest, proof: RecoveryProof) -> None:
    to_requester(
        request_obj, "recovery_proof_result", proof=proof, status_url=status_url(request_obj)
    )


def support_message(request_obj: RecoveryRequest, message: RecoveryMessage) -> None:
    to_requester(
        request_obj,
        "recovery_support_message",
        message=message,
        status_url=status_url(request_obj),
    )


def denied(request_obj: RecoveryRequest, *, reason: str) -> None:
    to_requester(request_obj, "recovery_denied", reason=reason, status_url=status_url(request_obj))


def restore_link(
    request_obj: RecoveryRequest, *, restore_path: str, expires_at: datetime, ttl_hours: int
) -> None:
    to_requester(
        request_obj,
        "recovery_restore_link",
        restore_url=absolute(restore_path),
        expires_at=expires_at,
        ttl_hours=ttl_hours,
    )


def contested_contact(request_obj: RecoveryRequest, **context: Any) -> None:
    """Each contact address of a contested pair separately: neither learns the other's."""
    to_requester(request_obj, "recovery_contested_contact", **context)


def cooling_off_started(request_obj: RecoveryRequest) -> None:
    """Tell the owner at every verified address (with the cancel link) and the requester."""
    if request_obj.user is not None:
        send_email(
            template="recovery_cooling_off_owner",
            user=request_obj.user,
            context={
                "request_obj": request_obj,
                "cancel_url": cancel_url(request_obj),
                "completes_at": request_obj.completes_at,
            },
        )
    to_requester(
        request_obj,
        "recovery_approved",
        completes_at=request_obj.completes_at,
        status_url=status_url(request_obj),
    )


# --- to the account (its verified addresses) --------------------------------------------------


def account_recovered(
    request_obj: RecoveryRequest, user: User, *, addresses: list[str], new_primary: str
) -> None:
    """The addresses that were verified before the restore hear how to report it."""
    send_email(
        template="recovery_account_recovered",
        to=addresses,
        user=user,
        context={"request_obj": request_obj, "new_primary": new_primary},
    )


def restored(request_obj: RecoveryRequest, user: User, *, address: str) -> None:
    send_email(
        template="recovery_restored", to=[address], user=user, context={"request_obj": request_obj}
    )


def email_code(*, address: str, context: dict[str, Any]) -> None:
    """The code for the emailed-code proof, to one previously verified address."""
    send_email(template="recovery_email_code", to=[address], context=context)


def password_changed_during_request(user: User, context: dict[str, Any]) -> None:
    send_email(template="recovery_password_changed_during_request", user=user, context=context)


# --- to staff ---------------------------------------------------------------------------------


def desk_escalated(
    request_obj: RecoveryRequest, *, admin: User, by: str, justification: str
) -> None:
    send_email(
        template="recovery_desk_escalated",
        user=admin,
        context={"request_obj": request_obj, "by": by, "justification": justification},
    )


def role_grant_pending(member: User, context: dict[str, Any]) -> None:
    send_email(template="recovery_role_grant_pending", user=member, context=context)


def force_reset(user: User, *, reset_url: str) -> None:
    send_email(template="recovery_force_reset", user=user, context={"reset_url": reset_url})
