"""2FA fixtures for the whole suite (registered in tests/conftest.py).

- ``make_2fa_account(user, confirmed=True)``: give any user TOTP + recovery codes
  (confirmed saved, so ``has_2fa`` is true), without events or emails.
- ``user_with_totp``: TOTP and codes, codes NOT confirmed (setup incomplete).
- ``user_with_2fa``: TOTP and confirmed codes. A ``TwoFactorAccount``: ``.user``,
  ``.password``, ``.code()`` (current TOTP code; ``.code(1)`` the next step's),
  ``.recovery_codes()``.
- ``client_2fa``: the Django test client signed in as ``user_with_2fa`` with both factors
  recorded and sudo mode fresh. ``enter_sudo(client, user)`` refreshes sudo mode;
  ``login_with_2fa(client, account)`` runs the real password + TOTP login.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.factories import DEFAULT_PASSWORD, UserFactory

_USER_KEY = "account_authentication_methods_user"


@dataclass
class TwoFactorAccount:
    user: Any
    secret: str
    password: str = DEFAULT_PASSWORD

    def code(self, steps: int = 0) -> str:
        """The TOTP code for now (+ ``steps`` periods of 30 s; ±1 is accepted)."""
        return pyotp.TOTP(self.secret).at(time.time() + 30 * steps)

    @property
    def recovery_authenticator(self) -> Authenticator:
        return Authenticator.objects.get(user=self.user, type=Authenticator.Type.RECOVERY_CODES)

    def recovery_codes(self) -> list[str]:
        """The unused recovery codes (plain digits)."""
        return self.recovery_authenticator.wrap().get_unused_codes()


def make_2fa_account(user: Any = None, *, confirmed: bool = True) -> TwoFactorAccount:
    from lifeline.accounts.mfa.models import RecoveryCodesConfirmation

    user = user or UserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user)
    if confirmed:
        RecoveryCodesConfirmation.objects.create(authenticator=codes.instance)
    return TwoFactorAccount(user=user, secret=secret)


def enter_sudo(client: Any, user: Any, *, age: float = 0) -> None:
    """Mark the client's session as (re)authenticated with password and 2FA ``age`` seconds
    ago: allauth's sudo mode when recent, a plain 2FA login once past the sudo window."""
    session = client.session
    now = time.time() - age
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "username": user.username, "reauthenticated": True},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session[_USER_KEY] = str(user.pk)
    session.save()


def login_with_2fa(client: Any, account: TwoFactorAccount, steps: int = 0) -> Any:
    """The real flow: password, then a TOTP code. Returns the last response."""
    client.post(
        "/account/login/",
        {"login": account.user.username, "password": account.password},
    )
    return client.post(
        "/account/2fa/authenticate/", {"code": account.code(steps), "method": "totp"}
    )


@pytest.fixture
def user_with_totp(db) -> TwoFactorAccount:
    return make_2fa_account(confirmed=False)


@pytest.fixture
def user_with_2fa(db) -> TwoFactorAccount:
    return make_2fa_account(confirmed=True)


@pytest.fixture
def client_2fa(client, user_with_2fa):
    client.force_login(user_with_2fa.user)
    enter_sudo(client, user_with_2fa.user)
    client.account = user_with_2fa
    return client
