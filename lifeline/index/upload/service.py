"""``file_upload``: the one way a distribution file enters the index."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from lifeline.accounts.mfa.status import has_2fa
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.index import files, readme
from lifeline.index.errors import UploadError
from lifeline.index.models import File, Project, Release, Role, UsedFilename
from lifeline.index.signals import file_uploaded
from lifeline.index.upload.validation import UploadRequest, check_digests, check_filename

logger = logging.getLogger(__name__)


def _url(path: str) -> str:
    return f"{settings.LIFELINE_BASE_URL}{path}"


def upload_authorize(*, user: Any, token: Any, project: Project | None, name: str) -> None:
    """May ``user``, holding ``token``, upload to ``project`` (None: a new project)?

    Order matters for what an attacker learns: account state and token scope are checked
    before roles, so a token scoped elsewhere learns nothing about the target project.
    """
    if not user.is_active or getattr(user, "is_frozen", False):
        raise UploadError(f"The account '{user.username}' cannot upload at this time.", 403)
    if settings.LIFELINE_REQUIRE_2FA and not has_2fa(user):
        raise UploadError(
            f"User '{user.username}' does not have two-factor authentication enabled. "
            f"Enable it at {_url(reverse('mfa_index'))} before uploading.",
            403,
        )
    if token.project_id is not None and (project is None or token.project_id != project.pk):
        raise UploadError(
            f"Invalid API token: the token is scoped to the project '{token.project.name}' and "
            f"is not valid for the project '{name}'.",
            403,
        )
    if project is not None and not project.roles.filter(user=user).exists():
        raise UploadError(
            f"The user '{user.username}' isn't allowed to upload to project '{project.name}'. "
            f"An owner of the project can add you as a maintainer.",
            403,
        )


def file_upload(*, user: Any, token: Any, request: UploadRequest, content: UploadedFile) -> File:
    """Validate and store one file, creating the project and release when needed.

    ``content`` must carry ``sha256_digest``/``blake2_256_digest``/``md5_digest`` computed
    while streaming (see ``upload.handlers``) and live in a temporary file.
    Raises ``UploadError`` with the client-facing message on any refusal.
    """
    project = Project.objects.filter(normalized_name=request.normalized_name).first()
    upload_authorize(user=user, token=token, project=project, name=request.name)

    filename = check_filename(request, content.name or "")
    computed = {
        "sha256_digest": content.sha256_digest,  # type: ignore[attr-defined]
        "blake2_256_digest": content.blake2_256_digest,  # type: ignore[attr-defined]
        "md5_digest": content.md5_digest,  # type: ignore[attr-defined]
    }
    check_digests(request, computed)
    _check_not_reused(filename)

    temp_path = content.temporary_file_path()  # type: ignore[attr-defined]
    metadata: bytes | None = None
    if request.packagetype == File.PackageType.WHEEL:
        metadata = files.extract_wheel_metadata(
            temp_path, name=request.name, version=request.version
        )
    elif not files.looks_like_sdist(temp_path):
        raise UploadError("Invalid distribution file: a .tar.gz sdist must be gzip data.")

    store = files.storage()
    path = files.storage_path(blake2_256=computed["blake2_256_digest"], filename=filename)
    content.seek(0)
    stored_path = store.save(path, content)
    stored_metadata = None
    try:
        if metadata is not None:
            stored_metadata = store.save(f"{stored_path}.metadata", ContentFile(metadata))
        return _record(
            user=user,
            token=token,
            request=request,
            project=project,
            filename=filename,
            path=stored_path,
            size=content.size or 0,
            digests=computed,
            metadata_sha256=hashlib.sha256(metadata).hexdigest() if metadata else "",
        )
    except BaseException:
        # The database said no (e.g. a concurrent upload of the same file): drop the bytes.
        store.delete(stored_path)
        if stored_metadata:
            store.delete(stored_metadata)
        raise


def _check_not_reused(filename: str) -> None:
    existing = File.objects.filter(filename=filename).first()
    if existing is not None:
        raise UploadError(
            f"File already exists ('{filename}', with blake2_256 hash "
            f"'{existing.blake2_256_digest}'). A filename can be used only once."
        )
    if UsedFilename.objects.filter(filename=filename).exists():
        raise UploadError(
            f"This filename has already been used, use a different version ('{filename}'). "
            "A deleted file's name can never be uploaded again."
        )


def _record(
    *,
    user: Any,
    token: Any,
    request: UploadRequest,
    project: Project | None,
    filename: str,
    path: str,
    size: int,
    digests: dict[str, str],
    metadata_sha256: str,
) -> File:
    now = timezone.now()
    via = {"token_public_id": token.public_id, "filename": filename, "version": request.version}
    try:
        with transaction.atomic():
            if project is None:
                project, created = _project_create_or_join(
                    user=user, token=token, request=request, now=now
                )
                if created:
                    record_event(
                        tag=EventTag.PROJECT_CREATE,
                        user=user,
                        actor=user,
                        project=project.name,
                        details=via,
                    )
                    record_event(
                        tag=EventTag.ROLE_ADD,
                        user=user,
                        actor=user,
                        project=project.name,
                        details={"role": Role.Kind.OWNER, "username": user.username},
                    )
            release, created = _release_get_or_create(
                project=project, request=request, user=user, now=now
            )
            if created:
                record_event(
                    tag=EventTag.RELEASE_ADD,
                    user=user,
                    actor=user,
                    project=project.name,
                    details=via
                    | {"project_urls": release.project_urls, "home_page": release.home_page},
                )
            file = File.objects.create(
                release=release,
                filename=filename,
                path=path,
                size=size,
                sha256_digest=digests["sha256_digest"],
                blake2_256_digest=digests["blake2_256_digest"],
                md5_digest=digests["md5_digest"],
                packagetype=request.packagetype,
                python_version=request.python_version[:100],
                requires_python=request.requires_python,
                upload_time=now,
                uploader=user,
                metadata_sha256=metadata_sha256,
            )
            UsedFilename.objects.create(filename=filename, created=now)
            # In the transaction: e.g. trusted publishing records which CI run uploaded it.
            file_uploaded.send(sender=File, file=file, user=user, credential=token)
            record_event(
                tag=EventTag.RELEASE_FILE_ADD,
                user=user,
                actor=user,
                project=project.name,
                details=via | {"sha256": file.sha256_digest, "size": size},
            )
            project.touch()
    except IntegrityError:
        raise UploadError(
            f"File already exists ('{filename}'), or a file with the same contents was "
            "already uploaded under another name."
        ) from None
    return file


def _project_create_or_join(
    *, user: Any, token: Any, request: UploadRequest, now: Any
) -> tuple[Project, bool]:
    """Create the project with ``user`` as owner, or, when a concurrent upload (``uv publish``
    sends a release's files in parallel) created it first, use that one if ``user`` may upload
    to it. The loser's unique-name conflict is not the client's error."""
    try:
        with transaction.atomic():
            project = Project.objects.create(
                name=request.name, normalized_name=request.normalized_name, created=now
            )
            Role.objects.create(project=project, user=user, role=Role.Kind.OWNER)
            return project, True
    except IntegrityError:
        project = Project.objects.filter(normalized_name=request.normalized_name).first()
        if project is None:  # the conflict was not the name: let the caller report it
            raise
        upload_authorize(user=user, token=token, project=project, name=request.name)
        return project, False


def _release_get_or_create(
    *, project: Project, request: UploadRequest, user: Any, now: Any
) -> tuple[Release, bool]:
    """The release for this version; a concurrent upload of another file of the same new
    version may create it between our read and our insert."""
    release = Release.objects.filter(
        project=project, canonical_version=request.canonical_version
    ).first()
    if release is not None:
        return release, False
    try:
        with transaction.atomic():
            return (
                Release.objects.create(
                    project=project,
                    version=request.version,
                    canonical_version=request.canonical_version,
                    created=now,
                    uploader=user,
                    **_release_metadata(request),
                ),
                True,
            )
    except IntegrityError:
        release = Release.objects.filter(
            project=project, canonical_version=request.canonical_version
        ).first()
        if release is None:
            raise
        return release, False


def _release_metadata(request: UploadRequest) -> dict[str, Any]:
    return {
        "metadata_version": request.metadata_version,
        "summary": request.summary,
        "description": request.description,
        "description_content_type": request.description_content_type,
        "home_page": request.home_page,
        "project_urls": request.project_urls,
        "author": request.author,
        "author_email": request.author_email,
        "maintainer": request.maintainer,
        "maintainer_email": request.maintainer_email,
        "license": request.license,
        "keywords": request.keywords,
        "classifiers": request.classifiers,
        "requires_python": request.requires_python,
        "requires_dist": request.requires_dist,
        # The project page shows the description rendered once, here (index/readme.py).
        **readme.rendered_fields(
            description=request.description, content_type=request.description_content_type
        ),
    }
