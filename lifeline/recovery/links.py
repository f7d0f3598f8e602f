"""Links of a case: absolute URLs for emails (built from LIFELINE_BASE_URL, never from a
request), finding a case by its public id, and :class:`LinkProblem` for links that cannot be
used."""

from __future__ import annotations

from typing import Any

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


class LinkProblem(Exception):
    """A link that cannot be used: ``invalid`` (unknown or tampered), ``expired`` or ``used``."""

    def __init__(self, code: str, request_obj: RecoveryRequest | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.request_obj = request_obj


def get_by_public_id(public_id: Any) -> RecoveryRequest | None:
    try:
        return RecoveryRequest.objects.select_related("user").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None
