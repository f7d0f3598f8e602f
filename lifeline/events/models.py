from django.conf import settings
from django.db import models

from lifeline.events.tags import EventTag


class SecurityEvent(models.Model):
    """One security-relevant change, written in the same transaction as the change."""

    # Values of EventTag (record_event enforces it). No `choices` on the column, so a new
    # tag never needs a migration.
    tag = models.CharField(max_length=64, db_index=True)
    # Whose account (or project) the event is about.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="security_events",
    )
    # Who did it: the user themself, a staff member, or nobody (policy, the system).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    project = models.CharField(max_length=200, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "-created"])]

    def __str__(self) -> str:
        return f"{self.tag} user={self.user_id} at {self.created:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        try:
            return EventTag(self.tag).label
        except ValueError:
            return self.tag
