"""Email reachability services: unverify an address that can no longer be trusted.

An address stops being trusted when mail to it bounces for good, its reader complains, or
its domain lapsed or changed hands (lapsed.py). "Unverified" is allauth's own flag, so
every path that sends only to verified addresses (password reset, the recovery email
code, owner alerts and cancel links, security notices) leaves it out from then on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from lifeline.checkup import conf
from lifeline.checkup.models import Bounce
from lifeline.events.models import SecurityEvent
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.models import EmailLog
from lifeline.notifications.services import send_email

# Why an address was unverified, in words for the owner and staff.
REASONS: dict[str, str] = {
    "hard_bounce": "mail to it bounced: the receiving server says it does not exist",
    "complaint": "its reader marked our mail as spam",
    "soft_bounces": "mail to it kept bouncing (more than {limit} times in {days} days)",
    "domain_expired": "its domain's registration has expired",
    "domain_reregistered": "its domain was registered again after you verified the address",
}


def reason_text(reason: str) -> str:
    text = REASONS.get(reason, reason)
    return text.format(limit=conf.soft_bounce_limit(), days=conf.soft_bounce_period().days)


def email_address_unverify(
    *, address: EmailAddress, reason: str, details: dict[str, Any] | None = None
) -> bool:
    """Mark ``address`` unverified because of ``reason`` (a key of ``REASONS``).

    In one transaction: the flag is cleared; a primary address hands "primary" to another
    verified address when there is one; emails still queued to the address are withdrawn
    (so a reset link queued a moment ago is not delivered to a mailbox we stopped
    trusting); one ``account:email:unverify`` event is recorded; and the owner is told at
    their *other* verified addresses. Returns False when it was not verified (nothing done).
    """
    with transaction.atomic():
        row = EmailAddress.objects.select_for_update().filter(pk=address.pk).first()
        if row is None or not row.verified:
            return False
        user = row.user
        row.verified = False
        row.save(update_fields=["verified"])
        new_primary = ""
        if row.primary:
            other = (
                EmailAddress.objects.filter(user=user, verified=True)
                .exclude(pk=row.pk)
                .order_by("email")
                .first()
            )
            if other is not None:
                other.set_as_primary()
                new_primary = other.email
        withdrawn = EmailLog.objects.filter(
            to__iexact=row.email,
            status__in=[EmailLog.Status.QUEUED, EmailLog.Status.RETRYING],
        ).update(
            status=EmailLog.Status.FAILED,
            last_error=f"Withdrawn: the address was unverified ({reason}).",
        )
        event_details = {"email": row.email, "reason": reason, **(details or {})}
        if new_primary:
            event_details["new_primary"] = new_primary
        if withdrawn:
            event_details["withdrawn_emails"] = withdrawn
        record_event(tag=EventTag.EMAIL_UNVERIFY, user=user, details=event_details)
        send_email(
            template="email_address_unverified",
            user=user,
            context={
                "address": row.email,
                "reason": reason,
                "reason_text": reason_text(reason),
                "new_primary": new_primary,
            },
        )
    address.verified = False
    return True


def _known_address(email: str) -> EmailAddress | None:
    return EmailAddress.objects.filter(email__iexact=email).select_related("user").first()


def bounce_record(*, event_id: str, kind: str, email: str, occurred_at: datetime) -> str:
    """Apply one bounce or complaint from the webhook. Returns what happened:
    ``unknown`` (no such address here: nothing stored), ``counted``, or ``unverified``.

    A hard bounce or a complaint unverifies at once; soft bounces unverify when there are
    more than ``LIFELINE_SOFT_BOUNCE_LIMIT`` (5) within ``LIFELINE_SOFT_BOUNCE_DAYS`` (30).
    """
    address = _known_address(email)
    if address is None:
        return "unknown"
    now = timezone.now()
    occurred_at = min(occurred_at, now)
    with transaction.atomic():
        Bounce.objects.create(
            email=address.email.lower(), kind=kind, event_id=event_id, occurred_at=occurred_at
        )
        if kind in (Bounce.Kind.HARD, Bounce.Kind.COMPLAINT):
            reason = "hard_bounce" if kind == Bounce.Kind.HARD else "complaint"
            done = email_address_unverify(
                address=address, reason=reason, details={"event": event_id}
            )
            return "unverified" if done else "counted"
        soft = soft_bounce_count(address.email, now=now)
        if soft > conf.soft_bounce_limit():
            done = email_address_unverify(
                address=address,
                reason="soft_bounces",
                details={"event": event_id, "soft_bounces": soft},
            )
            return "unverified" if done else "counted"
    return "counted"


def soft_bounce_count(email: str, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Bounce.objects.filter(
        email=email.lower(),
        kind=Bounce.Kind.SOFT,
        occurred_at__gte=now - conf.soft_bounce_period(),
    ).count()


def address_verified_at(address: EmailAddress) -> datetime:
    """When ``address`` was last verified: its latest ``account:email:verify`` event, else
    (an address verified another way, e.g. at sign-up by staff) when the account was made.

    The latest verification is the one that counts: verifying again after a domain changed
    hands proves the owner controls it under its new registration.
    """
    lowered = address.email.lower()
    events = SecurityEvent.objects.filter(
        user_id=address.user_id, tag=EventTag.EMAIL_VERIFY
    ).order_by("-created")
    for event in events.only("created", "details")[:200]:
        if str((event.details or {}).get("email", "")).lower() == lowered:
            return event.created
    return address.user.date_joined
