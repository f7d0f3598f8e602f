"""Issue, authenticate, use and revoke API tokens. Services never take a request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email
from lifeline.tokens import crypto
from lifeline.tokens.models import ApiToken

# Don't write a "used" event for every file of a release: one per token per this window.
USE_EVENT_INTERVAL_SECONDS = 60


def token_create(
    *,
    user: Any,
    name: str,
    project: Any | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is never stored or shown again.

    Every verified address of the user is told, so a token minted by an intruder is noticed.
    """
    public_id, raw = crypto.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100] or "Unnamed token",
            public_id=public_id,
            secret_hash=crypto.hash_token(raw),
            project=project,
            expires_at=expires_at,
        )
        record_event(
            tag=EventTag.TOKEN_CREATE,
            user=user,
            actor=user,
            project=project.name if project is not None else "",
            details=_describe(token),
        )
        send_email(template="api_token_created", user=user, context={"token": token})
    return token, raw


def token_lookup(raw_token: str) -> ApiToken | None:
    """The token whose hash matches ``raw_token``, active or not, or None.

    Compares in constant time, with a dummy compare when the public id is unknown, so timing
    does not reveal which public ids exist. Use ``token_authenticate`` to authorise anything.
    """
    parsed = crypto.parse(raw_token)
    if parsed is None:
        return None
    token = (
        ApiToken.objects.select_related("user", "project")
        .filter(public_id=parsed.public_id)
        .first()
    )
    stored = token.secret_hash if token is not None else crypto.DUMMY_HASH
    if not crypto.matches(parsed.raw, stored) or token is None:
        return None
    return token


def token_authenticate(raw_token: str) -> ApiToken | None:
    """The active token for ``raw_token``, or None.

    Checks form, hash (see ``token_lookup``), revocation, expiry and that the owner's account
    is active. It does not check scope and does not record use: callers decide what the
    token is for, then call ``token_record_use``.
    """
    token = token_lookup(raw_token)
    if token is None or not token.is_active or not token.user.is_active:
        return None
    return token


def token_record_use(*, token: ApiToken, ip: str | None) -> None:
    """Record that ``token`` was used (last use time and IP, and a throttled event)."""
    now = timezone.now()
    previous = token.last_used_at
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip
        if previous is None or (now - previous).total_seconds() >= USE_EVENT_INTERVAL_SECONDS:
            record_event(
                tag=EventTag.TOKEN_USE,
                user=token.user,
                actor=token.user,
                project=token.project.name if token.project_id else "",
                details=_describe(token),
                ip=ip,
            )


def token_revoke(*, token: ApiToken, actor: Any) -> bool:
    """Revoke ``token``. Returns False if it was already revoked. Emails the owner."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            return False
        token.refresh_from_db()
        record_event(
            tag=EventTag.TOKEN_REVOKE,
            user=token.user,
            actor=actor,
            project=token.project.name if token.project_id else "",
            details=_describe(token),
        )
        send_email(
            template="api_token_revoked",
            user=token.user,
            context={"token": token, "by_owner": getattr(actor, "pk", None) == token.user_id},
        )
    return True


def tokens_for_user(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).select_related("project"))


def _describe(token: ApiToken) -> dict[str, Any]:
    return {
        "token_name": token.name,
        "public_id": token.public_id,
        "scope": token.project.normalized_name if token.project_id else "all",
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }
