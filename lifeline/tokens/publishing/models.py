"""Trusted publishers, the uploads they made, and the JWT ids already exchanged.

These models belong to the ``tokens`` app (imported by ``lifeline.tokens.models``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PublisherKind(models.TextChoices):
    GITHUB = "github", "GitHub Actions"
    GITLAB = "gitlab", "GitLab CI/CD"
    OIDC = "oidc", "Other OIDC issuer"


class TrustedPublisher(models.Model):
    """A CI identity allowed to publish one project.

    A *pending* publisher has no project yet: it reserves ``pending_name`` for its creator
    until ``expires_at``; its first token exchange creates the project, owned by the creator.
    """

    kind = models.CharField(max_length=10, choices=PublisherKind.choices)
    project = models.ForeignKey(
        "index.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="trusted_publishers",
    )
    pending_name = models.CharField(max_length=200, blank=True)
    pending_normalized_name = models.CharField(max_length=200, blank=True, db_index=True)
    # GitHub: "owner/name"; GitLab: "namespace/project" (namespaces may nest).
    repository = models.CharField(max_length=300, blank=True)
    # GitHub: the workflow file name; GitLab: the CI config path.
    workflow = models.CharField(max_length=300, blank=True)
    environment = models.CharField(max_length=255, blank=True)
    # Generic OIDC issuers only: the issuer URL and the claims that must match exactly.
    issuer = models.URLField(max_length=500, blank=True)
    claims = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"

    @property
    def is_pending(self) -> bool:
        return self.project_id is None

    @property
    def label(self) -> str:
        """Short words for pages and events: ``owner/repo (release.yml, env pypi)``."""
        if self.kind == PublisherKind.OIDC:
            wanted = ", ".join(f"{k}={v}" for k, v in sorted(self.claims.items()))
            return f"{self.issuer} ({wanted})"
        extra = f", environment {self.environment}" if self.environment else ""
        return f"{self.repository} ({self.workflow}{extra})"

    def describe(self) -> dict[str, object]:
        return {
            "publisher_id": self.pk,
            "kind": self.kind,
            "repository": self.repository,
            "workflow": self.workflow,
            "environment": self.environment,
            "issuer": self.issuer,
            "claims": self.claims,
        }


class UsedJwtId(models.Model):  # noqa: DJ008 - never displayed
    """A JWT ``jti`` already exchanged, kept until the JWT expires (refuses replays).

    A table, not the cache: a cache may evict the entry and let a replay through.
    """

    issuer = models.CharField(max_length=500)
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "jti"], name="tokens_usedjwtid_unique")
        ]


class TrustedUpload(models.Model):  # noqa: DJ008 - shown through its fields
    """Which publisher (and which CI run) uploaded a file; shown on the release."""

    file = models.OneToOneField(
        "index.File", on_delete=models.CASCADE, related_name="trusted_upload"
    )
    release = models.ForeignKey(
        "index.Release", on_delete=models.CASCADE, related_name="trusted_uploads"
    )
    publisher = models.ForeignKey(
        TrustedPublisher, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publisher_label = models.CharField(max_length=800)
    run = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    @property
    def run_id(self) -> str:
        return str(self.run.get("run_id") or self.run.get("pipeline_id") or "")
