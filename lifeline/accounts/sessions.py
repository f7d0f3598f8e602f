"""Ending an account's other sessions when its second factors change.

A session signed in with only a password before two-factor authentication was turned on
must not outlive that change: it could otherwise re-authenticate with the same password,
mint an API token and publish, which is exactly what 2FA is meant to stop. So enabling a
factor, confirming the first saved recovery codes and regenerating codes end every other
session of the account, and keep the one that made the change.

Two mechanisms, so that no session is missed:
- allauth's ``usersessions`` rows are ended (their session data is deleted from the store),
  which is what the account's "Where you're signed in" page lists;
- the account's ``session_epoch`` is bumped. Django signs each session with
  ``User.get_session_auth_hash()``, which includes the epoch, and drops any session whose
  hash no longer matches: this catches sessions that allauth never tracked and requests
  already in flight. The current session is re-signed, so it stays.
"""

from __future__ import annotations

from typing import Any

from allauth.usersessions.adapter import get_adapter as get_sessions_adapter
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag


def end_other_sessions(*, user: Any, keep_session_key: str | None, reason: str) -> int:
    """End every session of ``user`` except ``keep_session_key``; return how many ended.

    Bumps ``user.session_epoch`` (in memory too), so every session that is not re-signed
    afterwards stops working, and records one ``account:session:end`` event when any
    tracked session ended (the factor change itself has its own event).
    """
    others = [
        s
        for s in UserSession.objects.filter(user_id=user.pk)
        if not keep_session_key or s.session_key != keep_session_key
    ]
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        user.refresh_from_db(fields=["session_epoch"])
        get_sessions_adapter().end_sessions(others)
        if others:
            record_event(
                tag=EventTag.SESSION_END,
                user=user,
                actor=user,
                details={"reason": reason, "count": len(others), "all_others": True},
            )
    return len(others)


def end_other_sessions_keep_this(request: HttpRequest, user: Any, *, reason: str) -> int:
    """The request-aware glue: end the others, then re-sign this session so it stays."""
    session = getattr(request, "session", None)
    old_key = getattr(session, "session_key", None)
    ended = end_other_sessions(user=user, keep_session_key=old_key, reason=reason)
    current = getattr(request, "user", None)
    if current is None or getattr(current, "pk", None) != user.pk or session is None:
        return ended
    if current is not user:
        current.session_epoch = user.session_epoch
    # Re-signing cycles the session key; keep the usersessions row pointing at it.
    update_session_auth_hash(request, current)
    new_key = request.session.session_key
    if old_key and new_key and new_key != old_key:
        UserSession.objects.filter(session_key=old_key, user_id=user.pk).update(session_key=new_key)
    return ended
