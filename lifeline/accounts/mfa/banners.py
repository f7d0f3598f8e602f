"""Site-wide 2FA banners (LIFELINE_BANNER_PROVIDERS).

Until the user proves they saved their recovery codes, every page says so: PyPI found that
unsaved codes are what fills its account-recovery queue.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from lifeline.accounts.mfa.status import mfa_status
from lifeline.core.banners import Banner


def mfa_banners(request: HttpRequest) -> list[Banner]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    status = mfa_status(user)
    if status.needs_confirmation:
        return [
            Banner(
                message=(
                    "Your account is one lost phone away from a support request: you haven't "
                    "confirmed that you saved your recovery codes."
                ),
                level="danger",
                url=reverse("mfa_confirm_recovery_codes"),
                action="Confirm your recovery codes",
            )
        ]
    if not status.has_method:
        if not settings.LIFELINE_REQUIRE_2FA:
            return []
        return [
            Banner(
                message="Two-factor authentication is required to publish and manage projects.",
                level="warning",
                url=reverse("mfa_index"),
                action="Set up two-factor authentication",
            )
        ]
    if status.codes_left <= settings.LIFELINE_RECOVERY_CODES_LOW:
        return [
            Banner(
                message=f"You have {status.codes_left} recovery codes left.",
                level="warning",
                url=reverse("mfa_generate_recovery_codes"),
                action="Generate a new set",
            )
        ]
    return []
