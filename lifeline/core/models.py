"""Rate-limit counters: rows that nothing evicts (see lifeline.core.ratelimit)."""

from __future__ import annotations

from django.db import models


class RateLimitCounter(models.Model):
    """Attempts counted for one limited key in one time bucket.

    ``key_hash`` is a keyed hash of (scope, key, limit): no username, address, IP or token
    is stored. Rows are only ever deleted once expired (``lifeline tick`` sweeps them), so
    no volume of other keys can push a live counter out, unlike a size-bounded cache.
    """

    key_hash = models.CharField(max_length=64)
    bucket = models.BigIntegerField()  # epoch seconds // bucket width
    count = models.PositiveIntegerField(default=0)
    expires_at = models.BigIntegerField(db_index=True)  # epoch seconds

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key_hash", "bucket"], name="ratelimit_key_bucket")
        ]

    def __str__(self) -> str:
        return f"{self.key_hash[:12]}…@{self.bucket}: {self.count}"
