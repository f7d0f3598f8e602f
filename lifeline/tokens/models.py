"""API tokens: only a hash of the secret is kept (see ``lifeline.tokens.crypto``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # The non-secret half of the raw token; used to find the row, shown in lists.
    public_id = models.CharField(max_length=32, unique=True)
    secret_hash = models.CharField(max_length=64)
    # Scope: one project, or null for "all projects the user may upload to".
    project = models.ForeignKey(
        "index.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    # Minted by trusted publishing: the publisher, and the CI run's claims (run id, ref, sha).
    publisher = models.ForeignKey(
        "tokens.TrustedPublisher",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publisher_claims = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.public_id})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def scope_label(self) -> str:
        return f"Project: {self.project.name}" if self.project_id else "All your projects"


# Trusted publishing's models live in their sub-package but belong to this app.
from lifeline.tokens.publishing.models import (  # noqa: E402, F401
    TrustedPublisher,
    TrustedUpload,
    UsedJwtId,
)
