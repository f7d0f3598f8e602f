"""Accounts settings defined only here, with their defaults (override any in settings.py).

The allauth settings and the 2FA policy stay in lifeline/settings/accounts.py, which allauth
reads.
"""

from __future__ import annotations

from django.conf import settings


def signup_open() -> bool:
    """``LIFELINE_SIGNUP_OPEN``: may anyone create an account? (Off: staff create them.)"""
    return bool(getattr(settings, "LIFELINE_SIGNUP_OPEN", True))


# --- Session lifetimes (lifeline/accounts/session_limits.py, docs/security.md V7.3) ---------

#: A signed-in session that sends no request for this long ends (ASVS 7.3.1). 12 hours:
#: PyPI's Warehouse keeps a session 12 hours after its last use, a working day at a desk
#: survives lunch, and every action that matters is behind 2FA and a 10-minute sudo mode.
SESSION_IDLE_TIMEOUT = 12 * 3600
#: Whatever its activity, a session ends this long after its sign-in (ASVS 7.3.2); neither
#: sudo mode nor session writes extend it. Equal to ``SESSION_COOKIE_AGE`` in settings.py.
SESSION_MAX_AGE = 14 * 24 * 3600


def session_idle_timeout() -> int:
    """``LIFELINE_SESSION_IDLE_TIMEOUT``, in seconds."""
    return int(getattr(settings, "LIFELINE_SESSION_IDLE_TIMEOUT", SESSION_IDLE_TIMEOUT))


def session_max_age() -> int:
    """``LIFELINE_SESSION_MAX_AGE``, in seconds, counted from the sign-in."""
    return int(getattr(settings, "LIFELINE_SESSION_MAX_AGE", SESSION_MAX_AGE))
