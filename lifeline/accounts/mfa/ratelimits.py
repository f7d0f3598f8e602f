"""Rate limits on second-factor attempts, per user and per IP (LIFELINE_2FA_RATE_LIMITS).

Every attempt counts (not just failures): the counter is bumped before the code is
checked, so parallel guesses cannot slip past the limit. A six-digit TOTP code has a
one-in-a-million chance per guess, tripled by the ±1 step window; at 20 tries an hour per
account that is years of guessing, and every failure also alerts the owner by email.
A success clears the user's short window, so a typo or two never piles up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from lifeline.core import ratelimit
from lifeline.core.client import current_client
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag

SCOPE = "mfa"
CONFIRM_SCOPE = "mfa-confirm"


def _rules(user: Any) -> list[tuple[str, str]]:
    limits = settings.LIFELINE_2FA_RATE_LIMITS
    ip = current_client().ip or ""
    rules = [(f"user:{user.pk}", spec) for spec in limits.get("user", [])]
    if ip:
        rules += [(f"ip:{ip}", spec) for spec in limits.get("ip", [])]
    return rules


def lockout_message(retry_after: int) -> str:
    at = timezone.now() + timedelta(seconds=retry_after)
    return (
        "Too many attempts. For your protection, second-factor sign-in is paused for this "
        f"account. You can try again in {ratelimit.humanize_wait(retry_after)} "
        f"(at {at:%H:%M} UTC)."
    )


def consume_attempt(user: Any, *, scope: str = SCOPE) -> None:
    """Count one attempt; raise a ValidationError saying when to retry if over the limit."""
    verdict = ratelimit.check_all(scope, _rules(user))
    if verdict.allowed:
        return
    # One lockout event per window, not one per refused request.
    flag = f"lifeline:mfa-lockout:{scope}:{user.pk}"
    if cache.add(flag, 1, timeout=verdict.retry_after):
        record_event(
            tag=EventTag.MFA_LOCKOUT,
            user=user,
            details={"scope": scope, "retry_after_seconds": verdict.retry_after},
        )
    raise ValidationError(lockout_message(verdict.retry_after), code="rate_limited")


def clear_user_attempts(user: Any, *, scope: str = SCOPE) -> None:
    """After a success, forget the user's short-window count (not the IP's)."""
    specs = settings.LIFELINE_2FA_RATE_LIMITS.get("user", [])
    if specs:
        ratelimit.reset(scope, f"user:{user.pk}", specs[0])
