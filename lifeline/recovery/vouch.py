"""Vouches from recovery contacts (issue 13, item 5): the recovery side.

When a recovery request for an account enters review, each of the account's accepted
recovery contacts (``lifeline.checkup.contacts.contacts_for``) is asked, on their pages and
by email, whether the request really comes from the owner. Each ask is a *pending* proof
(``RecoveryProof`` with method ``vouch``): no new table, and the evidence policy, the case
page, the status page and auto-approval read it like any other proof.

Policy (docs/recovery.md):

* A vouch is a **medium** proof whose boundary is the contact's account
  (``recovery_contact:<id>``): forging it takes that account. Two contacts are two
  boundaries, so two vouches are two independent medium proofs: **moderate** evidence,
  never strong; strong evidence still needs a strong proof (``policy.evidence_level``).
* "I could not confirm it" is a failed proof and a **warning**: staff see it on the case,
  and ``vouch_blockers`` stops auto-approval.
* A contact who accepted less than ``TENURE`` (30 days) before the request was made is not
  asked and cannot answer: someone who just took over an account could otherwise name
  their own accounts as contacts and vouch for themselves.
* Answering needs the contact to be signed in with 2FA and in sudo mode (the views).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lifeline.checkup.contacts import contacts_for
from lifeline.checkup.contacts_models import RecoveryContact
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email
from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.policy import Method
from lifeline.recovery.proofs.common import complete_proof
from lifeline.recovery.states import PROVING_STATES

METHOD = Method.VOUCH
TENURE = timedelta(days=30)
CONFIRMED = "confirmed"
COULD_NOT_CONFIRM = "could_not_confirm"
CONFIRM_TEXT = (
    "I have confirmed, through a channel we already share, that this request comes from the "
    "real owner"
)
REFUSE_TEXT = "I could not confirm it"


class VouchError(Exception):
    """The answer was not taken; the message is shown as is."""


def boundary_for(contact: Any) -> str:
    return f"recovery_contact:{contact.pk}"


def counts(*, contact_since: datetime | None, request_created: datetime) -> bool:
    """Was the link old enough when the request was made? (Pure: the 30-day rule.)"""
    return contact_since is not None and contact_since <= request_created - TENURE


def eligible_contacts(request_obj: RecoveryRequest) -> list[RecoveryContact]:
    if request_obj.user is None:
        return []
    return [
        link
        for link in contacts_for(request_obj.user)
        if counts(contact_since=link.accepted_at, request_created=request_obj.created)
    ]


def vouch_url(proof: RecoveryProof) -> str:
    return f"{settings.LIFELINE_BASE_URL}{reverse('recovery_vouch', args=[proof.pk])}"


def vouches_request(*, request_obj: RecoveryRequest) -> list[RecoveryProof]:
    """Ask every eligible contact once (idempotent): a pending vouch proof and an email each."""
    asked = set(
        RecoveryProof.objects.filter(request=request_obj, method=METHOD).values_list(
            "boundary", flat=True
        )
    )
    created = []
    with transaction.atomic():
        for link in eligible_contacts(request_obj):
            contact = link.contact
            if boundary_for(contact) in asked:
                continue
            proof = RecoveryProof.objects.create(
                request=request_obj,
                method=METHOD,
                result=RecoveryProof.Result.PENDING,
                strength="medium",
                boundary=boundary_for(contact),
                reason=f"Waiting for the recovery contact {contact.username} to answer.",
                requester_reason="Waiting for one of the owner's recovery contacts to answer.",
                details={
                    "contact_id": contact.pk,
                    "contact": contact.username,
                    "contact_since": link.accepted_at.isoformat(),
                },
            )
            record_event(
                tag=EventTag.VOUCH_REQUEST,
                user=contact,
                details={"owner": request_obj.user.username, "request": request_obj.reference},
            )
            send_email(
                template="recovery_vouch_request",
                user=contact,
                context={
                    "owner_name": request_obj.user.username,
                    "requested_at": request_obj.created,
                    "vouch_url": vouch_url(proof),
                    "confirm_text": CONFIRM_TEXT,
                    "refuse_text": REFUSE_TEXT,
                },
            )
            created.append(proof)
    return created


@dataclass(frozen=True)
class VouchAsk:
    proof: RecoveryProof
    request: RecoveryRequest
    owner_name: str


def open_vouches_for(contact: Any) -> list[VouchAsk]:
    """Vouch requests waiting for ``contact``'s answer (cases still in review).

    Asked on every page (the banner): only someone who is anyone's accepted recovery contact
    costs a look at the proofs."""
    if not RecoveryContact.objects.filter(
        contact=contact, status=RecoveryContact.Status.ACCEPTED
    ).exists():
        return []
    proofs = RecoveryProof.objects.filter(
        method=METHOD,
        result=RecoveryProof.Result.PENDING,
        boundary=boundary_for(contact),
        request__state__in=PROVING_STATES,
    ).select_related("request__user")
    return [
        VouchAsk(proof=p, request=p.request, owner_name=p.request.user.username)
        for p in proofs
        if p.request.user is not None
    ]


def vouch_for(*, contact: Any, proof_id: int) -> VouchAsk:
    for ask in open_vouches_for(contact):
        if ask.proof.pk == proof_id:
            return ask
    raise VouchError("This request to vouch is no longer open.")


def vouch_answer(*, contact: Any, proof_id: int, confirmed: bool) -> RecoveryProof:
    """Record the contact's answer. The link must still exist and be old enough."""
    with transaction.atomic():
        ask = vouch_for(contact=contact, proof_id=proof_id)
        link = RecoveryContact.objects.filter(
            owner=ask.request.user, contact=contact, status=RecoveryContact.Status.ACCEPTED
        ).first()
        if link is None or not counts(
            contact_since=link.accepted_at, request_created=ask.request.created
        ):
            raise VouchError(
                f"You are no longer a recovery contact of {ask.owner_name} who can vouch."
            )
        if confirmed:
            reason = f"The recovery contact {contact.username} confirmed it is the owner."
        else:
            reason = (
                f"Warning: the recovery contact {contact.username} could not confirm that "
                "this request comes from the owner."
            )
        RecoveryProof.objects.filter(pk=ask.proof.pk).update(
            requester_reason="One of the owner's recovery contacts answered."
        )
        proof = complete_proof(
            proof_id=ask.proof.pk,
            ok=confirmed,
            reason=reason,
            details={
                "answer": CONFIRMED if confirmed else COULD_NOT_CONFIRM,
                "answered_at": timezone.now().isoformat(),
            },
        )
        if proof is None:
            raise VouchError("This request to vouch was already answered.")
        record_event(
            tag=EventTag.VOUCH_ANSWER,
            user=ask.request.user,
            actor=contact,
            details={
                "contact": contact.username,
                "answer": CONFIRMED if confirmed else COULD_NOT_CONFIRM,
                "request": ask.request.reference,
            },
        )
    return proof


def could_not_confirm(request_obj: RecoveryRequest) -> list[RecoveryProof]:
    return [
        p
        for p in RecoveryProof.objects.filter(request=request_obj, method=METHOD)
        if (p.details or {}).get("answer") == COULD_NOT_CONFIRM
    ]


def vouch_blockers(request_obj: RecoveryRequest) -> list[str]:
    """Why auto-approval must stop: a contact could not confirm (staff decide)."""
    return [
        f"The recovery contact {(p.details or {}).get('contact', '')} could not confirm that "
        "this request comes from the owner."
        for p in could_not_confirm(request_obj)
    ]


def open_requests_on_queue(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    """post_save of RecoveryAudit: the request entered review for the first time."""
    if created and instance.to_state == "open" and instance.from_state == "submitted":
        request_obj = RecoveryRequest.objects.select_related("user").get(pk=instance.request_id)
        vouches_request(request_obj=request_obj)
