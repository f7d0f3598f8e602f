"""Changing desk roles: a two-person action.

An admin proposes; a second admin confirms and the role takes effect. When the proposer is
the only admin, the grant takes effect by itself 7 days later and every staff member is told
at once. Taking a role away applies at once. Who holds which role is read through
``lifeline.recovery.staff.roles`` (recovery's decisions need it, and recovery is below the
desk).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lifeline.accounts.services import access
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery import conf, notify
from lifeline.recovery.justification import check_justification
from lifeline.recovery.models import StaffRoleGrant
from lifeline.recovery.staff.roles import (
    ADMIN,
    ROLES,
    SUPPORT,
    NotAllowed,
    admins,
    granted_within,
    is_admin,
    is_support,
    require_admin,
    role_of,
    staff_members,
)

# The desk reads and changes roles through this module alone.
__all__ = [
    "ADMIN",
    "ROLES",
    "SUPPORT",
    "NotAllowed",
    "RoleChange",
    "admins",
    "apply_due_role_grants",
    "cancel_role_grant",
    "confirm_role_grant",
    "grant_delay",
    "granted_within",
    "is_admin",
    "is_support",
    "pending_grants",
    "require_admin",
    "role_of",
    "staff_members",
    "staff_set_role",
]


@dataclass(frozen=True)
class RoleChange:
    """What :func:`staff_set_role` did: applied now, or a grant waiting for confirmation."""

    applied: bool
    message: str
    grant: Any | None = None


_RANK = {"": 0, SUPPORT: 1, ADMIN: 2}


def grant_delay() -> timedelta:
    return timedelta(days=int(conf.get("LIFELINE_DESK_SOLE_ADMIN_GRANT_DAYS")))


def staff_set_role(*, user: Any, role: str, actor: Any, justification: str) -> RoleChange:
    """Give ``user`` the ``role`` ("support", "admin") or remove every role (``""``).

    Only an admin may do it, never on their own account (no self-promotion, and an admin
    cannot lock themself out by accident). Taking a role away (or lowering it) applies at
    once: it only reduces what someone can do. **Giving** a role, or raising one, is a
    two-person action: it becomes a pending :class:`StaffRoleGrant` that a second admin must
    confirm (:func:`confirm_role_grant`); when the proposer is the only admin, it applies
    itself after 7 days (:func:`apply_due_role_grants`) and every staff member is told now.
    One insider therefore cannot mint a second desk account to approve alongside.
    """
    require_admin(actor)
    if role not in (*ROLES, ""):
        raise ValueError(f"Unknown role {role!r}.")
    if getattr(user, "pk", None) == getattr(actor, "pk", None):
        raise NotAllowed("You cannot change your own role.")
    justification = check_justification(justification)
    before = role_of(user)
    if _RANK[role] > _RANK[before]:
        return _propose_grant(user=user, role=role, actor=actor, justification=justification)
    with transaction.atomic():
        _apply_role(user=user, role=role, actor=actor, details={"justification": justification})
    return RoleChange(applied=True, message=f"{user.username}'s role was updated.")


def _apply_role(*, user: Any, role: str, actor: Any, details: dict[str, Any]) -> None:
    before = role_of(user)
    access.set_role_groups(user, role=role, managed=ROLES)
    user.__dict__.pop("_lifeline_desk_groups", None)
    record_event(
        tag=EventTag.STAFF_ROLE_GRANT if role else EventTag.STAFF_ROLE_REVOKE,
        user=user,
        actor=actor,
        details={"from": before, "to": role, **details},
    )


def _propose_grant(*, user: Any, role: str, actor: Any, justification: str) -> RoleChange:
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        pending = StaffRoleGrant.objects.filter(
            user=user, applied_at__isnull=True, cancelled_at__isnull=True
        )
        if pending.exists():
            raise NotAllowed(
                f"A role grant for {user.username} is already waiting for confirmation."
            )
        confirmers = [a for a in admins() if a.pk not in (actor.pk, user.pk)]
        now = timezone.now()
        grant = StaffRoleGrant.objects.create(
            user=user,
            role=role,
            proposed_by=actor,
            justification=justification,
            created=now,
            effective_at=None if confirmers else now + grant_delay(),
        )
        record_event(
            tag=EventTag.STAFF_ROLE_PROPOSE,
            user=user,
            actor=actor,
            details={
                "from": role_of(user),
                "to": role,
                "justification": justification,
                "needs": "a second admin" if confirmers else f"{grant_delay().days} days",
            },
        )
        told = confirmers if confirmers else [m for m in _all_staff() if m.pk != user.pk]
        for member in told:
            notify.role_grant_pending(
                member,
                {
                    "grant": grant,
                    "grantee": user.username,
                    "by": actor.username,
                    "justification": justification,
                    "effective_at": grant.effective_at,
                },
            )
    if confirmers:
        message = f"The {role} role for {user.username} waits for a second admin to confirm it."
    else:
        message = (
            f"You are the only admin: the {role} role for {user.username} takes effect on "
            f"{grant.effective_at:%Y-%m-%d %H:%M} UTC, and every staff member was told."
        )
    return RoleChange(applied=False, message=message, grant=grant)


def _all_staff() -> list[Any]:
    seen: dict[int, Any] = {}
    for member in [*staff_members(), *admins()]:
        seen.setdefault(member.pk, member)
    return list(seen.values())


def pending_grants() -> list[Any]:
    return list(
        StaffRoleGrant.objects.filter(applied_at__isnull=True, cancelled_at__isnull=True)
        .select_related("user", "proposed_by")
        .order_by("created")
    )


def confirm_role_grant(*, grant: Any, actor: Any, justification: str) -> None:
    """A second admin confirms a pending grant: the role takes effect now."""
    require_admin(actor)
    justification = check_justification(justification)
    with transaction.atomic():
        locked = StaffRoleGrant.objects.select_for_update().get(pk=grant.pk)
        if not locked.is_pending:
            raise NotAllowed("This role grant is no longer waiting for confirmation.")
        if actor.pk in (locked.proposed_by_id, locked.user_id):
            raise NotAllowed("A different admin must confirm this grant.")
        locked.confirmed_by = actor
        locked.applied_at = timezone.now()
        locked.save(update_fields=["confirmed_by", "applied_at"])
        _apply_role(
            user=locked.user,
            role=locked.role,
            actor=actor,
            details={
                "justification": justification,
                "proposed_by": locked.proposed_by.username if locked.proposed_by else "",
                "confirmed_by": actor.username,
            },
        )


def cancel_role_grant(*, grant: Any, actor: Any, justification: str) -> None:
    """Any admin may stop a pending grant (recorded on the grantee's account)."""
    require_admin(actor)
    justification = check_justification(justification)
    with transaction.atomic():
        locked = StaffRoleGrant.objects.select_for_update().get(pk=grant.pk)
        if not locked.is_pending:
            raise NotAllowed("This role grant is no longer waiting for confirmation.")
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["cancelled_at"])
        record_event(
            tag=EventTag.STAFF_ROLE_REVOKE,
            user=locked.user,
            actor=actor,
            details={"from": "proposed " + locked.role, "to": "", "justification": justification},
        )


def apply_due_role_grants() -> int:
    """Scheduled job: apply sole-admin grants whose waiting period is over (if their proposer
    is still an admin). Idempotent."""
    applied = 0
    due = StaffRoleGrant.objects.filter(
        applied_at__isnull=True, cancelled_at__isnull=True, effective_at__lte=timezone.now()
    )
    for grant in due.select_related("user", "proposed_by"):
        with transaction.atomic():
            locked = StaffRoleGrant.objects.select_for_update().get(pk=grant.pk)
            if not locked.is_pending:
                continue
            if locked.proposed_by is None or not is_admin(locked.proposed_by):
                locked.cancelled_at = timezone.now()
                locked.save(update_fields=["cancelled_at"])
                continue
            locked.applied_at = timezone.now()
            locked.save(update_fields=["applied_at"])
            _apply_role(
                user=locked.user,
                role=locked.role,
                actor=locked.proposed_by,
                details={
                    "justification": locked.justification,
                    "proposed_by": locked.proposed_by.username,
                    "confirmed_by": "",
                    "waited_days": grant_delay().days,
                },
            )
            applied += 1
    return applied
