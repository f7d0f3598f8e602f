"""Filing a request, confirming the contact address, withdrawing, owner cancel, expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lifeline.core import ratelimit
from lifeline.core.client import describe_browser
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email
from lifeline.recovery import crypto
from lifeline.recovery.models import RecoveryMessage, RecoveryRequest
from lifeline.recovery.services.contest import contest_case
from lifeline.recovery.services.links import absolute, cancel_url, status_url
from lifeline.recovery.services.owner_alerts import alert_owner
from lifeline.recovery.states import QUEUED_STATES, IllegalTransition, State, recovery_transition


class LinkProblem(Exception):
    """A link that cannot be used: ``invalid`` (unknown or tampered), ``expired`` or ``used``."""

    def __init__(self, code: str, request_obj: RecoveryRequest | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.request_obj = request_obj


@dataclass(frozen=True)
class VerifyOutcome:
    request_obj: RecoveryRequest
    merged_into: RecoveryRequest | None = None


def submitted_ttl() -> timedelta:
    return timedelta(hours=settings.LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS)


def active_request_for(
    user: Any | None, *, exclude_pk: int | None = None
) -> RecoveryRequest | None:
    """The account's request in the queue (at most one), if any."""
    if user is None:
        return None
    qs = RecoveryRequest.objects.filter(user=user, state__in=list(QUEUED_STATES))
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def find_account(username: str) -> Any | None:
    User = get_user_model()
    return User.objects.filter(username__iexact=username.strip()).first()


def submission_limit(*, username: str, contact_email: str, ip: str | None) -> ratelimit.Verdict:
    """Count one submission of the request form, and say whether it may proceed.

    Nobody can block the owner's own request. Two limits, counted together (an attempt the
    per-IP limit refuses counts against nothing else, see ``ratelimit.check_all``):

    * ``submit_ip`` per client IP, against volume from one place;
    * ``submit_username`` per **username and contact address together**, against repeating
      the same request into the same inbox. It is not per username alone: then three bogus
      requests an hour, from anywhere, locked the real owner out. Only someone filing with
      the owner's own new contact address shares the owner's bucket, and the owner can
      always choose an address nobody else knows.

    No exemption depends on the account (say, for its verified addresses): the limit behaves
    the same whether or not the username exists and whichever address is typed, so it is no
    oracle for which address belongs to which account.
    """
    specs = settings.LIFELINE_RECOVERY_RATE_LIMITS
    pair = f"u:{username.strip().lower()}\x00c:{contact_email.strip().lower()}"
    return ratelimit.check_all(
        "recovery:submit", [(ip or "", specs["submit_ip"]), (pair, specs["submit_username"])]
    )


def recovery_request_submit(
    *,
    username: str,
    contact_email: str,
    lost_email_access: bool,
    email_wrong_from_start: bool,
    lost_2fa: bool,
    lost_recovery_codes: bool,
    description: str,
    ip: str | None,
    user_agent: str,
    device_key: str | None = None,
) -> RecoveryRequest:
    """File a request. It waits in ``submitted`` until its contact address is confirmed.

    Enumeration: whether or not the username exists, the same work is done (one row, one
    verification email to the contact address) and the caller shows the same response. When
    the account already has a request in the queue, this submission is also attached to that
    case as a note; the submitter is told nothing about it.
    """
    user = find_account(username)
    raw_verify = crypto.new_link_token()
    with transaction.atomic():
        request_obj = RecoveryRequest.objects.create(
            username_entered=username.strip()[:150],
            user=user,
            contact_email=contact_email.strip().lower(),
            lost_email_access=lost_email_access,
            email_wrong_from_start=email_wrong_from_start,
            lost_2fa=lost_2fa,
            lost_recovery_codes=lost_recovery_codes,
            description=description.strip(),
            submitted_ip=ip,
            submitted_user_agent=(user_agent or "")[:400],
            verify_token_hash=crypto.hash_link_token(raw_verify),
            challenge=crypto.new_challenge(),
        )
        existing = active_request_for(user, exclude_pk=request_obj.pk)
        if existing is not None:
            _attach_note(
                existing, request_obj, "Another recovery request was filed for this account."
            )
        record_event(
            tag=EventTag.RECOVERY_SUBMIT,
            user=user,
            details={
                "request": request_obj.reference,
                **({"attached_to": existing.reference} if existing else {}),
            },
        )
        verify_path = reverse(
            "recovery_verify", kwargs={"public_id": request_obj.public_id, "token": raw_verify}
        )
        send_email(
            template="recovery_contact_verify",
            to=[request_obj.contact_email],
            include_unverified=True,
            context={
                "request_obj": request_obj,
                "verify_url": absolute(verify_path),
                "ttl_hours": settings.LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS,
            },
        )
        if device_key and user is not None:
            from lifeline.recovery.services.proofs import proof_device

            proof_device(request_obj=request_obj, device_key=device_key)
    return request_obj


