"""Who holds which desk role (read only): support, admin, and who gave whom a role.

Changing roles (the two-person grant) is the desk's business: ``lifeline.desk.roles``.

Roles are Django auth groups (created by the desk app's data migration):

* ``support``: may review cases, message requesters and decide (assign, ask for
  information, approve, deny, escalate).
* ``admin``: everything support may do, plus decide escalated cases, the account tools
  (freeze, mark critical, force a password reset) and managing staff.

Giving a role is a two-person action (a second admin confirms; a sole admin's grant waits
7 days and every staff member is told): see ``lifeline.desk.roles.staff_set_role``.

A role only counts on an active ``is_staff`` account; a superuser counts as admin. 2FA and
sudo mode are checked by the desk's views (they need the request); the services re-check
the role, so a service called from anywhere else cannot skip it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.models import StaffRoleGrant

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


def granted_within(a_id: int, b_id: int, *, days: int = 30) -> bool:
    """True when one of the two accounts gave the other a desk role in the last ``days``
    (proposed or confirmed the grant). Their approvals of one case then count as one."""
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
