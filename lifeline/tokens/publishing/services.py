"""Add and remove trusted publishers (per project, or pending for a new name). No requests.

Every change records one event in its transaction and emails the project's owners (or,
for a pending publisher, its creator), as API tokens do: a publisher can publish.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from packaging.utils import canonicalize_name

from lifeline.accounts.mfa.status import has_2fa
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.index.models import Project, Role
from lifeline.notifications.services import send_email
from lifeline.tokens.publishing import conf
from lifeline.tokens.publishing.models import PublisherKind, TrustedPublisher
from lifeline.tokens.publishing.oidc import OidcError, check_issuer_url

NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
GITHUB_PART_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
GITLAB_PATH_RE = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")
WORKFLOW_RE = re.compile(r"^[A-Za-z0-9_.-]+\.ya?ml$")
CI_PATH_RE = re.compile(r"^[A-Za-z0-9_./-]+\.ya?ml$")
CLAIM_NAME_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_PUBLISHERS_PER_PROJECT = 20
MAX_PENDING_PER_USER = 5


class PublisherError(Exception):
    """A refusal to show the user as is."""


def _clean(value: str, limit: int = 300) -> str:
    return (value or "").strip()[:limit]


def validate(
    *,
    kind: str,
    repository: str = "",
    workflow: str = "",
    environment: str = "",
    issuer: str = "",
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The publisher's fields, cleaned, or PublisherError saying what is wrong."""
    repository, workflow = _clean(repository), _clean(workflow)
    environment, issuer = _clean(environment, 255), _clean(issuer, 500).rstrip("/")
    claims = {k.strip(): str(v).strip() for k, v in (claims or {}).items() if k.strip()}
    if kind == PublisherKind.GITHUB:
        owner, _, name = repository.partition("/")
        if not (GITHUB_PART_RE.match(owner) and GITHUB_PART_RE.match(name)):
            raise PublisherError("Give the GitHub repository as owner and name.")
        if "/" in workflow or not WORKFLOW_RE.match(workflow):
            raise PublisherError("Give the workflow's file name, e.g. release.yml.")
        return {
            "kind": kind,
            "repository": repository,
            "workflow": workflow,
            "environment": environment,
            "issuer": "",
            "claims": {},
        }
    if kind == PublisherKind.GITLAB:
        if not GITLAB_PATH_RE.match(repository) or ".." in repository:
            raise PublisherError("Give the GitLab project as namespace and project name.")
        if not CI_PATH_RE.match(workflow) or ".." in workflow or workflow.startswith("/"):
            raise PublisherError("Give the CI configuration path, e.g. .gitlab-ci.yml.")
        return {
            "kind": kind,
            "repository": repository,
            "workflow": workflow,
            "environment": environment,
            "issuer": "",
            "claims": {},
        }
    if kind == PublisherKind.OIDC:
        try:
            check_issuer_url(issuer)
        except OidcError as exc:
            raise PublisherError(exc.description) from None
        if issuer in (conf.github_issuer(), conf.gitlab_issuer()):
            raise PublisherError("Use the GitHub or GitLab publisher for that issuer.")
        if not claims:
            raise PublisherError("Name at least one claim that must match, e.g. repository.")
        for name, value in claims.items():
            if not CLAIM_NAME_RE.match(name) or not value or len(value) > 300:
                raise PublisherError(f"The claim {name!r} needs a short name and a value.")
        return {
            "kind": kind,
            "repository": "",
            "workflow": "",
            "environment": "",
            "issuer": issuer,
            "claims": claims,
        }
    raise PublisherError("Choose a kind of publisher.")


def _owners(project: Project) -> list[Any]:
    return [
        r.user
        for r in Role.objects.filter(project=project, role=Role.Kind.OWNER).select_related("user")
    ]


def _notify(
    *,
    recipients: list[Any],
    publisher: TrustedPublisher,
    actor: Any,
    change: str,
    project_name: str,
) -> None:
    path = (
        reverse("publishing_pending")
        if publisher.is_pending
        else reverse("publishing_manage", args=[canonicalize_name(project_name)])
    )
    for user in recipients:
        send_email(
            template="trusted_publisher_changed",
            user=user,
            context={
                "change": change,
                "actor_name": getattr(actor, "username", "Someone"),
                "pending": publisher.is_pending,
                "project_name": project_name,
                "kind_label": publisher.get_kind_display(),
                "publisher_label": publisher.label,
                "manage_path": path,
            },
        )


