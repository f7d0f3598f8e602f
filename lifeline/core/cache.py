"""The default cache: Django's database cache, minus culling of live entries.

Everything Lifeline keeps in the default cache is security state, not a disposable copy:
allauth's rate-limit histories (login, password reset, sign-up, email confirmation, second
factors), 2FA lockout flags and failure counts. allauth reads ``django.core.cache.cache``
(the "default" alias) and offers no setting to choose another one, so the default cache
itself must never drop a live key. Django's ``DatabaseCache`` keeps ``MAX_ENTRIES`` (300)
and, when full, deletes a third of its rows whatever their expiry: filling it with other
keys (sign-ups or reset requests for made-up names) flushed a victim's counters.

``DurableDatabaseCache`` removes only expired rows: in the ``lifeline tick`` sweep
(lifeline.core.ratelimit.sweep_expired) and, at most once a minute per process, on a write.
Its size is bounded by what can be written within the longest limit's period, like any other
table.

Each write is one upsert statement (``INSERT … ON CONFLICT``, which PostgreSQL and SQLite
both speak) instead of Django's five: a ``COUNT(*)`` of the whole table, then a transaction
around a ``SELECT`` and an ``INSERT`` or ``UPDATE``. allauth takes a lock key, reads, writes
and releases it for every rate-limit check, so a login made about 60 cache queries; and the
``COUNT(*)`` grew with the table, so a flood of made-up keys slowed every later write. Other
databases keep Django's statements. With Redis
(``REDIS_URL``), the server must run with ``maxmemory-policy noeviction`` (docs/deploy.md).
"""

from __future__ import annotations

import base64
import contextlib
import pickle
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone

UPSERT_VENDORS = frozenset({"postgresql", "sqlite"})
SWEEP_EVERY = 60.0  # seconds between the expired-row deletes a process makes on writes


class DurableDatabaseCache(DatabaseCache):
    _last_sweep = 0.0  # per process (set on the class: Django makes a cache object per thread)

    def _base_set(self, mode: str, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> bool:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor not in UPSERT_VENDORS:
            return super()._base_set(mode, key, value, timeout)
        timeout = self.get_backend_timeout(timeout)
        now = timezone.now().replace(microsecond=0)
        # As Django's DatabaseCache computes it (a naive datetime.max for "never").
        tz = UTC if settings.USE_TZ else None
        expires = datetime.max if timeout is None else datetime.fromtimestamp(timeout, tz=tz)
        if not connection.in_atomic_block and time.monotonic() - self._last_sweep > SWEEP_EVERY:
            # Only outside the caller's transaction: a DELETE there would hold row locks until
            # it ends, and two such transactions could deadlock on each other's expired rows.
            type(self)._last_sweep = time.monotonic()
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                self._delete_expired(db, cursor, now)
        # Like Django's, a write that fails (a lock timeout, a read-only database) returns False
        # instead of raising; inside the caller's transaction it runs in a savepoint, so the
        # failure cannot abort that transaction. allauth reads a failed "add" of its lock key as
        # "rate limited": closed, not open.
        savepoint = transaction.atomic(using=db) if connection.in_atomic_block else None
        try:
            with savepoint or contextlib.nullcontext():
                return self._upsert(
                    connection, mode, key, value, expires.replace(microsecond=0), now
                )
        except DatabaseError:
            return False

    def _upsert(
        self, connection: Any, mode: str, key: str, value: Any, expires: datetime, now: datetime
    ) -> bool:
        ops = connection.ops
        table = ops.quote_name(self._table)
        exp, now_value = ops.adapt_datetimefield_value(expires), ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            if mode == "touch":
                cursor.execute(
                    f"UPDATE {table} SET expires = %s "  # noqa: S608
                    "WHERE cache_key = %s AND expires >= %s",
                    [exp, key, now_value],
                )
                return cursor.rowcount > 0
            data = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            # "add" overwrites only an expired row; a live one makes the statement change nothing.
            only_if = f" WHERE {table}.expires < %s" if mode == "add" else ""
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608
                "ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, "
                f"expires = excluded.expires{only_if}",
                [key, data, exp] + ([now_value] if only_if else []),
            )
            return mode == "set" or cursor.rowcount > 0

    def _cull(self, db: str, cursor: Any, now: Any, num: int) -> None:
        """Delete expired entries only; a live entry stays until it expires."""
        self._delete_expired(db, cursor, now)

    def _delete_expired(self, db: str, cursor: Any, now: Any) -> int:
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        expires = connection.ops.quote_name("expires")
        cursor.execute(
            f"DELETE FROM {table} WHERE {expires} < %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.rowcount

    def delete_expired(self) -> int:
        """Remove every expired entry (run by ``lifeline tick``); return how many."""
        db = router.db_for_write(self.cache_model_class)
        now = timezone.now().replace(microsecond=0)
        with connections[db].cursor() as cursor:
            return self._delete_expired(db, cursor, now)


class _ReusingRedisClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every cache call (its constructor
    fills a table of ~200 response callbacks, 0.2 ms); a login makes two dozen calls. A
    ``redis.Redis`` is thread-safe, so one per connection pool is kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # a replica is still picked per call
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    """The default cache with ``REDIS_URL``: Django's Redis cache, one client per pool."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingRedisClient
