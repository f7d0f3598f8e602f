"""Email reachability: webhook receipts, bounces, and the status of address domains."""

from __future__ import annotations

from django.db import models


class EmailEventReceipt(models.Model):
    """An event id the bounce webhook has seen: a replayed id is refused, never re-counted."""

    event_id = models.CharField(max_length=200, unique=True)
    received_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.event_id


class Bounce(models.Model):
    """One bounce or complaint reported for an address known to the index."""

    class Kind(models.TextChoices):
        HARD = "hard", "Hard bounce"
        SOFT = "soft", "Soft bounce"
        COMPLAINT = "complaint", "Spam complaint"

    email = models.EmailField(max_length=254, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    event_id = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["email", "kind", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.email}"


class DomainCheck(models.Model):
    """The last registry answer about a registrable domain (one row per domain)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Registered"
        EXPIRED = "expired", "Expired"
        NOT_FOUND = "not_found", "Not found at the registry"
        UNKNOWN = "unknown", "Unknown (no answer)"

    domain = models.CharField(max_length=253, unique=True)
    checked_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    registered_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.domain}: {self.status}"


from lifeline.checkup.contacts_models import RecoveryContact  # noqa: E402, F401 (recovery contacts)
from lifeline.checkup.reminder_models import (  # noqa: E402, F401 (the checkup's state)
    CheckupReview,
    ReminderKind,
    ReminderOptOut,
    ReminderSent,
)