def publisher_add(*, project: Project, actor: Any, **fields: Any) -> TrustedPublisher:
    """Let a CI identity publish ``project``. Owners only."""
    cleaned = validate(**fields)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if not Role.objects.filter(project=locked, user_id=actor.pk, role=Role.Kind.OWNER).exists():
            raise PublisherError("Only an owner of the project can add a trusted publisher.")
        existing = TrustedPublisher.objects.filter(project=locked)
        if existing.count() >= MAX_PUBLISHERS_PER_PROJECT:
            raise PublisherError("This project has as many trusted publishers as allowed.")
        if existing.filter(**cleaned).exists():
            raise PublisherError("This trusted publisher is already configured.")
        publisher = TrustedPublisher.objects.create(project=locked, created_by=actor, **cleaned)
        record_event(
            tag=EventTag.PUBLISHER_ADD,
            user=actor,
            actor=actor,
            project=locked.name,
            details=publisher.describe(),
        )
        _notify(
            recipients=_owners(locked),
            publisher=publisher,
            actor=actor,
            change="added",
            project_name=locked.name,
        )
    return publisher


def publisher_remove(*, publisher: TrustedPublisher, actor: Any) -> None:
    """Stop a publisher. Owners of its project, or the creator of a pending one."""
    with transaction.atomic():
        locked = (
            TrustedPublisher.objects.select_for_update(of=("self",))
            .select_related("project")
            .filter(pk=publisher.pk)
            .first()
        )
        if locked is None:
            return
        if locked.is_pending:
            if locked.created_by_id != actor.pk:
                raise PublisherError("Only its creator can remove a pending publisher.")
            tag, name, recipients = EventTag.PENDING_PUBLISHER_REMOVE, locked.pending_name, [actor]
        else:
            if not Role.objects.filter(
                project=locked.project, user_id=actor.pk, role=Role.Kind.OWNER
            ).exists():
                raise PublisherError("Only an owner of the project can remove a trusted publisher.")
            tag, name = EventTag.PUBLISHER_REMOVE, locked.project.name
            recipients = _owners(locked.project)
        details = locked.describe()
        record_event(tag=tag, user=actor, actor=actor, project=name, details=details)
        _notify(
            recipients=recipients,
            publisher=locked,
            actor=actor,
            change="removed",
            project_name=name,
        )
        locked.delete()


def _active_pending() -> Any:
    return TrustedPublisher.objects.filter(project__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )


def pending_add(*, user: Any, project_name: str, **fields: Any) -> TrustedPublisher:
    """Reserve a new project name for a publisher; its first upload creates the project.

    Needs 2FA. Refused if the project exists or another user's pending publisher holds the
    name. Expires after ``LIFELINE_OIDC_PENDING_DAYS`` (see docs/publishing.md for why).
    """
    name = _clean(project_name, 200)
    if not NAME_RE.match(name):
        raise PublisherError("That is not a valid project name.")
    if settings.LIFELINE_REQUIRE_2FA and not has_2fa(user):
        raise PublisherError("Set up two-factor authentication first.")
    cleaned = validate(**fields)
    normalized = canonicalize_name(name)
    with transaction.atomic():
        # Lock the user's row so two concurrent requests can't pass the count check together.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if Project.objects.filter(normalized_name=normalized).exists():
            raise PublisherError("A project with this name exists: its owners add publishers.")
        holders = _active_pending().filter(pending_normalized_name=normalized)
        if holders.exclude(created_by=user).exists():
            raise PublisherError("This name is reserved by another user's pending publisher.")
        if _active_pending().filter(created_by=user).count() >= MAX_PENDING_PER_USER:
            raise PublisherError(f"You can have at most {MAX_PENDING_PER_USER} pending publishers.")
        if holders.filter(**cleaned).exists():
            raise PublisherError("This pending publisher is already configured.")
        publisher = TrustedPublisher.objects.create(
            created_by=user,
            pending_name=name,
            pending_normalized_name=normalized,
            expires_at=timezone.now() + timedelta(days=conf.pending_days()),
            **cleaned,
        )
        record_event(
            tag=EventTag.PENDING_PUBLISHER_ADD,
            user=user,
            actor=user,
            project=name,
            details=publisher.describe() | {"expires_at": publisher.expires_at.isoformat()},
        )
        _notify(
            recipients=[user], publisher=publisher, actor=user, change="added", project_name=name
        )
    return publisher


def pending_for_user(user: Any) -> list[TrustedPublisher]:
    return list(_active_pending().filter(created_by=user))


def expire_pending_publishers() -> int:
    """Tick job: delete expired pending publishers (one event each), and used JWT ids."""
    from lifeline.tokens.publishing.models import UsedJwtId

    now = timezone.now()
    UsedJwtId.objects.filter(expires_at__lte=now).delete()
    count = 0
    for publisher in TrustedPublisher.objects.filter(project__isnull=True, expires_at__lte=now):
        with transaction.atomic():
            record_event(
                tag=EventTag.PENDING_PUBLISHER_EXPIRE,
                user=publisher.created_by,
                actor=None,
                project=publisher.pending_name,
                details=publisher.describe(),
            )
            publisher.delete()
        count += 1
    return count
