"""Cooling-off, the owner's last chance, and the restore link.

* On approval every verified address of the account is told again, with the one-click
  cancel (:func:`notify_cooling_off_started`).
* If the owner cancels, or signs in with a second factor while the case is approved or
  ready, the case stops (``cancelled_by_owner``): :func:`cancel_on_owner_login`.
* When ``completes_at`` has passed, the case becomes ``ready`` and a single-use restore link
  (valid ``LIFELINE_RECOVERY_RESTORE_LINK_HOURS``, 72 h) goes to the verified contact
  address. A scheduled job does it (:func:`advance_due_cases`), and so does every view that
  shows the case (:func:`advance_if_due`), so a stopped worker cannot strand a case.
* Only the SHA-256 digest of the restore token is stored (``RestoreLink.token_hash``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lifeline.notifications.services import send_email
from lifeline.recovery import crypto
from lifeline.recovery.models import RecoveryRequest, RestoreLink
from lifeline.recovery.services.links import absolute, cancel_url, status_url
from lifeline.recovery.services.requests import LinkProblem, get_by_public_id
from lifeline.recovery.states import IllegalTransition, State, recovery_transition


def restore_link_ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "LIFELINE_RECOVERY_RESTORE_LINK_HOURS", 72))


def notify_cooling_off_started(*, request_obj: RecoveryRequest) -> None:
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
    send_email(
        template="recovery_approved",
        to=[request_obj.contact_email],
        include_unverified=True,
        context={
            "request_obj": request_obj,
            "completes_at": request_obj.completes_at,
            "status_url": status_url(request_obj),
        },
    )


def issue_restore_link(*, request_obj: RecoveryRequest) -> str:
    """Create a new restore link (older ones stop working) and email it to the contact
    address. Returns the raw token (for tests; it is never stored)."""
    raw = crypto.new_link_token()
    now = timezone.now()
    with transaction.atomic():
        RestoreLink.objects.filter(
            request=request_obj, used_at__isnull=True, superseded_at__isnull=True
        ).update(superseded_at=now)
        link = RestoreLink.objects.create(
            request=request_obj,
            token_hash=crypto.hash_link_token(raw),
            email=request_obj.contact_email,
            expires_at=now + restore_link_ttl(),
        )
        path = reverse(
            "recovery_restore_enter", kwargs={"public_id": request_obj.public_id, "token": raw}
        )
        send_email(
            template="recovery_restore_link",
            to=[request_obj.contact_email],
            include_unverified=True,
            context={
                "request_obj": request_obj,
                "restore_url": absolute(path),
                "expires_at": link.expires_at,
                "ttl_hours": int(restore_link_ttl().total_seconds() // 3600),
            },
        )
    return raw


def advance_if_due(request_obj: RecoveryRequest, *, now: datetime | None = None) -> bool:
    """``approved`` → ``ready`` once cooling-off has ended, and send the restore link.

    Safe to call from any view and concurrently: the transition re-reads the state under a
    row lock, so only one caller advances the case and only one link is sent.
    """
    now = now or timezone.now()
    if request_obj.state != State.APPROVED or request_obj.completes_at is None:
        return False
    if request_obj.completes_at > now:
        return False
    try:
        with transaction.atomic():
            locked = recovery_transition(
                request_obj=request_obj,
                to_state=State.READY,
                actor=None,
                actor_kind="system",
                details={"reason": "cooling-off ended"},
            )
            if locked.completes_at is None or locked.completes_at > now:
                raise IllegalTransition("Cooling-off has not ended.")  # rolls back
            issue_restore_link(request_obj=locked)
    except IllegalTransition:
        request_obj.refresh_from_db()
        return False
    return True


def advance_due_cases() -> int:
    """Scheduled job: every approved case whose cooling-off has ended becomes ready."""
    count = 0
    due = RecoveryRequest.objects.filter(state=State.APPROVED, completes_at__lte=timezone.now())
    for request_obj in due.select_related("user").order_by("completes_at"):
        if advance_if_due(request_obj):
            count += 1
    return count


def resend_restore_link(*, request_obj: RecoveryRequest, actor: Any, justification: str) -> str:
    """Staff: send a fresh restore link to a ready case (the old one stops working)."""
    from lifeline.recovery.services.decisions import _check_staff, desk_action

    _check_staff(actor, request_obj)
    with transaction.atomic():
        locked = desk_action(
            request_obj=request_obj,
            actor=actor,
            action="resend_restore_link",
            justification=justification,
        )
        if locked.state != State.READY:
            raise IllegalTransition("Only a case whose restore link was sent can get a new one.")
        return issue_restore_link(request_obj=locked)


def check_restore_link(*, public_id: Any, token: str) -> RestoreLink:
    """The usable restore link for this token, or :class:`LinkProblem` (never a 500)."""
    request_obj = get_by_public_id(public_id)
    if request_obj is None or not token or len(token) > 100:
        raise LinkProblem("invalid")
    link = RestoreLink.objects.filter(
        request=request_obj, token_hash=crypto.hash_link_token(token)
    ).first()
    if link is None:
        raise LinkProblem("invalid")
    if link.used_at is not None or request_obj.state == State.COMPLETED:
        raise LinkProblem("used", request_obj)
    if request_obj.state != State.READY or link.superseded_at is not None:
        raise LinkProblem("invalid", request_obj)
    if link.expires_at <= timezone.now():
        raise LinkProblem("expired", request_obj)
    return link


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
        send_email(
            template="recovery_state_changed",
            to=[request_obj.contact_email],
            include_unverified=True,
            context={"request_obj": request_obj},
        )
        stopped.append(request_obj)
    return stopped
