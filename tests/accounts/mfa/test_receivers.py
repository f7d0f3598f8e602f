"""What follows a 2FA change or failure: events, alerts, other sessions ended."""

from __future__ import annotations

from allauth.mfa import signals
from allauth.mfa.models import Authenticator
from django.core.cache import cache

from lifeline.accounts.mfa.receivers import _failure_key
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag


def test_failures_are_counted_even_when_the_counter_was_evicted(user_with_2fa, monkeypatch):
    user = user_with_2fa.user
    # A cache that lost the key between add() and incr() (eviction, a flushed node).
    monkeypatch.setattr(cache, "add", lambda *a, **k: False)
    cache.delete(_failure_key(user))
    signals.authentication_failed.send(sender=Authenticator, request=None, user=user)
    event = SecurityEvent.objects.get(user=user, tag=EventTag.MFA_FAILURE)
    assert event.details == {"method": "unknown", "attempt": 1, "sudo": False}
    assert cache.get(_failure_key(user)) == 1


def test_codes_added_outside_a_request_end_every_session(user_with_2fa, client):
    user = user_with_2fa.user
    client.force_login(user)
    codes = user_with_2fa.recovery_authenticator
    signals.authenticator_reset.send(
        sender=Authenticator, request=None, user=user, authenticator=codes
    )
    assert SecurityEvent.objects.filter(user=user, tag=EventTag.RECOVERY_CODES_REGENERATE).exists()
    # The signed-in session never used the new codes: it is ended.
    assert client.get("/account/security/").status_code == 302
