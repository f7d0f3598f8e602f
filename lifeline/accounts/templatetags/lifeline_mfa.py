"""Template helpers for 2FA pages: grouped recovery codes and the user's 2FA state."""

from __future__ import annotations

from typing import Any

from django import template

from lifeline.accounts.mfa.codes import format_recovery_code
from lifeline.accounts.mfa.status import MFAStatus, mfa_status

register = template.Library()


@register.filter
def recovery_code(code: str) -> str:
    """``12345678901234567890`` → ``12345-67890-12345-67890``."""
    return format_recovery_code(str(code))


@register.simple_tag
def mfa_status_for(user: Any) -> MFAStatus:
    return mfa_status(user)
