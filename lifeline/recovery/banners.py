"""The owner's banner: a recovery request for your account is in progress."""

from __future__ import annotations

from django.http import HttpRequest

from lifeline.core.banners import Banner
from lifeline.recovery.links import cancel_path
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.states import QUEUED_STATES


def owner_recovery_banners(request: HttpRequest) -> list[Banner]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    banners = []
    for request_obj in RecoveryRequest.objects.filter(user=user, state__in=list(QUEUED_STATES)):
        banners.append(
            Banner(
                message=(
                    f"Someone asked to recover this account on "
                    f"{request_obj.created:%Y-%m-%d %H:%M} UTC from "
                    f"{request_obj.submitted_ip or 'an unknown address'} "
                    f"(request {request_obj.reference}). If it wasn't you, cancel it."
                ),
                level="danger",
                url=cancel_path(request_obj),
                action="Cancel this recovery request",
            )
        )
    return banners
