from django.conf import settings
from django.db import models


class EmailLog(models.Model):
    """Every email Lifeline sends: one row per recipient.

    While queued, the rendered message is kept *encrypted* in ``payload`` (it may carry a
    reset link or a code); once delivered, the payload is wiped and only the facts remain.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Retrying"
        FAILED = "failed", "Failed"

    to = models.EmailField(max_length=254, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email_log",
    )
    template = models.CharField(max_length=100)
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    payload = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"


class OutboxMessage(models.Model):
    """A message delivered to the development outbox instead of an SMTP server."""

    to = models.CharField(max_length=1000)
    from_email = models.CharField(max_length=300)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
