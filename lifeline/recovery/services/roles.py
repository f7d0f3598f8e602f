"""Staff roles for the support desk: who may review, decide and manage staff.

Roles are Django auth groups (created by the desk app's data migration):

* ``support``: may review cases, message requesters and decide (assign, ask for
  information, approve, deny, escalate).
* ``admin``: everything support may do, plus decide escalated cases, the account tools
  (freeze, mark critical, force a password reset) and managing staff.

A role only counts on an active ``is_staff`` account; a superuser counts as admin. 2FA and
sudo mode are checked by the desk's views (they need the request); the services re-check
the role, so a service called from anywhere else cannot skip it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

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


def staff_set_role(*, user: Any, role: str, actor: Any, justification: str) -> None:
    """Give ``user`` the ``role`` ("support", "admin") or remove every role (``""``).

    Only an admin may do it, never on their own account (no self-promotion, and an admin
    cannot lock themself out by accident). Granting a role makes the account staff;
    removing every role takes staff status away. Recorded as an account event.
    """
    from lifeline.recovery.states import min_justification_length

    require_admin(actor)
    if role not in (*ROLES, ""):
        raise ValueError(f"Unknown role {role!r}.")
    if getattr(user, "pk", None) == getattr(actor, "pk", None):
        raise NotAllowed("You cannot change your own role.")
    justification = (justification or "").strip()
    if len(justification) < min_justification_length():
        raise NotAllowed(
            f"Give a justification of at least {min_justification_length()} characters."
        )
    with transaction.atomic():
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
            details={"from": before, "to": role, "justification": justification},
        )
