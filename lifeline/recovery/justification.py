"""The one justification rule: a staff decision carries a written reason of at least
``LIFELINE_RECOVERY_MIN_JUSTIFICATION`` characters (20 by default).

Every service that needs a justification (transitions, desk actions, account tools, roles)
calls :func:`check_justification` and lets :class:`JustificationTooShort` through; desk forms
call it too and show the same message. It lives in recovery (below the desk) so both can
import it.
"""

from __future__ import annotations

from lifeline.recovery.conf import min_justification_length
from lifeline.recovery.states import IllegalTransition

__all__ = ["JustificationTooShort", "check_justification", "min_justification_length"]


class JustificationTooShort(IllegalTransition):
    """The written justification is missing or shorter than the minimum."""


def justification_message() -> str:
    return f"Write a justification of at least {min_justification_length()} characters."


def check_justification(justification: str | None) -> str:
    """The stripped justification, or :class:`JustificationTooShort`."""
    text = (justification or "").strip()
    if len(text) < min_justification_length():
        raise JustificationTooShort(justification_message())
    return text
