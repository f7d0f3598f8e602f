"""Who may do what on a project: owners manage, maintainers upload.

Every change takes a lock on the project row and records one event, so "the last owner
cannot be removed" holds even when two owners act at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from lifeline.accounts.mfa.status import has_2fa
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.index.models import Project, Role
from lifeline.index.services.errors import ManageError


def is_owner(*, project: Project, user: Any) -> bool:
    return Role.objects.filter(project=project, user_id=user.pk, role=Role.Kind.OWNER).exists()


def projects_for_user(user: Any) -> list[Role]:
    """The user's roles, with their projects, by project name."""
    return list(
        Role.objects.filter(user_id=user.pk)
        .select_related("project")
        .order_by("project__normalized_name")
    )


def _lock_as_owner(project: Project, actor: Any) -> Project:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not is_owner(project=locked, user=actor):
        raise ManageError("Only an owner of the project can do this.")
    return locked


def _require_2fa(user: Any) -> None:
    if settings.LIFELINE_REQUIRE_2FA and not has_2fa(user):
        raise ManageError(
            f"{user.username} has not set up two-factor authentication, which is required of "
            "everyone who can publish. Ask them to set it up, then add them again."
        )


def role_add(*, project: Project, username: str, role: str, actor: Any) -> Role:
    """Add ``username`` to ``project`` with ``role``. The added user must have 2FA."""
    if role not in Role.Kind.values:
        raise ManageError("Unknown role.")
    user = get_user_model().objects.filter(username__iexact=username.strip()).first()
    if user is None or not user.is_active:
        raise ManageError(f"No active user named “{username.strip()[:50]}”.")
    _require_2fa(user)
    with transaction.atomic():
        locked = _lock_as_owner(project, actor)
        if Role.objects.filter(project=locked, user=user).exists():
            raise ManageError(f"{user.username} already has a role on {locked.name}.")
        new = Role.objects.create(project=locked, user=user, role=role)
        record_event(
            tag=EventTag.ROLE_ADD,
            user=user,
            actor=actor,
            project=locked.name,
            details={"role": role, "username": user.username, "by": actor.username},
        )
    return new


def role_remove(*, project: Project, role: Role, actor: Any) -> None:
    """Remove a role. Owners may remove anyone; anyone may remove themselves.

    The last owner can never be removed: a project without an owner could only be recovered
    by staff.
    """
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        current = Role.objects.filter(pk=role.pk, project=locked).select_related("user").first()
        if current is None:
            raise ManageError("That role no longer exists.")
        if current.user_id != actor.pk and not is_owner(project=locked, user=actor):
            raise ManageError("Only an owner of the project can do this.")
        if (
            current.role == Role.Kind.OWNER
            and Role.objects.filter(project=locked, role=Role.Kind.OWNER).count() <= 1
        ):
            raise ManageError(
                "The last owner cannot be removed. Transfer ownership to someone else first."
            )
        current.delete()
        record_event(
            tag=EventTag.ROLE_REMOVE,
            user=current.user,
            actor=actor,
            project=locked.name,
            details={"role": current.role, "username": current.user.username},
        )


def ownership_transfer(*, project: Project, role: Role, actor: Any) -> None:
    """Make the holder of ``role`` an owner and the acting owner a maintainer."""
    with transaction.atomic():
        locked = _lock_as_owner(project, actor)
        target = Role.objects.filter(pk=role.pk, project=locked).select_related("user").first()
        if target is None or target.user_id == actor.pk:
            raise ManageError("Choose another member of the project.")
        _require_2fa(target.user)
        changes = []
        if target.role != Role.Kind.OWNER:
            target.role = Role.Kind.OWNER
            target.save(update_fields=["role"])
            changes.append((target.user, Role.Kind.OWNER))
        Role.objects.filter(project=locked, user_id=actor.pk).update(role=Role.Kind.MAINTAINER)
        changes.append((actor, Role.Kind.MAINTAINER))
        for user, new_role in changes:
            record_event(
                tag=EventTag.ROLE_CHANGE,
                user=user,
                actor=actor,
                project=locked.name,
                details={"role": new_role, "username": user.username, "reason": "transfer"},
            )


def sole_owner_projects(user: Any) -> list[str]:
    """Projects where ``user`` is the only owner: deleting the account would orphan them.
    Registered with ``lifeline.accounts.services.register_deletion_blocker`` (IndexConfig)."""
    from django.db.models import Count, Q

    owned = Role.objects.filter(user=user, role=Role.Kind.OWNER).values_list(
        "project_id", flat=True
    )
    return list(
        Project.objects.filter(pk__in=list(owned))
        .annotate(owners=Count("roles", filter=Q(roles__role=Role.Kind.OWNER)))
        .filter(owners=1)
        .values_list("name", flat=True)
    )
