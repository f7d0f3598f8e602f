"""Proof that the current set of recovery codes was saved."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RecoveryCodesConfirmation(models.Model):
    """The user typed back one code of *this* set, so they hold a copy of it.

    Tied one-to-one to allauth's recovery-codes Authenticator: regenerating codes deletes
    that row and creates a new one, so the confirmation goes with the old set and the new
    set must be confirmed again. The check does not use the code up.
    """

    authenticator = models.OneToOneField(
        "mfa.Authenticator",
        on_delete=models.CASCADE,
        related_name="lifeline_confirmation",
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "accounts"

    def __str__(self) -> str:
        return f"Recovery codes #{self.authenticator_id} confirmed {self.confirmed_at:%Y-%m-%d}"
