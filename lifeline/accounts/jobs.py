"""Scheduled account jobs (``LIFELINE_SCHEDULED_JOBS``, run by ``lifeline tick``).

Unverified sign-ups expire. Anyone can sign up with any address; until the mailbox's
owner confirms it, the address is only *claimed*. A claim never blocks the real owner
(``forms.SignupForm``: only a verified address is taken), but an account that never
confirmed anything would otherwise hold its username and its claim forever. After
``LIFELINE_UNVERIFIED_SIGNUP_TTL_HOURS`` (72 h by default: the lifetime of allauth's
confirmation link, ``ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS`` = 3, so an account the job
removes can no longer be confirmed from its email anyway) such an account is deleted,
provided nothing else refers to it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag

# What a sign-up creates by itself; a reference from anything else (a project role, a token,
# an authenticator, a recovery request, an admin log entry...) keeps the account.
PART_OF_A_SIGNUP = {
    "account.emailaddress",
    "usersessions.usersession",
    "events.securityevent",
    "notifications.emaillog",
}


def _referenced_elsewhere(user: Any) -> bool:
    for field in type(user)._meta.get_fields(include_hidden=True):
        if not (field.auto_created and field.is_relation and not field.concrete):
            continue
        model = field.related_model
        if model is None or model._meta.label_lower in PART_OF_A_SIGNUP:
            continue
        if model._base_manager.filter(**{field.field.name: user.pk}).exists():
            return True
    return False


def _expirable(user: Any, cutoff: Any) -> bool:
    return (
        user.date_joined < cutoff
        and user.last_login is None
        and not user.is_staff
        and not user.is_superuser
        and not EmailAddress.objects.filter(user_id=user.pk, verified=True).exists()
        and not _referenced_elsewhere(user)
    )


def expire_unverified_signups() -> int:
    """Delete accounts that never verified an address, never signed in, hold nothing and
    are older than the TTL. Returns how many. Idempotent; each account is re-checked under
    a row lock, so one confirmed at the same moment is kept."""
    User = get_user_model()
    cutoff = timezone.now() - timedelta(hours=settings.LIFELINE_UNVERIFIED_SIGNUP_TTL_HOURS)
    candidates = (
        User.objects.filter(date_joined__lt=cutoff, last_login__isnull=True)
        .filter(is_staff=False, is_superuser=False)
        .exclude(emailaddress__verified=True)
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in list(candidates[:1000]):
        with transaction.atomic():
            user = User.objects.select_for_update().filter(pk=pk).first()
            if user is None or not _expirable(user, cutoff):
                continue
            claimed = list(EmailAddress.objects.filter(user_id=pk).values_list("email", flat=True))
            record_event(
                tag=EventTag.SIGNUP_EXPIRED,
                user=None,
                details={
                    "username": user.username,
                    "user_id": user.pk,
                    "unverified_addresses": len(claimed),
                    "ttl_hours": settings.LIFELINE_UNVERIFIED_SIGNUP_TTL_HOURS,
                },
            )
            user.delete()
            expired += 1
    return expired
