"""Read-only views of an account's email reachability (banners, the desk's case page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from lifeline.checkup import conf
from lifeline.checkup.models import Bounce, DomainCheck
from lifeline.checkup.services import reason_text
from lifeline.core.domains import registrable_domain
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag


@dataclass(frozen=True)
class Unverification:
    email: str
    reason: str
    reason_text: str
    when: datetime


@dataclass
class Reachability:
    soft_bounces: int = 0  # within the soft-bounce period
    hard_bounces: int = 0
    complaints: int = 0
    last_bounce: Bounce | None = None
    unverified: Unverification | None = None
    domain: str = ""
    domain_check: DomainCheck | None = None
    bounces: list[Bounce] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.soft_bounces or self.hard_bounces or self.complaints or self.unverified)


def _unverify_events(user: Any) -> dict[str, SecurityEvent]:
    """The latest ``account:email:unverify`` event per address (lower-cased)."""
    latest: dict[str, SecurityEvent] = {}
    events = SecurityEvent.objects.filter(user=user, tag=EventTag.EMAIL_UNVERIFY).order_by(
        "created"
    )
    for event in events.only("created", "details"):
        email = str((event.details or {}).get("email", "")).lower()
        if email:
            latest[email] = event
    return latest


def _unverification(event: SecurityEvent) -> Unverification:
    reason = str((event.details or {}).get("reason", ""))
    return Unverification(
        email=str(event.details.get("email", "")),
        reason=reason,
        reason_text=reason_text(reason),
        when=event.created,
    )


def recent_unverifications(user: Any) -> list[Unverification]:
    """Addresses of ``user`` that are unverified because Lifeline unverified them (and
    have not been verified again since): what the owner must be told when they sign in."""
    unverified = list(
        EmailAddress.objects.filter(user=user, verified=False).values_list("email", flat=True)
    )
    if not unverified:
        return []
    latest = _unverify_events(user)
    return [_unverification(latest[e.lower()]) for e in sorted(unverified) if e.lower() in latest]


def email_reachability(user: Any) -> dict[str, Reachability]:
    """Per address of ``user`` (lower-cased): bounces, complaints, why it was unverified,
    and the last registry answer about its domain. One query per kind of fact."""
    emails = [
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    ]
    result = {e: Reachability(domain=registrable_domain(e)) for e in emails}
    since = timezone.now() - conf.soft_bounce_period()
    for bounce in Bounce.objects.filter(email__in=emails).order_by("-occurred_at", "-id"):
        row = result[bounce.email]
        if row.last_bounce is None:
            row.last_bounce = bounce
        if len(row.bounces) < 10:
            row.bounces.append(bounce)
        if bounce.kind == Bounce.Kind.HARD:
            row.hard_bounces += 1
        elif bounce.kind == Bounce.Kind.COMPLAINT:
            row.complaints += 1
        elif bounce.occurred_at >= since:
            row.soft_bounces += 1
    checks = {
        c.domain: c
        for c in DomainCheck.objects.filter(domain__in={r.domain for r in result.values()})
    }
    latest = _unverify_events(user)
    verified = set(
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    )
    for email, row in result.items():
        row.domain_check = checks.get(row.domain)
        if email in latest and email not in verified:
            row.unverified = _unverification(latest[email])
    return result
