"""The case: a recovery request, its audit trail, its messages, and the owner's digests.

No secret is stored in clear: status and verification links are kept as SHA-256/HMAC digests
(``lifeline.recovery.crypto``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lifeline.recovery.states import QUEUED_STATES, TERMINAL_STATES, State


class RecoveryRequest(models.Model):
    class TokensDecision(models.TextChoices):
        KEEP = "keep", "Keep the account's API tokens"
        REVOKE = "revoke", "Revoke the account's API tokens"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED)
    state_changed_at = models.DateTimeField(default=timezone.now)
    username_entered = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_requests",
    )
    contact_email = models.EmailField(max_length=254)
    contact_verified_at = models.DateTimeField(null=True, blank=True)
    # What was lost.
    lost_email_access = models.BooleanField(default=False)
    email_wrong_from_start = models.BooleanField(default=False)
    lost_2fa = models.BooleanField(default=False)
    lost_recovery_codes = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_ip = models.GenericIPAddressField(null=True, blank=True)
    submitted_user_agent = models.CharField(max_length=400, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_response_at = models.DateTimeField(null=True, blank=True, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_recovery_requests",
    )
    # Set when the owner cancelled through the alert, or when a competing request for the same
    # account was confirmed while this case was queued: the desk treats it as contested.
    contested = models.BooleanField(default=False)
    # When the account's owner was told about this request (the new-request alert, sent at once
    # or rolled into the daily digest: lifeline.recovery.owner_alerts).
    owner_alerted_at = models.DateTimeField(null=True, blank=True)
    # True when the alert was over the daily bound and went (or goes) into the digest instead.
    owner_alert_deferred = models.BooleanField(default=False)
    completes_at = models.DateTimeField(null=True, blank=True, help_text="End of cooling-off.")
    tokens_decision = models.CharField(
        max_length=10, choices=TokensDecision.choices, blank=True, default=""
    )
    # Digest of the contact-verification link (never the raw value). The status link is an
    # HMAC computed on demand (lifeline.recovery.crypto.status_token): nothing to store.
    verify_token_hash = models.CharField(max_length=64, blank=True)
    # Public per-request challenge for the token and repository proofs. Not a secret: the
    # requester publishes it; it only binds a proof to this request.
    challenge = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state__in=sorted(s.value for s in QUEUED_STATES)),
                name="recovery_one_active_request_per_account",
            )
        ]
        indexes = [
            models.Index(fields=["state", "queued_at"]),
            # The desk queue (review states, oldest first): without it PostgreSQL walks the
            # queued_at index over every case ever queued to find the few still in review
            # (289 ms at 100,000 cases; 12 ms with it). bench/scale_pages.py, issue 15.
            models.Index(
                fields=["queued_at", "created", "id"],
                condition=Q(state__in=["needs_info", "open"]),
                name="recovery_review_queue",
            ),
            # The timer sweep (transition.sweep_timers, one query per states.TIMERS entry:
            # state = X AND clock <= deadline ORDER BY clock, pk). The needs-info one was a
            # sequential scan of every case (65 ms at 100,000 cases). Partial: only the few
            # cases a timer watches are in them. tests/recovery/staff/test_queue.py.
            models.Index(
                fields=["created", "id"],
                condition=Q(state="submitted"),
                name="recovery_timer_submitted",
            ),
            models.Index(
                fields=["state_changed_at", "id"],
                condition=Q(state="needs_info"),
                name="recovery_timer_needs_info",
            ),
            models.Index(
                fields=["completes_at", "id"],
                condition=Q(state="approved"),
                name="recovery_timer_cooling_off",
            ),
            # The queue's "contested" (this request, or another for the same account): without
            # it PostgreSQL hashes every contested request ever filed from a sequential scan of
            # all cases (43 ms at 100,000 cases) on each view.
            models.Index(
                fields=["user"], condition=Q(contested=True), name="recovery_contested_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Recovery {self.reference} for {self.username_entered} ({self.state})"

    @property
    def reference(self) -> str:
        """A short reference for emails and the desk (not a secret)."""
        return f"R-{str(self.public_id)[:8].upper()}"

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def is_queued(self) -> bool:
        return self.state in QUEUED_STATES

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def lost_labels(self) -> list[str]:
        labels = []
        if self.lost_email_access:
            labels.append("No access to the email address")
        if self.email_wrong_from_start:
            labels.append("The address was wrong from the start")
        if self.lost_2fa:
            labels.append("Lost the 2FA device or key")
        if self.lost_recovery_codes:
            labels.append("Never generated or lost the recovery codes")
        return labels


class RecoveryAudit(models.Model):
    """The case audit trail: one row per state transition."""

    request = models.ForeignKey(RecoveryRequest, on_delete=models.CASCADE, related_name="audit")
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(max_length=10)
    justification = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state} by {self.actor_kind}"


class RecoveryMessage(models.Model):
    """A message in the case thread, or a note attached to the case (a second submission)."""

    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        NOTE = "note", "Note"

    class AuthorKind(models.TextChoices):
        REQUESTER = "requester", "Requester"
        STAFF = "staff", "Support"
        SYSTEM = "system", "System"

    request = models.ForeignKey(RecoveryRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.kind} from {self.author_kind}"


class OwnerDigest(models.Model):
    """One daily digest sent to an account's owner: deferred new-request alerts and failed
    proofs against the account (at most one per account per rolling day)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_digests"
    )
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    requests = models.PositiveIntegerField(default=0)
    failed_proofs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"recovery digest for user {self.user_id} at {self.sent_at:%Y-%m-%d %H:%M}"
