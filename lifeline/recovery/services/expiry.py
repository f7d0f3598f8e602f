"""Expiry of cases waiting for the requester: ``needs_info`` with no reply for 30 days.

A reply moves the case back to ``open`` (``recovery_message_post``), so the time since the
case entered ``needs_info`` (``state_changed_at``) is the time without a reply.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifeline.notifications.services import send_email
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.states import IllegalTransition, State, recovery_transition


def needs_info_ttl() -> timedelta:
    return timedelta(days=getattr(settings, "LIFELINE_RECOVERY_NEEDS_INFO_DAYS", 30))


def expire_if_unanswered(request_obj: RecoveryRequest, *, now: datetime | None = None) -> bool:
    """Expire the case if it has waited for the requester too long. True if it did."""
    now = now or timezone.now()
    if (
        request_obj.state != State.NEEDS_INFO
        or request_obj.state_changed_at > now - needs_info_ttl()
    ):
        return False
    try:
        with transaction.atomic():
            recovery_transition(
                request_obj=request_obj,
                to_state=State.EXPIRED,
                actor=None,
                actor_kind="system",
                details={"reason": f"no reply in {needs_info_ttl().days} days"},
            )
            send_email(
                template="recovery_expired",
                to=[request_obj.contact_email],
                include_unverified=True,
                context={"request_obj": request_obj, "days": needs_info_ttl().days},
            )
    except IllegalTransition:
        request_obj.refresh_from_db()
        return False
    return True


def expire_unanswered_cases() -> int:
    """Scheduled job: expire every ``needs_info`` case past the limit. Idempotent."""
    cutoff = timezone.now() - needs_info_ttl()
    stale = RecoveryRequest.objects.filter(state=State.NEEDS_INFO, state_changed_at__lte=cutoff)
    return sum(1 for request_obj in stale.iterator() if expire_if_unanswered(request_obj))
