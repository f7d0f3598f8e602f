"""Who can get into an account: sessions, password, second factors, freezing, the critical
flag and desk groups. Callers record their own events (they know the actor and the why)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone


def end_all_sessions(user: Any) -> int:
    """End every tracked session of ``user`` (allauth usersessions). Returns how many."""
    ended = 0
    for session in UserSession.objects.filter(user_id=user.pk):
        session.end()
        ended += 1
    return ended


def clear_second_factors(user: Any) -> list[str]:
    """Remove every 2FA method and the recovery codes; returns the removed types, sorted."""
    removed = sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True)))
    Authenticator.objects.filter(user=user).delete()
    return removed


def freeze(user: Any, *, reason: str) -> None:
    """Block sign-in (the login page says to contact support)."""
    user.frozen_at = timezone.now()
    user.frozen_reason = reason[:500]
    user.save(update_fields=["frozen_at", "frozen_reason"])


def unfreeze(user: Any) -> None:
    user.frozen_at = None
    user.frozen_reason = ""
    user.save(update_fields=["frozen_at", "frozen_reason"])


def set_critical(user: Any, critical: bool) -> None:
    user.is_critical = critical
    user.save(update_fields=["is_critical"])


def make_password_unusable(user: Any) -> None:
    user.set_unusable_password()
    user.save(update_fields=["password"])


def password_reset_path(user: Any) -> str:
    """The path of a password-reset link for ``user`` (allauth's own reset page)."""
    return reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )


def set_role_groups(user: Any, *, role: str, managed: Iterable[str]) -> None:
    """Put ``user`` in group ``role`` alone among the ``managed`` groups (``""``: none of
    them). A role makes the account staff; no role takes staff away unless superuser."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in managed}
    user.groups.remove(*groups.values())
    if role:
        user.groups.add(groups[role])
        user.is_staff = True
    elif not user.is_superuser:
        user.is_staff = False
    user.save(update_fields=["is_staff"])
