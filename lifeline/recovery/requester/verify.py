"""Confirming the contact address: the request enters the review queue, or joins the
account's open case (as a note, or as a competing claim that contests it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lifeline.recovery import crypto, notify
from lifeline.recovery.contest import contest_case
from lifeline.recovery.links import LinkProblem, cancel_url, get_by_public_id
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.owner_alerts import alert_owner
from lifeline.recovery.requester.submit import active_request_for, attach_note
from lifeline.recovery.states import State
from lifeline.recovery.transition import fire_timer, recovery_transition


@dataclass(frozen=True)
class VerifyOutcome:
    request_obj: RecoveryRequest
    merged_into: RecoveryRequest | None = None


def check_verify_link(*, public_id: Any, token: str) -> RecoveryRequest:
    """The request a verification link is for, or :class:`LinkProblem` (never a 500)."""
    request_obj = get_by_public_id(public_id)
    if request_obj is None or not crypto.link_token_matches(token, request_obj.verify_token_hash):
        if (
            request_obj is not None
            and request_obj.contact_verified_at
            and not request_obj.verify_token_hash
        ):
            raise LinkProblem("used", request_obj)
        raise LinkProblem("invalid")
    fire_timer(request_obj)  # an unconfirmed request past its TTL expires now
    if request_obj.state == State.EXPIRED:
        raise LinkProblem("expired", request_obj)
    if request_obj.state != State.SUBMITTED:
        raise LinkProblem("used", request_obj)
    return request_obj


def recovery_contact_verify(*, public_id: Any, token: str) -> VerifyOutcome:
    """Confirm the contact address; the request enters the queue (or joins the open case).

    The account row is locked so two submissions verified at once cannot both become the
    account's active case. The owner is alerted at every verified address.
    """
    User = get_user_model()
    request_obj = check_verify_link(public_id=public_id, token=token)
    with transaction.atomic():
        if request_obj.user_id is not None:
            User.objects.select_for_update().filter(pk=request_obj.user_id).first()
        request_obj = RecoveryRequest.objects.select_for_update().get(pk=request_obj.pk)
        if request_obj.state != State.SUBMITTED or not request_obj.verify_token_hash:
            raise LinkProblem("used", request_obj)
        request_obj.contact_verified_at = timezone.now()
        request_obj.verify_token_hash = ""
        request_obj.save(update_fields=["contact_verified_at", "verify_token_hash"])
        existing = active_request_for(request_obj.user, exclude_pk=request_obj.pk)
        if existing is not None:
            attach_note(
                existing, request_obj, "A second submitter confirmed their contact address."
            )
            recovery_transition(
                request_obj=request_obj,
                to_state=State.WITHDRAWN,
                actor=None,
                actor_kind="system",
                details={"merged_into": existing.reference},
            )
            if request_obj.contact_email == existing.contact_email:
                # The same claimant filing again: a note for staff, not a competing claim.
                notify.note_received(request_obj)
            else:
                contest_case(case=existing, competitor=request_obj)
            return VerifyOutcome(request_obj=request_obj, merged_into=existing)
        recovery_transition(
            request_obj=request_obj, to_state=State.OPEN, actor=None, actor_kind="requester"
        )
        notify.request_received(request_obj)
        if request_obj.user is not None:
            alert_owner(
                request_obj=request_obj,
                template="recovery_owner_alert",
                context={"cancel_url": cancel_url(request_obj)},
            )
    return VerifyOutcome(request_obj=request_obj)
