"""Attack: flush rate-limit counters with a flood of other keys, or burst at a window edge.

The attack review got 78 recovery submissions from one IP against a limit of 5 an hour, by
filling Django's database cache (300 entries, a third culled when full) with new usernames,
and twice the second-factor attempts by straddling a fixed window's edge. Every limit,
ours (lifeline.core.ratelimit) and allauth's (the default cache, lifeline.core.cache), must
hold whatever else is stored, and never let more than the limit through in one period.
"""

from __future__ import annotations

import base64
import os
import pickle
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from lifeline.accounts.mfa import ratelimits as mfa_ratelimits
from lifeline.core import ratelimit
from lifeline.core.models import RateLimitCounter
from lifeline.recovery import conf

FLOOD = 10_000
RECOVERY_FORM = {
    "lost_email_access": "on",
    "lost_2fa": "on",
    "contact_email": "someone@contact.example",
    "description": "Lost my phone and my old email domain expired last year.",
    "agree_coc": "on",
    "acknowledge_time": "on",
}


def flood_counters(n: int = FLOOD) -> None:
    """n live counters for other keys, written straight to the table (the API is slower)."""
    bucket = int(time.time() // 360)
    RateLimitCounter.objects.bulk_create(
        RateLimitCounter(key_hash=secrets.token_hex(32), bucket=bucket, count=1, expires_at=2**40)
        for _ in range(n)
    )


def flood_default_cache(n: int = FLOOD) -> None:
    """n live entries in the default cache, as rate limits write them for other users.

    Their keys are random, as hashed usernames and addresses are: a size-bounded cache that
    culls the lowest-sorting third when full reaches any victim's key within a few writes.
    """
    table = connection.ops.quote_name(cache._table)
    expires = connection.ops.adapt_datetimefield_value(timezone.now() + timedelta(days=1))
    value = base64.b64encode(pickle.dumps([time.time()])).decode()
    prefixes = ("allauth:rl:allauth.account:login_failed:5/300.0/", "rl:")
    rows = [
        (cache.make_key(prefixes[i % 2] + secrets.token_hex(16)), value, expires) for i in range(n)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s)",  # noqa: S608
            rows,
        )


@pytest.mark.django_db
def test_our_limit_holds_after_ten_thousand_other_keys():
    for _ in range(3):
        assert ratelimit.check("mfa", "user:victim", "5/h").allowed
    flood_counters()
    flood_default_cache()  # where the counters used to live
    # Other keys through the real API too (enough to overflow a 300-entry cache many times).
    for n in range(400):
        ratelimit.check("recovery:submit", f"u:made-up-{n}", "3/h")
    assert [ratelimit.check("mfa", "user:victim", "5/h").allowed for _ in range(3)] == [
        True,
        True,
        False,
    ]


@pytest.mark.django_db
def test_recovery_form_flood_from_one_ip_gets_only_its_limit(client, settings):
    """The reproduced attack: one IP, new usernames, a full cache. Exactly 5 get through."""
    assert conf.rate_limit("submit_ip") == "5/h"
    flood_counters()
    flood_default_cache()
    url = reverse("recovery_request")
    statuses = [
        client.post(url, RECOVERY_FORM | {"username": f"made-up-{n}"}).status_code
        for n in range(20)
    ]
    assert statuses.count(302) == 5
    assert statuses[5:] == [429] * 15


@pytest.mark.django_db
def test_allauth_limit_holds_after_ten_thousand_other_cache_keys(client, user):
    """allauth keeps its own histories in the default cache: it must not cull them."""
    url = reverse("account_login")
    wrong = {"login": user.username, "password": "not-the-password"}

    def attempt() -> str:
        return client.post(url, wrong).content.decode()

    for _ in range(3):
        assert "Too many failed login attempts" not in attempt()
    flood_default_cache()
    assert "Too many failed login attempts" not in attempt()
    assert "Too many failed login attempts" not in attempt()
    assert "Too many failed login attempts" in attempt()  # the 6th in 5 minutes


@pytest.mark.django_db
def test_second_factor_attempts_do_not_double_at_a_window_edge(user, settings):
    """Five attempts just before the hour and five just after were all accepted before."""
    settings.LIFELINE_2FA_RATE_LIMITS = {"user": ["5/h"], "ip": []}
    edge = (int(time.time()) // 3600 + 1) * 3600
    with freeze_time(datetime.fromtimestamp(edge - 1, UTC)):
        for _ in range(5):
            mfa_ratelimits.consume_attempt(user)
    with (
        freeze_time(datetime.fromtimestamp(edge + 1, UTC)),
        pytest.raises(ValidationError, match="Too many attempts"),
    ):
        mfa_ratelimits.consume_attempt(user)


PARALLEL = 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_count_exactly_on_postgresql():
    """N threads at once: the counter says N, and exactly `limit` of them are allowed."""
    in_ci = os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL")
    if connection.vendor != "postgresql" and not in_ci:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgresql://…")
    barrier = threading.Barrier(PARALLEL)
    allowed: list[bool] = []
    lock = threading.Lock()

    def attempt(key: str, spec: str) -> None:
        try:
            barrier.wait(timeout=30)
            verdict = ratelimit.check("race", key, spec)
            with lock:
                allowed.append(verdict.allowed)
        finally:
            connections.close_all()

    def run(key: str, spec: str) -> list[bool]:
        allowed.clear()
        threads = [threading.Thread(target=attempt, args=(key, spec)) for _ in range(PARALLEL)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return list(allowed)

    assert run("roomy", "1000/h") == [True] * PARALLEL
    (row,) = RateLimitCounter.objects.all()
    assert row.count == PARALLEL
    results = run("tight", "10/h")
    assert len(results) == PARALLEL and results.count(True) == 10
