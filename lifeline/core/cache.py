"""The default cache: Django's database cache, minus culling of live entries.

Everything Lifeline keeps in the default cache is security state, not a disposable copy:
allauth's rate-limit histories (login, password reset, sign-up, email confirmation, second
factors), 2FA lockout flags and failure counts. allauth reads ``django.core.cache.cache``
(the "default" alias) and offers no setting to choose another one, so the default cache
itself must never drop a live key. Django's ``DatabaseCache`` keeps ``MAX_ENTRIES`` (300)
and, when full, deletes a third of its rows whatever their expiry: filling it with other
keys (sign-ups or reset requests for made-up names) flushed a victim's counters.

``DurableDatabaseCache`` removes only expired rows, on writes past ``MAX_ENTRIES`` and in
the ``lifeline tick`` sweep (lifeline.core.ratelimit.sweep_expired). Its size is bounded by
what can be written within the longest limit's period, like any other table. With Redis
(``REDIS_URL``), the server must run with ``maxmemory-policy noeviction`` (docs/deploy.md).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone


class DurableDatabaseCache(DatabaseCache):
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
