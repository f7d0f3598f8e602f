"""Sliding-window limits over counters nothing evicts (lifeline.core.ratelimit)."""

from __future__ import annotations

import time

import pytest

from lifeline.core import ratelimit
from lifeline.core.models import RateLimitCounter
from tests.ops.services import require_redis

pytestmark = pytest.mark.django_db

# Tomorrow's midnight (UTC): a multiple of every period used below, so a window edge.
EDGE = (int(time.time()) // 86400 + 1) * 86400
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own (tests/ops uses 15)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(EDGE + 0.5)
    monkeypatch.setattr(ratelimit, "clock", fake)
    return fake


def test_limit_parsing():
    assert ratelimit.Limit.parse("5/5m") == ratelimit.Limit(5, 300)
    assert ratelimit.Limit.parse("20/h") == ratelimit.Limit(20, 3600)
    for bad in ("lots", "5/0m", "5/x", "x/h"):
        with pytest.raises(ValueError):
            ratelimit.Limit.parse(bad)


def test_refuses_after_the_limit_and_says_when_to_retry():
    verdicts = [ratelimit.check("2fa", "user:1", "3/5m") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    # The window is the period plus at most one bucket (a tenth of it).
    assert 300 <= verdicts[-1].retry_after <= 330
    # Another key is unaffected.
    assert ratelimit.check("2fa", "user:2", "3/5m").allowed


def test_check_all_reports_the_longest_wait():
    rules = [("ip:1", "100/m"), ("user:1", "1/h")]
    assert ratelimit.check_all("login", rules).allowed
    verdict = ratelimit.check_all("login", rules)
    assert not verdict.allowed and verdict.retry_after > 60


def test_an_attempt_refused_by_one_rule_counts_against_none(clock):
    """A flood refused per IP must not use up the per-username allowance (issue 11, item 8)."""
    for n in range(5):
        assert ratelimit.check_all(
            "submit", [("ip:attacker", "2/h"), (f"u:{n}", "3/h")]
        ).allowed is (n < 2)
    # Three refused attempts named "u:victim" from the attacker's IP...
    for _ in range(3):
        assert not ratelimit.check_all(
            "submit", [("ip:attacker", "2/h"), ("u:victim", "3/h")]
        ).allowed
    # ...leave the owner's three attempts intact.
    owner = [
        ratelimit.check_all("submit", [("ip:owner", "9/h"), ("u:victim", "3/h")]) for _ in range(4)
    ]
    assert [v.allowed for v in owner] == [True, True, True, False]


def test_dry_run_does_not_count():
    for _ in range(3):
        assert ratelimit.check("upload", "ip:1", "2/h", consume=False).allowed
    assert ratelimit.check("upload", "ip:1", "2/h").allowed
    assert ratelimit.check("upload", "ip:1", "2/h").allowed
    assert not ratelimit.check("upload", "ip:1", "2/h", consume=False).allowed


def test_no_burst_of_twice_the_limit_at_a_window_edge(clock):
    """A fixed window lets 5 through just before the edge and 5 more just after."""
    clock.now = EDGE + 3600 - 1
    assert all(ratelimit.check("mfa", "user:1", "5/h").allowed for _ in range(5))
    clock.now = EDGE + 3600 + 1  # a new hour
    verdict = ratelimit.check("mfa", "user:1", "5/h")
    assert not verdict.allowed
    # It opens again once the burst is an hour (plus at most one bucket) old.
    assert 3600 - 2 <= verdict.retry_after <= 3600 + 360
    clock.now += verdict.retry_after
    assert ratelimit.check("mfa", "user:1", "5/h").allowed


def test_never_more_than_the_limit_in_any_span_of_one_period(clock):
    """Attempts every 7 s for three periods: count the allowed ones in every sliding span."""
    spec, period, limit = "10/5m", 300, 10
    allowed: list[float] = []
    start = clock.now
    while clock.now < start + 3 * period:
        if ratelimit.check("steady", "k", spec).allowed:
            allowed.append(clock.now)
        clock.now += 7
    for t in allowed:
        assert sum(1 for u in allowed if t - period < u <= t) <= limit
    # And it is not much stricter than the limit: a period plus one bucket per ten attempts.
    assert len(allowed) >= 3 * limit * period // (period + period // 10) - limit


def test_retry_after_is_when_an_attempt_is_allowed_again(clock):
    for _ in range(3):
        assert ratelimit.check("s", "k", "3/m").allowed
        clock.now += 10
    verdict = ratelimit.check("s", "k", "3/m")
    assert not verdict.allowed
    clock.now += verdict.retry_after - 1
    assert not ratelimit.check("s", "k", "3/m", consume=False).allowed
    clock.now += 1
    assert ratelimit.check("s", "k", "3/m").allowed


def test_reset_forgets_the_key(clock):
    assert ratelimit.check("mfa", "user:1", "1/h").allowed
    assert not ratelimit.check("mfa", "user:1", "1/h").allowed
    ratelimit.reset("mfa", "user:1", "1/h")
    assert ratelimit.check("mfa", "user:1", "1/h").allowed


def test_counters_store_no_username_ip_or_plain_hash():
    import hashlib

    ratelimit.check("recovery:submit", "203.0.113.9", "5/h")
    ratelimit.check("recovery:submit", "u:alice", "3/h")
    stored = list(RateLimitCounter.objects.values_list("key_hash", flat=True))
    assert len(stored) == 2
    for value in ("203.0.113.9", "u:alice"):
        plain = hashlib.sha256(f"recovery:submit\x00{value}".encode()).hexdigest()
        assert all(value not in h and plain[:32] not in h for h in stored)


def test_sweep_deletes_expired_counters_only(clock):
    ratelimit.check("a", "old", "1/m")
    clock.now += 3600
    ratelimit.check("a", "new", "1/m")
    assert ratelimit.sweep_expired() >= 1
    assert RateLimitCounter.objects.count() == 1
    assert not ratelimit.check("a", "new", "1/m").allowed


def test_sweep_is_a_scheduled_job(settings):
    assert "lifeline.core.ratelimit.sweep_expired" in settings.LIFELINE_SCHEDULED_JOBS


@pytest.mark.redis
def test_redis_store_behaves_the_same(settings, clock):
    require_redis()
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    for name in server.scan_iter("lifeline:rl:*"):
        server.delete(name)
    settings.LIFELINE_RATELIMIT_REDIS_URL = REDIS_URL
    clock.now = EDGE + 3600 - 1
    assert [ratelimit.check("mfa", "user:1", "3/h").allowed for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    clock.now = EDGE + 3600 + 1
    assert not ratelimit.check("mfa", "user:1", "3/h").allowed  # no burst at the edge
    assert not ratelimit.check_all("x", [("ip", "1/h"), ("ip", "1/h")]).allowed
    assert ratelimit.check("x", "ip", "1/h").allowed  # the refused pair counted nothing
    ratelimit.reset("mfa", "user:1", "3/h")
    assert ratelimit.check("mfa", "user:1", "3/h").allowed
    assert RateLimitCounter.objects.count() == 0  # nothing went to the database
    ttls = [server.ttl(name) for name in server.scan_iter("lifeline:rl:*")]
    assert ttls and all(0 < t <= 2 * 86400 for t in ttls)  # every counter expires


def test_humanize_wait():
    assert ratelimit.humanize_wait(30) == "30 seconds"
    assert ratelimit.humanize_wait(61) == "2 minutes"
    assert ratelimit.humanize_wait(3600) == "1 hour"


def test_the_default_cache_never_culls_a_live_entry():
    """Django's DatabaseCache drops a third of its rows when full; ours drops expired ones."""
    from django.core.cache import caches

    from lifeline.core.cache import DurableDatabaseCache

    assert isinstance(caches["default"], DurableDatabaseCache)
    small = DurableDatabaseCache("lifeline_cache", {"OPTIONS": {"MAX_ENTRIES": 10}})
    small.set("stale", 1, timeout=-1)  # already expired
    for n in range(50):
        small.set(f"live-{n}", n, timeout=600)
    assert all(small.get(f"live-{n}") == n for n in range(50))
    small.set("stale", 1, timeout=-1)
    assert small.delete_expired() == 1
    assert all(small.get(f"live-{n}") == n for n in range(50))


@pytest.mark.parametrize("mode", ["set", "add", "touch", "get_or_set", "incr"])
def test_the_default_cache_keeps_django_semantics_with_one_statement_per_write(mode):
    """Writes are single upserts; what add/set/touch return and keep is Django's contract."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache = caches["default"]
    cache.set("k", "old", timeout=600)
    cache.set("gone", "stale", timeout=-1)  # present in the table, already expired
    with CaptureQueriesContext(connection) as ctx:
        if mode == "set":
            cache.set("k", "new", timeout=600)
            assert cache.get("k") == "new"
        elif mode == "add":
            assert cache.add("k", "new") is False  # a live key is kept
            assert cache.add("gone", "fresh") is True  # an expired one is replaced
            assert cache.add("absent", 1) is True
            assert (cache.get("k"), cache.get("gone"), cache.get("absent")) == ("old", "fresh", 1)
        elif mode == "touch":
            assert cache.touch("k", 1200) is True
            assert cache.touch("gone", 1200) is False  # expired keys are not revived
            assert cache.touch("absent", 1200) is False
            assert cache.get("gone") is None
        elif mode == "get_or_set":
            assert cache.get_or_set("k", "x") == "old"
            assert cache.get_or_set("other", "x") == "x"
        else:
            cache.set("n", 1)
            assert cache.incr("n", 2) == 3
            assert cache.get("n") == 3
    writes = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("SELECT")]
    assert not any("COUNT(*)" in q for q in writes + [q["sql"] for q in ctx.captured_queries])
    if mode == "set":  # the upsert and the read (savepoints: the test runs in a transaction)
        statements = [
            q for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
        ]
        assert len(statements) == 2


def test_the_redis_cache_reuses_one_client_and_keeps_working():
    require_redis()
    from lifeline.core.cache import ReusingRedisCache

    cache = ReusingRedisCache("redis://127.0.0.1:6379/13", {})
    cache.set("reuse", 1, 60)
    assert cache.add("reuse", 2, 60) is False
    assert cache.get("reuse") == 1
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)
    cache.delete("reuse")


def test_the_expired_row_sweep_never_runs_inside_the_callers_transaction():
    """A DELETE inside someone else's transaction would hold its row locks until that ends
    (two such transactions could deadlock); the sweep waits for a write outside one."""
    from django.core.cache import caches
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from lifeline.core.cache import DurableDatabaseCache

    cache = caches["default"]
    DurableDatabaseCache._last_sweep = 0.0  # due
    with transaction.atomic(), CaptureQueriesContext(connection) as inside:
        cache.set("in-a-transaction", 1, 60)
    assert not [q for q in inside.captured_queries if q["sql"].startswith("DELETE")]
    assert cache.get("in-a-transaction") == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweep_runs_at_most_once_a_minute_per_process():
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifeline.core.cache import DurableDatabaseCache

    cache = caches["default"]
    cache.set("stale", 1, timeout=-1)
    DurableDatabaseCache._last_sweep = 0.0
    with CaptureQueriesContext(connection) as queries:
        for n in range(5):
            cache.set(f"k{n}", n, 60)
    deletes = [q for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 1
    assert cache.get("stale") is None
