"""Projects, releases, files and roles: the records recovery relies on.

Who uploaded what, when, and with which project URLs is evidence: the recovery policy reads
``Release.project_urls`` declared *before* a recovery request, and ``File.uploader``. So rows
are never rewritten after upload; only the yank flags and roles change (and the stored
rendering of the description, which is derived from it: see ``index/readme.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone


class Project(models.Model):
    name = models.CharField(max_length=200, help_text="The name as first uploaded.")
    normalized_name = models.CharField(max_length=200, unique=True, help_text="PEP 503 name.")
    created = models.DateTimeField(default=timezone.now)
    # Bumped on every change that alters the simple page (file added, yank, delete). The simple
    # API caches renderings and builds ETags from it, so serving a page never walks the index.
    serial = models.PositiveBigIntegerField(default=1)
    last_changed = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["normalized_name"]

    def __str__(self) -> str:
        return self.name

    def touch(self) -> None:
        """Mark the project changed (call inside the transaction that changes it)."""
        now = timezone.now()
        Project.objects.filter(pk=self.pk).update(serial=F("serial") + 1, last_changed=now)
        self.refresh_from_db(fields=["serial", "last_changed"])


class Release(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=100)
    # PEP 440 canonical form: "1.0" and "1.0.0" are the same release.
    canonical_version = models.CharField(max_length=100)
    created = models.DateTimeField(default=timezone.now, help_text="Upload time of first file.")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    metadata_version = models.CharField(max_length=10, blank=True)
    summary = models.CharField(max_length=512, blank=True)
    description = models.TextField(blank=True)
    description_content_type = models.CharField(max_length=200, blank=True)
    # The description rendered to sanitised HTML at upload (index/readme.py), and by what.
    description_html = models.TextField(blank=True)
    description_rendered_by = models.CharField(max_length=100, blank=True)
    home_page = models.URLField(max_length=500, blank=True)
    project_urls = models.JSONField(default=dict, blank=True, help_text="label → URL")
    author = models.CharField(max_length=500, blank=True)
    author_email = models.CharField(max_length=500, blank=True)
    maintainer = models.CharField(max_length=500, blank=True)
    maintainer_email = models.CharField(max_length=500, blank=True)
    license = models.CharField(max_length=500, blank=True)
    keywords = models.CharField(max_length=1000, blank=True)
    classifiers = models.JSONField(default=list, blank=True)
    requires_python = models.CharField(max_length=200, blank=True)
    requires_dist = models.JSONField(default=list, blank=True)
    yanked = models.BooleanField(default=False)
    yanked_reason = models.CharField(max_length=500, blank=True)
    yanked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "canonical_version"], name="index_release_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.name} {self.version}"

    @property
    def all_urls(self) -> list[tuple[str, str]]:
        """Home page and project URLs, as (label, url), for pages and recovery evidence."""
        urls = [("Homepage", self.home_page)] if self.home_page else []
        urls += [(label, url) for label, url in (self.project_urls or {}).items()]
        return urls


class File(models.Model):
    class PackageType(models.TextChoices):
        WHEEL = "bdist_wheel", "Wheel"
        SDIST = "sdist", "Source distribution"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="files")
    filename = models.CharField(max_length=255, unique=True)
    path = models.CharField(max_length=500, unique=True, help_text="Path in the storage.")
    size = models.PositiveBigIntegerField()
    sha256_digest = models.CharField(max_length=64, unique=True)
    blake2_256_digest = models.CharField(max_length=64, unique=True)
    md5_digest = models.CharField(max_length=32, blank=True)
    packagetype = models.CharField(max_length=20, choices=PackageType.choices)
    python_version = models.CharField(max_length=100, blank=True)
    requires_python = models.CharField(max_length=200, blank=True)
    upload_time = models.DateTimeField(default=timezone.now)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # PEP 658: the wheel's METADATA, stored beside it as "<path>.metadata".
    metadata_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["filename"]

    def __str__(self) -> str:
        return self.filename

    @property
    def yanked(self) -> bool:
        return self.release.yanked

    @property
    def yanked_reason(self) -> str:
        return self.release.yanked_reason

    @property
    def metadata_path(self) -> str:
        return f"{self.path}.metadata"

    @property
    def url_path(self) -> str:
        return f"/files/{self.path}"


class UsedFilename(models.Model):
    """Every filename ever uploaded. A deleted file's name can never be used again (PyPI)."""

    filename = models.CharField(max_length=255, unique=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class Role(models.Model):
    class Kind(models.TextChoices):
        OWNER = "owner", "Owner"
        MAINTAINER = "maintainer", "Maintainer"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_roles"
    )
    role = models.CharField(max_length=20, choices=Kind.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "role", "created"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="index_role_one_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.project}"


# Shared renderings of the simple pages (lifeline/index/simple/models.py).
from lifeline.index.simple.models import IndexSerial, SimplePage  # noqa: E402, F401
