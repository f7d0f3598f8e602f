"""Accounts in each checkup state, built directly (no events, no emails)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from lifeline.checkup.reminder_models import CheckupReview
from tests.factories import UserFactory
from tests.fixtures_mfa import make_2fa_account


def add_address(user: Any, email: str, *, verified: bool = True) -> EmailAddress:
    return EmailAddress.objects.create(user=user, email=email, verified=verified, primary=False)


def add_key(user: Any, name: str = "YubiKey") -> Authenticator:
    return Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": name, "credential": {}, "passwordless": False},
    )


def joined_long_ago(user: Any, days: int = 400) -> Any:
    user.date_joined = timezone.now() - timedelta(days=days)
    user.save(update_fields=["date_joined"])
    return user


def at_risk_user(**kwargs: Any) -> Any:
    """One address, no 2FA."""
    return joined_long_ago(UserFactory(**kwargs))


def strong_user(username: str = "strong") -> Any:
    """TOTP + a key + confirmed codes, addresses at two domains, reviewed today."""
    user = joined_long_ago(UserFactory(username=username, email=f"{username}@alice.dev"))
    make_2fa_account(user)
    add_key(user)
    add_address(user, f"{username}@example.org")
    CheckupReview.objects.create(user=user)
    return user
