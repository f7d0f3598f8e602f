"""allauth.mfa signals → Lifeline's security events, emails and prompts.

allauth's own MFA emails are dropped by ``AccountAdapter.send_mail`` (no template mapped);
these receivers send Lifeline's instead, to every verified address.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.dispatch import receiver

from lifeline.accounts.mfa import codes, services
from lifeline.accounts.mfa.forms import ENROLMENT_COUNTER_ATTR
from lifeline.accounts.sessions import end_other_sessions, end_other_sessions_keep_this

FAILURE_WINDOW_SECONDS = 3600
PRIMARY = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def _failure_key(user: Any) -> str:
    return f"lifeline:mfa-failures:{user.pk}"


@receiver(signals.authenticator_added)
def on_authenticator_added(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kw: Any
) -> None:
    if authenticator.type == Authenticator.Type.TOTP:
        counter = getattr(request, ENROLMENT_COUNTER_ATTR, None)
        if counter is not None:
            codes.remember_totp_counter(authenticator, counter)
    if authenticator.type in PRIMARY:
        services.method_added(user=user, authenticator=authenticator)
        if request is not None and getattr(request, "user", None) == user:
            # Enrolling proved possession of the factor: this session has now used 2FA
            # (see status.session_passed_2fa).
            from allauth.account.internal.flows.login import record_authentication

            record_authentication(request, user, "mfa", type=authenticator.type, enrolled=True)
        _end_other_sessions(request, user, reason=f"{authenticator.type}_added")
    elif authenticator.type == Authenticator.Type.RECOVERY_CODES:
        services.recovery_codes_generated(user=user, authenticator=authenticator, regenerated=False)


def _end_other_sessions(request: Any, user: Any, *, reason: str) -> None:
    """A new factor or a new set of codes: sessions that never used it must end.

    Otherwise a session signed in with only the password before 2FA existed could keep
    going (re-authenticate with the password, mint a token, publish).
    """
    if request is not None and getattr(request, "user", None) == user:
        end_other_sessions_keep_this(request, user, reason=reason)
    else:
        end_other_sessions(user=user, keep_session_key=None, reason=reason)


@receiver(signals.authenticator_removed)
def on_authenticator_removed(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kw: Any
) -> None:
    if authenticator.type in PRIMARY:
        services.method_removed(user=user, authenticator=authenticator)


@receiver(signals.authenticator_reset)
def on_authenticator_reset(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kw: Any
) -> None:
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        services.recovery_codes_generated(user=user, authenticator=authenticator, regenerated=True)
        _end_other_sessions(request, user, reason="recovery_codes_regenerated")


@receiver(signals.authenticator_used)
def on_authenticator_used(
    sender: Any,
    request: Any,
    user: Any,
    authenticator: Authenticator,
    reauthenticated: bool = False,
    **kw: Any,
) -> None:
    cache.delete(_failure_key(user))
    if authenticator.type != Authenticator.Type.RECOVERY_CODES:
        return
    # The form's instance may predate the used-bit being set: read the row again.
    fresh = Authenticator.objects.get(pk=authenticator.pk)
    left = services.recovery_code_used(
        user=user, authenticator=fresh, reauthentication=reauthenticated
    )
    if request is not None and left <= settings.LIFELINE_RECOVERY_CODES_LOW:
        messages.warning(
            request,
            f"You used a recovery code and have {left} left. Generate a new set now (Two-factor "
            "authentication → Recovery codes) so you are never locked out.",
        )


@receiver(signals.authentication_failed)
def on_authentication_failed(
    sender: Any,
    request: Any,
    user: Any,
    authenticator: Authenticator | None = None,
    reauthentication: bool = False,
    **kw: Any,
) -> None:
    key = _failure_key(user)
    cache.add(key, 0, timeout=FAILURE_WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=FAILURE_WINDOW_SECONDS)
        attempts = 1
    services.second_factor_failed(
        user=user,
        authenticator=authenticator,
        attempts=attempts,
        reauthentication=reauthentication,
    )
