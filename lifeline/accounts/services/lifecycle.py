"""Creating and deleting accounts (never take a request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from lifeline.accounts.validators import normalize_email, validate_username
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag


def user_create(
    *,
    username: str,
    email: str,
    password: str,
    verified: bool = False,
    staff: bool = False,
    validate_password: bool = True,
):
    """Create an account with one (optionally verified) primary address.

    Raises ValidationError with a clear message on a bad or taken username or email.
    """
    User = get_user_model()
    email = normalize_email(email)
    validate_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("That username is taken.")
    if EmailAddress.objects.filter(email__iexact=email).exists():
        raise ValidationError("That email address is already used by an account.")
    user = User(username=username, email=email, is_staff=staff)
    if validate_password:
        password_validation.validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
        record_event(tag=EventTag.ACCOUNT_CREATED, user=user, details={"via": "cli"})
    return user


class AccountDeletionBlocked(Exception):
    """The account cannot be deleted yet; the message says what to do first."""


# Apps that own things an account must hand over before it can be deleted register a
# function here from their AppConfig.ready (the index registers "projects where this account
# is the only owner"). Accounts know nothing about those apps.
DeletionBlocker = Callable[[Any], list[str]]
_DELETION_BLOCKERS: list[DeletionBlocker] = []


def register_deletion_blocker(blocker: DeletionBlocker) -> None:
    """``blocker(user)`` returns the names of projects the deletion would orphan."""
    if blocker not in _DELETION_BLOCKERS:
        _DELETION_BLOCKERS.append(blocker)


def sole_owner_projects(user) -> list[str]:
    """Projects where ``user`` is the only owner (they would be orphaned by a deletion)."""
    found: list[str] = []
    for blocker in _DELETION_BLOCKERS:
        found.extend(blocker(user))
    return found


def account_delete(*, user) -> None:
    """Delete an account for good, after telling every verified address.

    Refused while the user is the sole owner of a project: deleting them would leave the
    project with nobody able to publish or recover it. The deletion is logged with no
    subject (the account is gone) but with the username in the details.
    """
    from lifeline.notifications.services import send_email

    blocked = sole_owner_projects(user)
    if blocked:
        raise AccountDeletionBlocked(
            "You are the only owner of "
            + ", ".join(sorted(blocked))
            + ". Add another owner or transfer ownership first, so the project isn't orphaned."
        )
    with transaction.atomic():
        send_email(template="account_deleted", user=user, context={"username": user.username})
        record_event(
            tag=EventTag.ACCOUNT_DELETE,
            user=None,
            details={"username": user.username, "user_id": user.pk},
        )
        user.delete()
