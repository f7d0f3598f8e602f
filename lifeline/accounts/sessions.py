"""Ending sessions: when an account's second factors change, on staff request, and a new
session key at every re-authentication (sudo mode).

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

Staff can end every session of an account without freezing it (``end_all_sessions``, ASVS
7.4.5): the ``lifeline end_sessions`` command, and the desk's account tools.

Re-authentication (sudo mode by password, authenticator code, recovery code or security key)
issues a new session key (ASVS 7.2.4), as signing in does: a key copied before it (from a
shared computer, a log, a planted cookie) is deleted, so it cannot ride the fresh sudo window.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from allauth.account.signals import authentication_step_completed
from allauth.usersessions.adapter import get_adapter as get_sessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpRequest

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email


def _end_sessions(user: Any, keep_session_key: str | None) -> list[UserSession]:
    """Bump ``user.session_epoch`` (in memory too) and end every tracked session but
    ``keep_session_key``; return the tracked sessions ended. Call inside a transaction."""
    others = [
        s
        for s in UserSession.objects.filter(user_id=user.pk)
        if not keep_session_key or s.session_key != keep_session_key
    ]
    get_user_model().objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    get_sessions_adapter().end_sessions(others)
    return others


def end_other_sessions(*, user: Any, keep_session_key: str | None, reason: str) -> int:
    """End every session of ``user`` except ``keep_session_key``; return how many ended.

    Bumps ``user.session_epoch`` (in memory too), so every session that is not re-signed
    afterwards stops working, and records one ``account:session:end`` event when any
    tracked session ended (the factor change itself has its own event).
    """
    with transaction.atomic():
        others = _end_sessions(user, keep_session_key)
        if others:
            record_event(
                tag=EventTag.SESSION_END,
                user=user,
                actor=user,
                details={"reason": reason, "count": len(others), "all_others": True},
            )
    return len(others)


def end_all_sessions(*, user: Any, actor: Any | None, justification: str) -> int:
    """Staff sign ``user`` out everywhere, without freezing the account (ASVS 7.4.5).

    Every session ends, tracked or not (the epoch bump); the password and second factors
    still work, so the owner signs in again as usual. Records ``staff:account:end_sessions``
    (``actor`` None: the command line) and emails the owner a security notice. The caller
    checks who may do this (desk admin, or shell access for the command).
    """
    justification = " ".join(justification.split())[:500]
    if not justification:
        raise ValueError("Say why every session of this account is being ended.")
    with transaction.atomic():
        ended = len(_end_sessions(user, None))
        record_event(
            tag=EventTag.STAFF_END_SESSIONS,
            user=user,
            actor=actor,
            details={"justification": justification, "sessions_ended": ended},
        )
        send_email(template="account_sessions_ended", user=user, context={"count": ended})
    return ended


def end_every_session(*, actor: Any | None, justification: str) -> int:
    """An incident (a leaked session store, a stolen ``SECRET_KEY`` fallback): sign every
    account out everywhere (ASVS 7.4.5, "all users"). Bumps every account's epoch, so no
    session anywhere still matches, and empties the session store; nobody is emailed (the
    operator announces it). Records one ``staff:account:end_sessions`` event with no user.
    Returns the number of sessions that were in the store."""
    justification = " ".join(justification.split())[:500]
    if not justification:
        raise ValueError("Say why every session of every account is being ended.")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        get_user_model().objects.update(session_epoch=F("session_epoch") + 1)
        UserSession.objects.all().delete()
        ended = 0
        if hasattr(store, "get_model_class"):  # database-backed stores
            ended, _ = store.get_model_class().objects.all().delete()
        record_event(
            tag=EventTag.STAFF_END_SESSIONS,
            user=None,
            actor=actor,
            details={"justification": justification, "all_accounts": True, "sessions_ended": ended},
        )
    return ended


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


def rotate_session_key(request: HttpRequest) -> None:
    """Give the signed-in session a new key, keeping its data (sudo mode included).

    The old key is deleted from the store, and allauth's ``usersessions`` row follows the
    new key, so the sessions page still lists this session as the current one.
    """
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return
    old_key = session.session_key
    session.cycle_key()
    new_key = session.session_key
    if old_key and new_key and new_key != old_key:
        UserSession.objects.filter(session_key=old_key, user_id=user.pk).update(session_key=new_key)


@receiver(authentication_step_completed, dispatch_uid="lifeline.accounts.reauth_new_key")
def new_key_on_reauthentication(
    sender: Any, request: HttpRequest, user: Any, reauthenticated: bool = False, **kwargs: Any
) -> None:
    """allauth records every re-authentication (password, TOTP or recovery code, WebAuthn)
    through ``record_authentication(..., reauthenticated=True)``, which sends this signal."""
    if reauthenticated:
        rotate_session_key(request)
