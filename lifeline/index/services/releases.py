"""Yank, un-yank and delete releases (owners only)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.index import files
from lifeline.index.models import File, Project, Release
from lifeline.index.services.errors import ManageError
from lifeline.index.services.roles import is_owner


def _locked(release: Release, actor: Any) -> tuple[Project, Release]:
    project = Project.objects.select_for_update().get(pk=release.project_id)
    if not is_owner(project=project, user=actor):
        raise ManageError("Only an owner of the project can do this.")
    return project, Release.objects.get(pk=release.pk)


def release_yank(*, release: Release, actor: Any, reason: str = "") -> Release:
    """Yank (PEP 592): installers skip it unless pinned exactly. Files stay downloadable."""
    with transaction.atomic():
        project, current = _locked(release, actor)
        current.yanked = True
        current.yanked_reason = " ".join(reason.split())[:500]
        current.yanked_at = timezone.now()
        current.save(update_fields=["yanked", "yanked_reason", "yanked_at"])
        project.touch()
        record_event(
            tag=EventTag.RELEASE_YANK,
            user=actor,
            actor=actor,
            project=project.name,
            details={"version": current.version, "reason": current.yanked_reason},
        )
    return current


def release_unyank(*, release: Release, actor: Any) -> Release:
    with transaction.atomic():
        project, current = _locked(release, actor)
        current.yanked, current.yanked_reason, current.yanked_at = False, "", None
        current.save(update_fields=["yanked", "yanked_reason", "yanked_at"])
        project.touch()
        record_event(
            tag=EventTag.RELEASE_UNYANK,
            user=actor,
            actor=actor,
            project=project.name,
            details={"version": current.version},
        )
    return current


def release_delete(*, release: Release, actor: Any) -> None:
    """Delete a release and its files. Their filenames can never be uploaded again.

    The event keeps each file's name and SHA-256, so the record of what was published
    survives the deletion. Stored bytes are removed only after the transaction commits.
    """
    with transaction.atomic():
        project, current = _locked(release, actor)
        doomed = list(File.objects.filter(release=current))
        record_event(
            tag=EventTag.RELEASE_DELETE,
            user=actor,
            actor=actor,
            project=project.name,
            details={
                "version": current.version,
                "files": [{"filename": f.filename, "sha256": f.sha256_digest} for f in doomed],
            },
        )
        current.delete()
        project.touch()
        paths = [f.path for f in doomed] + [f.metadata_path for f in doomed if f.metadata_sha256]
        transaction.on_commit(lambda: _delete_stored(paths))


def _delete_stored(paths: list[str]) -> None:
    store = files.storage()
    for path in paths:
        store.delete(path)
