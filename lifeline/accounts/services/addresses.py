"""An account's email addresses (allauth's ``EmailAddress`` rows)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress


def verified_addresses(user: Any | None) -> list[str]:
    """Every verified address of ``user`` (none for no user)."""
    if user is None:
        return []
    return list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )


def verified_elsewhere(email: str, user: Any) -> bool:
    """True when another account has ``email`` as a verified address."""
    return (
        EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(user=user).exists()
    )


def make_verified_primary(user: Any, email: str) -> str:
    """Make ``email`` the account's verified primary address (added if missing); the other
    addresses stay, no longer primary. Sets ``user.email`` (the caller saves it). Returns the
    address as stored."""
    EmailAddress.objects.filter(user=user).update(primary=False)
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        address = EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    else:
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    user.email = address.email
    return address.email