def _attach_note(case: RecoveryRequest, submission: RecoveryRequest, text: str) -> None:
    RecoveryMessage.objects.create(
        request=case,
        kind=RecoveryMessage.Kind.NOTE,
        author_kind=RecoveryMessage.AuthorKind.SYSTEM,
        body=text,
        details={
            "submission": submission.reference,
            "contact_email": submission.contact_email,
            "contact_verified": submission.contact_verified_at is not None,
            "ip": submission.submitted_ip,
            "browser": describe_browser(submission.submitted_user_agent),
            "lost": submission.lost_labels,
            "description": submission.description[:2000],
        },
    )


def expire_if_stale(request_obj: RecoveryRequest) -> bool:
    """Expire an unconfirmed request older than the TTL (the check on access). True if so."""
    if request_obj.state != State.SUBMITTED:
        return request_obj.state == State.EXPIRED
    if request_obj.created > timezone.now() - submitted_ttl():
        return False
    try:
        recovery_transition(
            request_obj=request_obj,
            to_state=State.EXPIRED,
            actor=None,
            actor_kind="system",
            details={"reason": "contact address not confirmed in time"},
        )
    except IllegalTransition:
        request_obj.refresh_from_db()
    return request_obj.state == State.EXPIRED


def expire_unverified_requests() -> int:
    """Scheduled job: expire every unconfirmed request past its TTL. Idempotent."""
    cutoff = timezone.now() - submitted_ttl()
    stale = RecoveryRequest.objects.filter(state=State.SUBMITTED, created__lte=cutoff)
    count = 0
    for request_obj in stale.iterator():
        if expire_if_stale(request_obj):
            count += 1
    return count


def get_by_public_id(public_id: Any) -> RecoveryRequest | None:
    try:
        return RecoveryRequest.objects.select_related("user").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


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
    if expire_if_stale(request_obj):
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
            _attach_note(
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
                send_email(
                    template="recovery_note_received",
                    to=[request_obj.contact_email],
                    include_unverified=True,
                    context={"request_obj": request_obj},
                )
            else:
                contest_case(case=existing, competitor=request_obj)
            return VerifyOutcome(request_obj=request_obj, merged_into=existing)
        recovery_transition(
            request_obj=request_obj, to_state=State.OPEN, actor=None, actor_kind="requester"
        )
        send_email(
            template="recovery_received",
            to=[request_obj.contact_email],
            include_unverified=True,
            context={"request_obj": request_obj, "status_url": status_url(request_obj)},
        )
        if request_obj.user is not None:
            alert_owner(
                request_obj=request_obj,
                template="recovery_owner_alert",
                context={"cancel_url": cancel_url(request_obj)},
            )
    return VerifyOutcome(request_obj=request_obj)


def check_cancel_link(signed: str) -> RecoveryRequest:
    public_id = crypto.unsign_cancel(
        signed, max_age_seconds=settings.LIFELINE_RECOVERY_CANCEL_LINK_DAYS * 86400
    )
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
    send_email(
        template="recovery_state_changed",
        to=[request_obj.contact_email],
        include_unverified=True,
        context={"request_obj": request_obj},
    )
    return request_obj


def recovery_withdraw(*, request_obj: RecoveryRequest) -> RecoveryRequest:
    """The requester withdraws their own request."""
    return recovery_transition(
        request_obj=request_obj, to_state=State.WITHDRAWN, actor=None, actor_kind="requester"
    )
