"""Has this user set up two-factor authentication? One answer for the whole project.

Setup is complete only when the user has a real second factor (an authenticator app or
a security key/passkey) AND has proved they saved the current recovery codes by typing
one back. A factor without saved codes is one lost phone away from a support request, so
it does not count: the 2FA gate keeps the user on the setup pages until they confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator

from lifeline.accounts.mfa.codes import unused_code_count
from lifeline.accounts.mfa.models import RecoveryCodesConfirmation

PRIMARY_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


@dataclass(frozen=True)
class MFAStatus:
    has_totp: bool = False
    webauthn_count: int = 0
    has_recovery_codes: bool = False
    codes_confirmed: bool = False
    codes_left: int = 0

    @property
    def has_method(self) -> bool:
        return self.has_totp or self.webauthn_count > 0

    @property
    def complete(self) -> bool:
        return self.has_method and self.has_recovery_codes and self.codes_confirmed

    @property
    def needs_confirmation(self) -> bool:
        return self.has_method and not self.complete


def _anonymous(user: Any) -> bool:
    return user is None or not getattr(user, "pk", None) or getattr(user, "is_anonymous", False)


def mfa_status(user: Any) -> MFAStatus:
    """The user's 2FA state, in one query (plus one for the confirmation)."""
    if _anonymous(user):
        return MFAStatus()
    authenticators = list(Authenticator.objects.filter(user_id=user.pk).only("id", "type", "data"))
    has_totp = any(a.type == Authenticator.Type.TOTP for a in authenticators)
    webauthn_count = sum(a.type == Authenticator.Type.WEBAUTHN for a in authenticators)
    codes = next((a for a in authenticators if a.type == Authenticator.Type.RECOVERY_CODES), None)
    confirmed = (
        codes is not None
        and RecoveryCodesConfirmation.objects.filter(authenticator_id=codes.pk).exists()
    )
    return MFAStatus(
        has_totp=has_totp,
        webauthn_count=webauthn_count,
        has_recovery_codes=codes is not None,
        codes_confirmed=confirmed,
        codes_left=unused_code_count(codes),
    )


def has_2fa(user: Any) -> bool:
    """True when 2FA setup is complete: a TOTP app or WebAuthn key, and saved codes confirmed."""
    if _anonymous(user):
        return False
    return (
        Authenticator.objects.filter(user_id=user.pk, type__in=PRIMARY_TYPES).exists()
        and RecoveryCodesConfirmation.objects.filter(
            authenticator__user_id=user.pk,
            authenticator__type=Authenticator.Type.RECOVERY_CODES,
        ).exists()
    )


def has_second_factor(user: Any) -> bool:
    """True when the user has any TOTP app or WebAuthn key, confirmed codes or not."""
    if _anonymous(user):
        return False
    return Authenticator.objects.filter(user_id=user.pk, type__in=PRIMARY_TYPES).exists()


def session_passed_2fa(request: Any) -> bool:
    """True when *this session* was authenticated with a second factor.

    ``has_2fa`` says a factor is set up; this says it was used. The desk requires both, so a
    staff password alone (phished, or typed into any password-only login path) is never
    enough. Enrolling a factor counts as using it (the user just proved possession).
    """
    from allauth.account.internal.flows.login import get_authentication_records

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def session_needs_second_factor(request: Any) -> bool:
    """True when the signed-in user has a second factor that *this session* never used.

    Such a session was signed in with a password alone (before 2FA was turned on, or by a
    path that skipped the factor): it must use the factor before it may do anything else.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return not session_passed_2fa(request) and has_second_factor(user)
