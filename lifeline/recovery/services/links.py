"""Absolute links for recovery emails (built from LIFELINE_BASE_URL, never from a request)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from lifeline.recovery import crypto
from lifeline.recovery.models import RecoveryRequest


def absolute(path: str) -> str:
    return f"{settings.LIFELINE_BASE_URL}{path}"


def status_token_for(request_obj: RecoveryRequest) -> str:
    assert request_obj.contact_verified_at is not None, "no status link before verification"
    return crypto.status_token(
        str(request_obj.public_id), request_obj.contact_verified_at.isoformat()
    )


def status_url(request_obj: RecoveryRequest) -> str:
    return absolute(
        reverse(
            "recovery_status_enter",
            kwargs={"public_id": request_obj.public_id, "token": status_token_for(request_obj)},
        )
    )


def cancel_path(request_obj: RecoveryRequest) -> str:
    return reverse(
        "recovery_owner_cancel", kwargs={"signed": crypto.sign_cancel(str(request_obj.public_id))}
    )


def cancel_url(request_obj: RecoveryRequest) -> str:
    return absolute(cancel_path(request_obj))
