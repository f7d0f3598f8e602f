"""allauth and Django auth signals → the security log."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver

from lifeline.accounts.logins import resolve_credentials
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag


@receiver(account_signals.user_signed_up)
def on_signed_up(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(tag=EventTag.ACCOUNT_CREATED, user=user, actor=user)


@receiver(account_signals.user_logged_in)
def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(tag=EventTag.LOGIN_SUCCESS, user=user, actor=user)


@receiver(user_logged_out)
def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and getattr(user, "pk", None):
        record_event(tag=EventTag.LOGOUT, user=user, actor=user)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    """Record the failure on the targeted account's own log (never shown to the requester)."""
    user = resolve_credentials(credentials)
    if user is not None:
        record_event(tag=EventTag.LOGIN_FAILURE, user=user, details={"method": "password"})


@receiver(account_signals.password_changed)
def on_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(tag=EventTag.PASSWORD_CHANGE, user=user, actor=user)


@receiver(account_signals.password_set)
def on_password_set(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(tag=EventTag.PASSWORD_SET, user=user, actor=user)


@receiver(account_signals.password_reset)
def on_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(tag=EventTag.PASSWORD_RESET, user=user, actor=user)


@receiver(account_signals.email_added)
def on_email_added(sender: Any, request: Any, user: Any, email_address: Any, **kw: Any) -> None:
    record_event(
        tag=EventTag.EMAIL_ADD, user=user, actor=user, details={"email": email_address.email}
    )


@receiver(account_signals.email_confirmed)
def on_email_confirmed(sender: Any, request: Any, email_address: Any, **kwargs: Any) -> None:
    user = email_address.user
    record_event(
        tag=EventTag.EMAIL_VERIFY,
        user=user,
        actor=user,
        details={"email": email_address.email},
    )
    release_other_claims(email_address=email_address)


@receiver(account_signals.email_removed)
def on_email_removed(sender: Any, request: Any, user: Any, email_address: Any, **kw: Any) -> None:
    record_event(
        tag=EventTag.EMAIL_REMOVE, user=user, actor=user, details={"email": email_address.email}
    )


@receiver(account_signals.email_changed)
def on_email_primary(
    sender: Any,
    request: Any,
    user: Any,
    from_email_address: Any = None,
    to_email_address: Any = None,
    **kwargs: Any,
) -> None:
    record_event(
        tag=EventTag.EMAIL_PRIMARY,
        user=user,
        actor=user,
        details={
            "from": getattr(from_email_address, "email", None),
            "to": getattr(to_email_address, "email", None),
        },
    )


def release_other_claims(*, email_address: Any) -> int:
    """The mailbox's owner confirmed ``email_address``: other accounts' unconfirmed claims
    to the same address are dropped, so none of them can hold it, sign in with it or be
    reached through it. Each drop is logged on the account that lost the claim."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db import transaction

    claims = EmailAddress.objects.filter(email__iexact=email_address.email, verified=False).exclude(
        user_id=email_address.user_id
    )
    released = 0
    with transaction.atomic():
        for claim in claims.select_related("user"):
            record_event(
                tag=EventTag.EMAIL_REMOVE,
                user=claim.user,
                details={"email": claim.email, "reason": "confirmed_by_another_account"},
            )
            get_user_model().objects.filter(pk=claim.user_id, email__iexact=claim.email).update(
                email=""
            )
            claim.delete()
            released += 1
    return released
