"""2FA fixtures (``user_with_totp``, ``user_with_2fa``, ``client_2fa``) come from
tests/fixtures_mfa.py, registered for the whole suite in tests/conftest.py."""

from tests.fixtures_mfa import TwoFactorAccount, enter_sudo, login_with_2fa, make_2fa_account

__all__ = ["TwoFactorAccount", "enter_sudo", "login_with_2fa", "make_2fa_account"]
