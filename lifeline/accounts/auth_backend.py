"""The one authentication backend: exactly one password hash per attempt.

Django's ``ModelBackend`` and allauth's backend, listed together, hashed a known address
three times (a dummy hash in ``ModelBackend``, then allauth checked it as an address, and
again as the ``email`` credential) and an unknown one twice: about 130 ms more for a known
address, enough to tell which addresses have accounts. Here every attempt resolves the
login once (``lifeline.accounts.logins``) and runs the password hasher exactly once: on
the account's hash when there is an account, else on a dummy of the same cost. Django's
``check_password`` also runs the hasher for an account with an unusable password.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.http import HttpRequest

from lifeline.accounts.logins import resolve_credentials


class LoginBackend(AuthenticationBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, **credentials: Any
    ) -> Any | None:
        password = credentials.get("password")
        if not password:
            return None
        user = resolve_credentials(credentials)
        if user is None:
            self._mitigate_timing_attack(password)
            return None
        if not user.check_password(password):
            return None
        if not self.user_can_authenticate(user):
            # allauth shows its "account inactive" page for a right password (see its stash).
            self._stash_user(user)
            return None
        return user
