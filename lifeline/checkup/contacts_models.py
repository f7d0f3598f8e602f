"""Recovery contacts: other accounts a user trusts to vouch for them during a recovery.

Imported by ``lifeline/checkup/models.py`` so Django finds the model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RecoveryContact(models.Model):
    """One link from an account (``owner``) to another (``contact``), pending or accepted.

    An invitation to a username that does not exist (or cannot be a contact) is stored too,
    with ``contact`` empty: the owner sees the same "waiting for an answer" row either way,
    and it counts against the limit the same way, so neither the page nor the limit tells
    whether the username exists. Such a row can never be accepted and lapses with the
    others. Declined and removed links are deleted; the events keep the history.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_contacts_named"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recovery_contact_for",
    )
    invited_username = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "contact"],
                condition=Q(contact__isnull=False),
                name="checkup_contact_once_per_owner",
            ),
            models.CheckConstraint(
                condition=~Q(owner=models.F("contact")), name="checkup_contact_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} -> {self.invited_username} ({self.status})"

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED
