"""Read-only selectors for the desk: the account at a glance (case page and account page),
gathered from the apps that hold each part (accounts, checkup, events, index, notifications,
recovery, tokens)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession

from lifeline.accounts.mfa.status import mfa_status
from lifeline.accounts.models import Device
from lifeline.checkup.selectors import Reachability, email_reachability
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.models import Release, Role
from lifeline.notifications.models import EmailLog
from lifeline.recovery.evidence import account_is_critical
from lifeline.recovery.models import RecoveryRequest
from lifeline.tokens.models import ApiToken

EMAIL_TAGS = (
    EventTag.EMAIL_ADD,
    EventTag.EMAIL_VERIFY,
    EventTag.EMAIL_REMOVE,
    EventTag.EMAIL_PRIMARY,
)


@dataclass
class EmailRow:
    address: EmailAddress
    history: list[SecurityEvent] = field(default_factory=list)
    failures: list[EmailLog] = field(default_factory=list)
    reachability: Reachability = field(default_factory=Reachability)


@dataclass
class ProjectRow:
    role: Role
    releases: list[Release]


def account_summary(user: Any, *, timeline_limit: int = 50) -> dict[str, Any]:
    email_events = list(
        SecurityEvent.objects.filter(user=user, tag__in=EMAIL_TAGS).order_by("created")
    )
    failures = list(EmailLog.objects.filter(user=user, status=EmailLog.Status.FAILED)[:50])
    reachability = email_reachability(user)
    emails = []
    for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email"):
        lowered = address.email.lower()
        emails.append(
            EmailRow(
                address=address,
                history=[
                    e
                    for e in email_events
                    if lowered
                    in {str(v).lower() for v in (e.details or {}).values() if isinstance(v, str)}
                ],
                failures=[f for f in failures if f.to.lower() == lowered],
                reachability=reachability.get(lowered) or Reachability(),
            )
        )
    roles = list(Role.objects.filter(user=user).select_related("project"))
    releases = Release.objects.filter(project__in=[r.project_id for r in roles]).order_by(
        "project_id", "-created"
    )
    by_project: dict[int, list[Release]] = {}
    for release in releases:
        by_project.setdefault(release.project_id, []).append(release)
    critical, critical_reasons = account_is_critical(user)
    return {
        "account": user,
        "emails": emails,
        "mfa": mfa_status(user),
        "projects": [ProjectRow(role=r, releases=by_project.get(r.project_id, [])) for r in roles],
        "tokens": list(ApiToken.objects.filter(user=user).select_related("project")),
        "devices": list(Device.objects.filter(user=user)),
        "sessions": UserSession.objects.filter(user=user).count(),
        "timeline": list(
            SecurityEvent.objects.filter(user=user).select_related("actor")[:timeline_limit]
        ),
        "critical": critical,
        "critical_reasons": critical_reasons,
        "other_requests": list(RecoveryRequest.objects.filter(user=user).order_by("-created")[:20]),
    }
