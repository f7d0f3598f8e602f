"""The single-use restore link: issued when cooling-off ends, checked when it is used.

The link is valid ``LIFELINE_RECOVERY_RESTORE_LINK_HOURS`` (72 h) and goes to the verified
contact address; a newer link replaces an older one. Only the SHA-256 digest of the token is
stored (``RestoreLink.token_hash``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lifeline.recovery import conf, crypto, notify
from lifeline.recovery.links import LinkProblem, get_by_public_id
from lifeline.recovery.models import RecoveryRequest, RestoreLink
from lifeline.recovery.states import State


def issue_restore_link(*, request_obj: RecoveryRequest) -> str:
    """Create a new restore link (older ones stop working) and email it to the contact
    address. Returns the raw token (for tests; it is never stored)."""
    raw = crypto.new_link_token()
    now = timezone.now()
    ttl = conf.restore_link_ttl()
    with transaction.atomic():
        RestoreLink.objects.filter(
            request=request_obj, used_at__isnull=True, superseded_at__isnull=True
        ).update(superseded_at=now)
        link = RestoreLink.objects.create(
            request=request_obj,
            token_hash=crypto.hash_link_token(raw),
            email=request_obj.contact_email,
            expires_at=now + ttl,
        )
        path = reverse(
            "recovery_restore_enter", kwargs={"public_id": request_obj.public_id, "token": raw}
        )
        notify.restore_link(
            request_obj,
            restore_path=path,
            expires_at=link.expires_at,
            ttl_hours=int(ttl.total_seconds() // 3600),
        )
    return raw


def check_restore_link(*, public_id: Any, token: str) -> RestoreLink:
    """The usable restore link for this token, or :class:`LinkProblem` (never a 500)."""
    request_obj = get_by_public_id(public_id)
    if request_obj is None or not token or len(token) > 100:
        raise LinkProblem("invalid")
    link = RestoreLink.objects.filter(
        request=request_obj, token_hash=crypto.hash_link_token(token)
    ).first()
    if link is None:
        raise LinkProblem("invalid")
    if link.used_at is not None or request_obj.state == State.COMPLETED:
        raise LinkProblem("used", request_obj)
    if request_obj.state != State.READY or link.superseded_at is not None:
        raise LinkProblem("invalid", request_obj)
    if link.expires_at <= timezone.now():
        raise LinkProblem("expired", request_obj)
    return link
