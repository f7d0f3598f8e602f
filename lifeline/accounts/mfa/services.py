"""2FA services: events and emails for every change to a user's second factors.

Services never take a request (ARCHITECTURE.md). Each security change records one
SecurityEvent and emails every verified address: someone who took over one address or
one session must not be able to change factors quietly.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifeline.accounts.mfa.codes import unused_code_count
from lifeline.accounts.mfa.models import RecoveryCodesConfirmation
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email

_ADD_TAGS = {
    Authenticator.Type.TOTP: EventTag.TOTP_ADD,
    Authenticator.Type.WEBAUTHN: EventTag.WEBAUTHN_ADD,
}
_REMOVE_TAGS = {
    Authenticator.Type.TOTP: EventTag.TOTP_REMOVE,
    Authenticator.Type.WEBAUTHN: EventTag.WEBAUTHN_REMOVE,
}


def describe_authenticator(authenticator: Authenticator) -> str:
    """A plain description for emails and events, e.g. 'passkey "Laptop"'."""
    if authenticator.type == Authenticator.Type.TOTP:
        return "authenticator app"
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        wrapped = authenticator.wrap()
        kind = "passkey" if wrapped.is_passwordless else "security key"
        return f'{kind} "{wrapped.name}"'
    return "recovery codes"


def _details(authenticator: Authenticator) -> dict[str, Any]:
    details: dict[str, Any] = {"method": authenticator.type, "authenticator_id": authenticator.pk}
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        wrapped = authenticator.wrap()
        details |= {"name": wrapped.name, "passkey": bool(wrapped.is_passwordless)}
    return details


def method_added(*, user: Any, authenticator: Authenticator) -> None:
    """A TOTP app or WebAuthn key was added."""
    with transaction.atomic():
        record_event(
            tag=_ADD_TAGS[authenticator.type],
            user=user,
            actor=user,
            details=_details(authenticator),
        )
        send_email(
            template="mfa_method_added",
            user=user,
            context={"method": describe_authenticator(authenticator)},
        )


def method_removed(*, user: Any, authenticator: Authenticator) -> None:
    with transaction.atomic():
        record_event(
            tag=_REMOVE_TAGS[authenticator.type],
            user=user,
            actor=user,
            details=_details(authenticator),
        )
        send_email(
            template="mfa_method_removed",
            user=user,
            context={"method": describe_authenticator(authenticator)},
        )


def recovery_codes_generated(*, user: Any, authenticator: Authenticator, regenerated: bool) -> None:
    """A new set exists; the old one (if any) no longer works and must be confirmed anew."""
    tag = EventTag.RECOVERY_CODES_REGENERATE if regenerated else EventTag.RECOVERY_CODES_GENERATE
    with transaction.atomic():
        record_event(
            tag=tag, user=user, actor=user, details={"count": unused_code_count(authenticator)}
        )
        send_email(
            template="mfa_recovery_codes_generated",
            user=user,
            context={"regenerated": regenerated},
        )


def recovery_code_used(*, user: Any, authenticator: Authenticator, reauthentication: bool) -> int:
    """Tell every verified address a code was used and how many are left; return that."""
    left = unused_code_count(authenticator)
    low = left <= settings.LIFELINE_RECOVERY_CODES_LOW
    with transaction.atomic():
        record_event(
            tag=EventTag.RECOVERY_CODE_USE,
            user=user,
            actor=user,
            details={"remaining": left, "sudo": reauthentication},
        )
        send_email(
            template="mfa_recovery_code_used",
            user=user,
            context={"remaining": left, "low": low},
        )
    return left


def confirm_recovery_codes(*, user: Any, authenticator: Authenticator) -> RecoveryCodesConfirmation:
    """Record that the user typed back a code of this set (without using it up)."""
    with transaction.atomic():
        confirmation, created = RecoveryCodesConfirmation.objects.get_or_create(
            authenticator=authenticator, defaults={"confirmed_at": timezone.now()}
        )
        if created:
            record_event(
                tag=EventTag.RECOVERY_CODES_CONFIRM,
                user=user,
                actor=user,
                details={"authenticator_id": authenticator.pk},
            )
            send_email(template="mfa_recovery_codes_confirmed", user=user, context={})
    return confirmation


def second_factor_failed(
    *, user: Any, authenticator: Authenticator | None, attempts: int, reauthentication: bool
) -> None:
    """Record a failed attempt; at the alert threshold, email every verified address."""
    method = authenticator.type if authenticator is not None else "unknown"
    with transaction.atomic():
        record_event(
            tag=EventTag.MFA_FAILURE,
            user=user,
            details={"method": method, "attempt": attempts, "sudo": reauthentication},
        )
        if attempts == settings.LIFELINE_2FA_FAILURE_ALERT_AFTER:
            send_email(
                template="mfa_failed_attempts",
                user=user,
                context={"attempts": attempts},
            )


def record_key_renamed(*, user: Any, old_name: str, new_name: str) -> None:
    record_event(
        tag=EventTag.WEBAUTHN_RENAME,
        user=user,
        actor=user,
        details={"from": old_name, "to": new_name},
    )
