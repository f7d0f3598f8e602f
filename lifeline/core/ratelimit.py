"""Fixed-window rate limits over the shared cache, for services that accept secrets.

allauth limits its own forms; this module limits ours (second factors, recovery proofs,
API token use). Limits read like allauth's: ``"5/5m"`` is five attempts per five minutes.
Keys are hashed so that no username, IP or token lands in the cache in clear.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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
        if unit not in _UNITS or not count.isdigit() or not amount.isdigit():
            raise ValueError(f"Bad rate limit {spec!r}")
        return cls(count=int(count), period=int(amount) * _UNITS[unit])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the window resets, when refused


def _cache_key(scope: str, key: str, limit: Limit, window: int) -> str:
    digest = hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()[:32]
    return f"rl:{digest}:{limit.period}:{window}"


def check(scope: str, key: str, spec: str, *, consume: bool = True) -> Verdict:
    """Count one attempt against ``key`` in ``scope`` and say whether it may proceed."""
    limit = Limit.parse(spec)
    now = time.time()
    window = int(now // limit.period)
    cache_key = _cache_key(scope, key, limit, window)
    if consume:
        cache.add(cache_key, 0, timeout=limit.period + 5)
        try:
            used = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=limit.period + 5)
            used = 1
    else:
        used = cache.get(cache_key, 0) + 1
    if used > limit.count:
        retry_after = math.ceil((window + 1) * limit.period - now)
        return Verdict(False, max(retry_after, 1))
    return Verdict(True)


def check_all(scope: str, rules: list[tuple[str, str]], *, consume: bool = True) -> Verdict:
    """Apply several (key, spec) limits; refused if any refuses, with the longest wait."""
    verdicts = [check(scope, key, spec, consume=consume) for key, spec in rules if key]
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        return Verdict(False, max(v.retry_after for v in refused))
    return Verdict(True)


def reset(scope: str, key: str, spec: str) -> None:
    limit = Limit.parse(spec)
    window = int(time.time() // limit.period)
    cache.delete(_cache_key(scope, key, limit, window))


def humanize_wait(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hour{'s' if hours != 1 else ''}"
