"""Sliding-window rate limits in a store that nothing evicts, for services that take secrets.

allauth limits its own forms (through the default cache, made non-evicting in
lifeline.core.cache); this module limits ours (second factors, recovery proofs, API token
use). Limits read like allauth's: ``"5/5m"`` is five attempts per five minutes.

Security reasoning:

- **Nothing evicts a live counter.** A size-bounded cache (Django's database cache keeps
  300 entries and culls a third when full) lets an attacker flush a victim's counter by
  filling the cache with other keys. Counters live in their own table (``RateLimitCounter``),
  deleted only once expired by ``lifeline tick``; or, with ``LIFELINE_RATELIMIT_REDIS_URL``
  (default ``REDIS_URL``), in Redis keys with an expiry, on a server that must run with
  ``maxmemory-policy noeviction`` (docs/deploy.md).
- **No burst at a window edge.** A period is split into ``BUCKETS`` buckets; an attempt is
  allowed only if the attempts in every bucket that overlaps the last period, this one
  included, stay within the limit. That count covers the whole period (and up to one bucket
  more), so at most ``count`` attempts pass in *any* span of ``period`` seconds: never twice
  the limit across a window boundary, as a fixed window allows.
- **Exact under concurrency.** The current bucket is incremented with one atomic upsert
  (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on SQLite and PostgreSQL) or ``INCR``, and
  the value it returns decides; N simultaneous attempts count exactly N.
- **Refused attempts are not counted.** An attempt refused by any rule of ``check_all`` is
  taken back from every rule, so a flood refused by the per-IP limit never uses up the
  per-username allowance of the real owner, and hammering a closed limit does not extend it.
- **No personal data stored.** Keys are an HMAC (keyed with ``SECRET_KEY``) of scope, key and
  limit, so a stored hash can't be reversed by trying every IPv4 address or username.
  (Rotating ``SECRET_KEY`` therefore starts every counter afresh.)

Counters are written on the default database connection: count an attempt before opening
the transaction that acts on it, so a rollback can't take the count back with it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import connection
from django.utils.crypto import salted_hmac

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
BUCKETS = 10  # buckets per period: the count may run up to period/BUCKETS beyond the period

# The time source; tests replace it to step across window edges.
clock: Callable[[], float] = time.time


@dataclass(frozen=True)
class Limit:
    count: int
    period: int  # seconds

    @classmethod
    def parse(cls, spec: str) -> Limit:
        """Parse ``"5/5m"``, ``"20/h"`` or ``"100/30s"``."""
        count, _, window = spec.partition("/")
        if not window:
            raise ValueError(f"Bad rate limit {spec!r}")
        unit = window[-1]
        amount = window[:-1] or "1"
        if unit not in _UNITS or not count.isdigit() or not amount.isdigit() or amount == "0":
            raise ValueError(f"Bad rate limit {spec!r}")
        return cls(count=int(count), period=int(amount) * _UNITS[unit])

    @property
    def width(self) -> int:
        """Seconds per bucket."""
        return max(1, math.ceil(self.period / BUCKETS))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until an attempt would be allowed, when refused


class CounterStore(Protocol):
    def hit(self, key: str, bucket: int, oldest: int, expires_at: int) -> dict[int, int]:
        """Add one to ``bucket``; return the counts of buckets ``oldest..bucket``."""

    def counts(self, key: str, oldest: int, newest: int) -> dict[int, int]: ...

    def undo(self, key: str, bucket: int) -> None: ...

    def clear(self, key: str, oldest: int, newest: int) -> None: ...


class DatabaseStore:
    """Counters in ``core_ratelimitcounter``; one atomic upsert per attempt."""

    def _table(self) -> str:
        from lifeline.core.models import RateLimitCounter

        return connection.ops.quote_name(RateLimitCounter._meta.db_table)

    def hit(self, key: str, bucket: int, oldest: int, expires_at: int) -> dict[int, int]:
        table, count = self._table(), connection.ops.quote_name("count")
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key_hash, bucket, {count}, expires_at) "  # noqa: S608
                "VALUES (%s, %s, 1, %s) ON CONFLICT (key_hash, bucket) DO UPDATE "
                f"SET {count} = {table}.{count} + 1, expires_at = EXCLUDED.expires_at "
                f"RETURNING {count}",
                [key, bucket, expires_at],
            )
            (current,) = cursor.fetchone()
        counts = self.counts(key, oldest, bucket - 1)
        counts[bucket] = current  # the value our own increment produced decides
        return counts

    def counts(self, key: str, oldest: int, newest: int) -> dict[int, int]:
        from lifeline.core.models import RateLimitCounter

        rows = RateLimitCounter.objects.filter(
            key_hash=key, bucket__gte=oldest, bucket__lte=newest
        ).values_list("bucket", "count")
        return dict(rows)

    def undo(self, key: str, bucket: int) -> None:
        from django.db.models import F

        from lifeline.core.models import RateLimitCounter

        RateLimitCounter.objects.filter(key_hash=key, bucket=bucket, count__gt=0).update(
            count=F("count") - 1
        )

    def clear(self, key: str, oldest: int, newest: int) -> None:
        from lifeline.core.models import RateLimitCounter

        RateLimitCounter.objects.filter(key_hash=key).delete()


class RedisStore:
    """Counters as Redis keys: ``INCR`` + ``EXPIREAT`` in one transaction."""

    _clients: dict[str, Any] = {}

    def __init__(self, url: str) -> None:
        if url not in self._clients:
            import redis

            self._clients[url] = redis.Redis.from_url(url, socket_timeout=5)
        self.client = self._clients[url]

    @staticmethod
    def _name(key: str, bucket: int) -> str:
        return f"lifeline:rl:{key}:{bucket}"

    def hit(self, key: str, bucket: int, oldest: int, expires_at: int) -> dict[int, int]:
        older = list(range(oldest, bucket))
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(self._name(key, bucket))
        pipe.expireat(self._name(key, bucket), expires_at)
        if older:
            pipe.mget([self._name(key, b) for b in older])
        results = pipe.execute()
        counts = {b: int(v) for b, v in zip(older, results[2] if older else [], strict=True) if v}
        counts[bucket] = int(results[0])
        return counts

    def counts(self, key: str, oldest: int, newest: int) -> dict[int, int]:
        buckets = list(range(oldest, newest + 1))
        values = self.client.mget([self._name(key, b) for b in buckets])
        return {b: int(v) for b, v in zip(buckets, values, strict=True) if v}

    def undo(self, key: str, bucket: int) -> None:
        self.client.decr(self._name(key, bucket))

    def clear(self, key: str, oldest: int, newest: int) -> None:
        self.client.delete(*[self._name(key, b) for b in range(oldest, newest + 1)])


def store() -> CounterStore:
    url = settings.LIFELINE_RATELIMIT_REDIS_URL
    return RedisStore(url) if url else DatabaseStore()


def _hash(scope: str, key: str, limit: Limit) -> str:
    value = f"{scope}\x00{key}\x00{limit.count}/{limit.period}"
    return salted_hmac("lifeline.core.ratelimit", value, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class _Attempt:
    verdict: Verdict
    undo: Callable[[], None] | None  # takes back an allowed, counted attempt


def _attempt(scope: str, key: str, spec: str, *, consume: bool) -> _Attempt:
    limit = Limit.parse(spec)
    digest = _hash(scope, key, limit)
    now = clock()
    width = limit.width
    current = int(now // width)
    oldest = int((now - limit.period) // width)
    backend = store()
    if consume:
        expires_at = (current + 1) * width + limit.period + 1
        counts = backend.hit(digest, current, oldest, expires_at)
        used = sum(counts.values())
        if used <= limit.count:
            return _Attempt(Verdict(True), lambda: backend.undo(digest, current))
        backend.undo(digest, current)
        counts[current] -= 1
    else:
        counts = backend.counts(digest, oldest, current)
        if sum(counts.values()) + 1 <= limit.count:
            return _Attempt(Verdict(True), None)
    return _Attempt(Verdict(False, _retry_after(counts, limit, now)), None)


def _retry_after(counts: dict[int, int], limit: Limit, now: float) -> int:
    """Seconds until enough old buckets leave the window for one more attempt to fit."""
    if limit.count == 0:
        return limit.period
    remaining = sum(counts.values())
    free_at = now
    for bucket in sorted(counts):
        if remaining + 1 <= limit.count:
            break
        remaining -= counts[bucket]
        # Bucket b is counted until floor((t - period) / width) passes b.
        free_at = (bucket + 1) * limit.width + limit.period
    return max(1, math.ceil(free_at - now))


def check(scope: str, key: str, spec: str, *, consume: bool = True) -> Verdict:
    """Count one attempt against ``key`` in ``scope`` and say whether it may proceed.

    With ``consume=False``, only say whether one more attempt would be allowed.
    """
    return _attempt(scope, key, spec, consume=consume).verdict


def check_all(scope: str, rules: list[tuple[str, str]], *, consume: bool = True) -> Verdict:
    """Apply several (key, spec) limits; refused if any refuses, with the longest wait.

    A refused attempt counts against none of the rules (see the module docstring).
    """
    attempts = [_attempt(scope, key, spec, consume=consume) for key, spec in rules if key]
    refused = [a.verdict for a in attempts if not a.verdict.allowed]
    if not refused:
        return Verdict(True)
    for attempt in attempts:
        if attempt.undo is not None:
            attempt.undo()
    return Verdict(False, max(v.retry_after for v in refused))


def reset(scope: str, key: str, spec: str) -> None:
    """Forget every attempt counted against ``key`` under this limit."""
    limit = Limit.parse(spec)
    now = clock()
    newest = int(now // limit.width)
    store().clear(_hash(scope, key, limit), newest - BUCKETS - 1, newest)


def sweep_expired() -> int:
    """Scheduled job: delete expired counters (and expired rows of the database cache)."""
    from django.core.cache import caches

    from lifeline.core.cache import DurableDatabaseCache
    from lifeline.core.models import RateLimitCounter

    deleted, _ = RateLimitCounter.objects.filter(expires_at__lt=int(clock())).delete()
    for alias in settings.CACHES:
        backend = caches[alias]
        if isinstance(backend, DurableDatabaseCache):
            deleted += backend.delete_expired()
    return deleted


def humanize_wait(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hour{'s' if hours != 1 else ''}"
