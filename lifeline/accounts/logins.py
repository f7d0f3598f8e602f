"""Which account a login names: one lookup and one answer for every password path.

Sign-in, sudo mode, the Django admin's login and the login rate limit all resolve the
typed login (a username or an email address) here, so they agree on the account, and the
work done does not depend on whether it exists:

- a username is matched without case;
- an address is matched without case, preferring the account that *verified* it (at most
  one can: allauth's unique constraint); failing that, the newest account that claimed it
  unverified. One account at most, so one password hash at most (see ``LoginBackend``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from lifeline.accounts.validators import normalize_email


def normalize_login(login: str | None) -> str:
    """The login as compared: trimmed and lowercased (an address, or a username)."""
    value = (login or "").strip()
    return normalize_email(value) if "@" in value else value.lower()


def resolve_login(login: str | None) -> Any | None:
    """The account a username or email address names, or None. Always one query."""
    value = normalize_login(login)
    if not value:
        return None
    if "@" in value:
        address = (
            EmailAddress.objects.filter(email__iexact=value)
            .select_related("user")
            .order_by("-verified", "-pk")
            .first()
        )
        return address.user if address is not None else None
    return get_user_model().objects.filter(username__iexact=value).first()


def login_from_credentials(credentials: Mapping[str, Any]) -> str:
    """The login string in an ``authenticate()`` call: allauth passes the typed login as
    ``email`` and/or ``username``; sudo mode passes the username and the primary address."""
    return str(credentials.get("username") or credentials.get("email") or "")


def resolve_credentials(credentials: Mapping[str, Any]) -> Any | None:
    return resolve_login(login_from_credentials(credentials))


def login_throttle_key(credentials: Mapping[str, Any]) -> str:
    """The key failed sign-ins are counted under: the *account*, however it is spelled.

    The username and each address of one account share one count, so an attacker gets the
    same number of guesses whichever spelling they use. A login that names no account is
    counted under its normalised spelling: it locks after the same number of tries, with
    the same message, so the limit says nothing about whether the account exists.
    """
    login = login_from_credentials(credentials)
    user = resolve_login(login)
    if user is not None:
        return f"account:{user.pk}"
    return f"login:{normalize_login(login)}"
