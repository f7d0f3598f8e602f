"""The owner's banner: an address of yours is no longer verified, and why."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from lifeline.checkup.selectors import recent_unverifications
from lifeline.core.banners import Banner


def unverified_address_banners(request: HttpRequest) -> list[Banner]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [
        Banner(
            message=(
                f"We no longer send security email to {item.email}: {item.reason_text}. "
                "Verify it again if it is still yours, or remove it."
            ),
            level="warning",
            url=reverse("account_email"),
            action="Manage email addresses",
        )
        for item in recent_unverifications(user)
    ]
