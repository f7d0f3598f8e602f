"""Proof attempts and the codes emailed for the emailed-code proof.

A proof's details never hold the token, password or code that was checked; an emailed code
is kept only as its HMAC (``lifeline.recovery.crypto``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from lifeline.recovery import policy
from lifeline.recovery.models.case import RecoveryRequest


class RecoveryProof(models.Model):
    """One proof attempt: method, result, strength, time and non-secret details."""

    # Methods and strengths are defined once, in the evidence policy.
    Method = policy.Method
    Strength = policy.Strength

    class Result(models.TextChoices):
        OK = "ok", "Succeeded"
        FAILED = "failed", "Failed"
        PENDING = "pending", "Checking"

    request = models.ForeignKey(RecoveryRequest, on_delete=models.CASCADE, related_name="proofs")
    method = models.CharField(max_length=20, choices=policy.METHOD_CHOICES)
    result = models.CharField(max_length=10, choices=Result.choices)
    strength = models.CharField(max_length=10, choices=policy.STRENGTH_CHOICES)
    boundary = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    # What the requester is told, when it must say less than ``reason`` (which staff see):
    # the token proof tells a requester only that the token was not accepted.
    requester_reason = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.method} {self.result} ({self.strength})"

    @property
    def ok(self) -> bool:
        return self.result == self.Result.OK

    @property
    def pending(self) -> bool:
        return self.result == self.Result.PENDING

    @property
    def shown_reason(self) -> str:
        """The reason as the requester may see it (``requester_reason`` when set)."""
        return self.requester_reason or self.reason


class EmailCodeChallenge(models.Model):
    """A code emailed to a previously verified address (the emailed-code proof).

    Only its HMAC is kept.
    """

    request = models.ForeignKey(
        RecoveryRequest, on_delete=models.CASCADE, related_name="email_codes"
    )
    email = models.EmailField(max_length=254)
    code_hash = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"code for request {self.request_id}"
