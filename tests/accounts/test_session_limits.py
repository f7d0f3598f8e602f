"""The inactivity timeout and the absolute session lifetime (lifeline/accounts/session_limits.py).

Time travel without a clock library: the tests move the two timestamps stored in the real
session (as if the sign-in or the last request had happened earlier) and then send real
requests through the whole middleware stack with the Django test client.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.checks import run_checks
from django.test import Client, override_settings
from django.urls import reverse

from lifeline.accounts import conf
from lifeline.accounts.session_limits import (
    ACTIVITY_WRITE_EVERY,
    ALLAUTH_RECORDS,
    IDLE,
    MAX_AGE,
    SEEN_AT,
    SIGNED_IN_AT,
    limit_reached,
)
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db
HOUR = 3600
DAY = 24 * HOUR
SECURITY = "/account/security/"


def sign_in(client: Client, user) -> None:
    response = client.post(
        "/account/login/", {"login": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def shift(client: Client, *, signed_in: float | None = None, seen: float | None = None) -> None:
    """Pretend the sign-in / the last recorded request happened that many seconds ago."""
    session = client.session
    now = time.time()
    if signed_in is not None:
        session[SIGNED_IN_AT] = int(now - signed_in)
    if seen is not None:
        session[SEEN_AT] = int(now - seen)
    session.save()


def test_sign_in_stamps_both_clocks(user):
    client = Client()
    before = int(time.time())
    sign_in(client, user)
    session = client.session
    assert before <= session[SIGNED_IN_AT] <= time.time()
    assert session[SEEN_AT] == session[SIGNED_IN_AT]


def test_an_idle_session_ends_with_a_calm_message_on_the_login_page(user):
    client = Client()
    sign_in(client, user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    shift(client, seen=12 * HOUR + 60)

    response = client.get(SECURITY + "sessions/?x=1")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?" + urlencode(
        {"next": SECURITY + "sessions/?x=1"}
    )
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 12 hours of inactivity. Sign in again to carry on." in page
    assert client.get(SECURITY).status_code == 302
    assert not SessionStore().exists(key)
    assert SecurityEvent.objects.filter(user=user, tag=EventTag.LOGOUT).count() == 1


def test_a_session_used_within_the_timeout_stays(user):
    client = Client()
    sign_in(client, user)
    shift(client, signed_in=3 * DAY, seen=12 * HOUR - 60)
    assert client.get(SECURITY).status_code == 200
    # that request counted as activity: the idle clock starts again
    assert time.time() - client.session[SEEN_AT] < 5


def test_an_active_session_still_ends_at_its_absolute_lifetime(user):
    client = Client()
    sign_in(client, user)
    shift(client, signed_in=14 * DAY - 60, seen=60)
    assert client.get(SECURITY).status_code == 200
    shift(client, signed_in=14 * DAY + 60, seen=60)

    response = client.post(reverse("account_sessions"), {"action": "end_others"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")  # no "next" back to a POST
    page = client.get(response["Location"]).content.decode()
    assert "a session lasts at most 14 days after signing in" in page


def test_sudo_mode_does_not_extend_the_absolute_lifetime(user):
    client = Client()
    sign_in(client, user)
    shift(client, signed_in=14 * DAY - 60)
    signed_in = client.session[SIGNED_IN_AT]

    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})

    assert client.session[SIGNED_IN_AT] == signed_in


def test_reading_pages_writes_the_session_at_most_every_five_minutes(user):
    client = Client()
    sign_in(client, user)
    shift(client, seen=60)
    recorded = client.session[SEEN_AT]
    expiry = client.session.get_expiry_date()
    client.get(SECURITY)
    assert client.session[SEEN_AT] == recorded  # a minute later: nothing written
    assert SessionStore(client.session.session_key).get_expiry_date() >= expiry

    shift(client, seen=ACTIVITY_WRITE_EVERY + 1)
    client.get(SECURITY)
    assert time.time() - client.session[SEEN_AT] < 5


@override_settings(LIFELINE_SESSION_IDLE_TIMEOUT=30 * 60, LIFELINE_SESSION_MAX_AGE=DAY)
def test_the_limits_are_settings(user):
    client = Client()
    sign_in(client, user)
    shift(client, seen=31 * 60)
    response = client.get(SECURITY, follow=True)
    assert "signed out after 30 min of inactivity" in response.content.decode()


def test_a_session_from_before_the_limits_takes_its_sign_in_time_from_allauth(user):
    """Sessions signed in before this code carry no stamps: allauth's record of the sign-in
    gives the time, and the idle clock starts at the first request."""
    client = Client()
    sign_in(client, user)
    session = client.session
    del session[SIGNED_IN_AT], session[SEEN_AT]
    session[ALLAUTH_RECORDS] = [{"method": "password", "at": time.time() - 15 * DAY}]
    session.save()
    assert client.get(SECURITY).status_code == 302


def test_limit_reached_rules():
    now = 1_000_000_000.0
    idle, longest = conf.session_idle_timeout(), conf.session_max_age()
    session = SessionStore()
    session.update({SIGNED_IN_AT: now - longest, SEEN_AT: now - idle})
    assert limit_reached(session, now=now) is None  # both exactly at the limit: still fine
    session.update({SIGNED_IN_AT: now - longest - 1, SEEN_AT: now})
    assert limit_reached(session, now=now) == MAX_AGE
    session.update({SIGNED_IN_AT: now, SEEN_AT: now - idle - 1})
    assert limit_reached(session, now=now) == IDLE
    fresh = SessionStore()
    assert limit_reached(fresh, now=now) is None
    assert fresh[SIGNED_IN_AT] == fresh[SEEN_AT] == int(now)


def test_the_defaults_agree_with_the_session_store():
    """12 hours idle, 14 days at most, and the store keeps a session (14 days after its last
    write) at least that long; the system check W003 says when an override breaks this."""
    assert conf.session_idle_timeout() == 12 * HOUR
    assert conf.session_max_age() == 14 * DAY == settings.SESSION_COOKIE_AGE
    assert not [m for m in run_checks() if m.id == "lifeline.W003"]
    with override_settings(SESSION_COOKIE_AGE=HOUR, LIFELINE_SESSION_MAX_AGE=HOUR // 2):
        ids = [m.id for m in run_checks() if m.id == "lifeline.W003"]
    assert ids == ["lifeline.W003", "lifeline.W003"]
