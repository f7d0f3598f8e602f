"""The checkup's state: the last review, reminders sent, and reminders turned off."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReminderKind(models.TextChoices):
    NO_2FA = "no_2fa", "Two-factor authentication is off"
    CODES_UNCONFIRMED = "codes_unconfirmed", "Recovery codes not confirmed as saved"
    CODES_LOW = "codes_low", "Recovery codes running low"
    ADDRESSES = "addresses", "One email address, or one email domain"
    REVIEW = "review", "Checkup not reviewed for 6 months"
    STALE_TOKENS = "stale_tokens", "API tokens unused for 90 days"


class CheckupReview(models.Model):
    """When the owner last said "I've reviewed this" (one row per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkup_review"
    )
    reviewed_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"review by user {self.user_id} at {self.reviewed_at:%Y-%m-%d}"


class ReminderSent(models.Model):
    """The last reminder of one kind sent to one user (one row per user and kind)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="checkup_reminder_once")
        ]
        indexes = [models.Index(fields=["kind", "sent_at"]), models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to user {self.user_id}"


class ReminderOptOut(models.Model):
    """A user turned one kind of reminder off (security notices can't be turned off)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="checkup_reminder_optout_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} off for user {self.user_id}"
