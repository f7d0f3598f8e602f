"""Filing a recovery request (it waits in ``submitted`` until its contact address is
confirmed: ``lifeline.recovery.requester.verify``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from lifeline.core import ratelimit
from lifeline.core.client import describe_browser
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery import conf, crypto, notify
from lifeline.recovery.models import RecoveryMessage, RecoveryRequest
from lifeline.recovery.proofs.device import proof_device
from lifeline.recovery.states import QUEUED_STATES


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
    pair = f"u:{username.strip().lower()}\x00c:{contact_email.strip().lower()}"
    return ratelimit.check_all(
        "recovery:submit",
        [(ip or "", conf.rate_limit("submit_ip")), (pair, conf.rate_limit("submit_username"))],
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
            attach_note(
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
        notify.contact_verify(
            request_obj,
            verify_path=verify_path,
            ttl_hours=conf.get("LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS"),
        )
        if device_key and user is not None:
            proof_device(request_obj=request_obj, device_key=device_key)
    return request_obj


def attach_note(case: RecoveryRequest, submission: RecoveryRequest, text: str) -> None:
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
