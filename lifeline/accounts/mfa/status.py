"""Has this user set up two-factor authentication? One answer for the whole project."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator


def has_2fa(user: Any) -> bool:
    """True when the user has a real second factor (an authenticator app or security key)."""
    if not getattr(user, "is_authenticated", False) and not getattr(user, "pk", None):
        return False
    return Authenticator.objects.filter(
        user_id=user.pk,
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
    ).exists()
