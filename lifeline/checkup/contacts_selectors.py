"""Read-only views of recovery contacts (the checkup page, the vouch, the contacts page)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from lifeline.checkup.contacts_models import RecoveryContact

MAX_CONTACTS = 3
INVITATION_LIFETIME = timedelta(days=14)


def contacts_for(user: Any) -> QuerySet[RecoveryContact]:
    """The accepted recovery contacts of ``user`` (rows with ``.contact``, ``.accepted_at``)."""
    return (
        RecoveryContact.objects.filter(owner=user, status=RecoveryContact.Status.ACCEPTED)
        .select_related("contact")
        .order_by("accepted_at", "id")
    )


def live_invitations_q_cutoff() -> Any:
    return timezone.now() - INVITATION_LIFETIME


def named_by(user: Any) -> list[RecoveryContact]:
    """What ``user`` named: accepted contacts and invitations still waiting (not lapsed)."""
    cutoff = live_invitations_q_cutoff()
    rows = RecoveryContact.objects.filter(owner=user).select_related("contact")
    return [r for r in rows if r.is_accepted or r.invited_at >= cutoff]


def invitations_for(user: Any) -> list[RecoveryContact]:
    """Invitations waiting for ``user``'s answer (not lapsed)."""
    return list(
        RecoveryContact.objects.filter(
            contact=user,
            status=RecoveryContact.Status.PENDING,
            invited_at__gte=live_invitations_q_cutoff(),
        ).select_related("owner")
    )


def contact_for(user: Any) -> list[RecoveryContact]:
    """The accounts that ``user`` has agreed to vouch for."""
    return list(
        RecoveryContact.objects.filter(
            contact=user, status=RecoveryContact.Status.ACCEPTED
        ).select_related("owner")
    )
