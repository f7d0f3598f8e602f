"""Staff roles for the support desk: who may review, decide and manage staff.

Roles are Django auth groups (created by the desk app's data migration):

* ``support``: may review cases, message requesters and decide (assign, ask for
  information, approve, deny, escalate).
* ``admin``: everything support may do, plus decide escalated cases, the account tools
  (freeze, mark critical, force a password reset) and managing staff.

Giving a role is a two-person action (a second admin confirms; a sole admin's grant waits
7 days and every staff member is told): see :func:`staff_set_role`.

A role only counts on an active ``is_staff`` account; a superuser counts as admin. 2FA and
sudo mode are checked by the desk's views (they need the request); the services re-check
the role, so a service called from anywhere else cannot skip it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag

SUPPORT = "support"
ADMIN = "admin"
ROLES = (SUPPORT, ADMIN)


class NotAllowed(Exception):
    """The actor lacks the role this action needs."""


def _group_names(user: Any) -> set[str]:
    cache = getattr(user, "_lifeline_desk_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._lifeline_desk_groups = cache
    return cache


def is_support(user: Any) -> bool:
    """May use the desk (support or admin)."""
    if user is None or not getattr(user, "pk", None) or not user.is_active or not user.is_staff:
        return False
    return user.is_superuser or bool(_group_names(user) & set(ROLES))


def is_admin(user: Any) -> bool:
    if not is_support(user):
        return False
    return user.is_superuser or ADMIN in _group_names(user)


def require_support(user: Any) -> None:
    if not is_support(user):
        raise NotAllowed("Only support staff may do this.")


def require_admin(user: Any) -> None:
    if not is_admin(user):
        raise NotAllowed("Only a desk admin may do this.")


def role_of(user: Any) -> str:
    if is_admin(user):
        return ADMIN
    return SUPPORT if is_support(user) else ""


def staff_members() -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name__in=ROLES)
        .distinct()
        .order_by("username")
    )


def admins() -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=ADMIN).distinct()
    ) + list(User.objects.filter(is_active=True, is_staff=True, is_superuser=True))


@dataclass(frozen=True)
class RoleChange:
    """What :func:`staff_set_role` did: applied now, or a grant waiting for confirmation."""

    applied: bool
    message: str
    grant: Any | None = None


_RANK = {"": 0, SUPPORT: 1, ADMIN: 2}


def _check_justification(justification: str) -> str:
    from lifeline.recovery.states import min_justification_length

    justification = (justification or "").strip()
    if len(justification) < min_justification_length():
        raise NotAllowed(
            f"Give a justification of at least {min_justification_length()} characters."
        )
    return justification


def grant_delay() -> timedelta:
    return timedelta(days=int(getattr(settings, "LIFELINE_DESK_SOLE_ADMIN_GRANT_DAYS", 7)))


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
    justification = _check_justification(justification)
    before = role_of(user)
    if _RANK[role] > _RANK[before]:
        return _propose_grant(user=user, role=role, actor=actor, justification=justification)
    with transaction.atomic():
        _apply_role(user=user, role=role, actor=actor, details={"justification": justification})
    return RoleChange(applied=True, message=f"{user.username}'s role was updated.")


def _apply_role(*, user: Any, role: str, actor: Any, details: dict[str, Any]) -> None:
    before = role_of(user)
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    user.groups.remove(*groups.values())
    if role:
        user.groups.add(groups[role])
        user.is_staff = True
    elif not user.is_superuser:
        user.is_staff = False
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_lifeline_desk_groups", None)
    record_event(
        tag=EventTag.STAFF_ROLE_GRANT if role else EventTag.STAFF_ROLE_REVOKE,
        user=user,
        actor=actor,
        details={"from": before, "to": role, **details},
    )


def _propose_grant(*, user: Any, role: str, actor: Any, justification: str) -> RoleChange:
    from lifeline.notifications.services import send_email
    from lifeline.recovery.models import StaffRoleGrant

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
            send_email(
                template="recovery_role_grant_pending",
                user=member,
                context={
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
    from lifeline.recovery.models import StaffRoleGrant

    return list(
        StaffRoleGrant.objects.filter(applied_at__isnull=True, cancelled_at__isnull=True)
        .select_related("user", "proposed_by")
        .order_by("created")
    )


def confirm_role_grant(*, grant: Any, actor: Any, justification: str) -> None:
    """A second admin confirms a pending grant: the role takes effect now."""
    from lifeline.recovery.models import StaffRoleGrant

    require_admin(actor)
    justification = _check_justification(justification)
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
    from lifeline.recovery.models import StaffRoleGrant

    require_admin(actor)
    justification = _check_justification(justification)
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
    from lifeline.recovery.models import StaffRoleGrant

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


def granted_within(a_id: int, b_id: int, *, days: int = 30) -> bool:
    """True when one of the two accounts gave the other a desk role in the last ``days``
    (proposed or confirmed the grant). Their approvals of one case then count as one."""
    from django.db.models import Q

    from lifeline.events.models import SecurityEvent
    from lifeline.recovery.models import StaffRoleGrant

    since = timezone.now() - timedelta(days=days)
    pair = Q(user_id=a_id) & (Q(proposed_by_id=b_id) | Q(confirmed_by_id=b_id)) | Q(
        user_id=b_id
    ) & (Q(proposed_by_id=a_id) | Q(confirmed_by_id=a_id))
    if StaffRoleGrant.objects.filter(pair, applied_at__gte=since).exists():
        return True
    return SecurityEvent.objects.filter(
        Q(user_id=a_id, actor_id=b_id) | Q(user_id=b_id, actor_id=a_id),
        tag=EventTag.STAFF_ROLE_GRANT,
        created__gte=since,
    ).exists()
