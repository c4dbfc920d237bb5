"""Per-key token buckets: intake limits per integration, kept in each replica's memory.

Replicas each allow the configured rate; that multiplies the ceiling by the replica count,
which is the trade-off for needing no shared coordination.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def retry_after(self, key: str, per_minute: int) -> int:
        """0 when the request may go ahead (and uses a token), else the seconds to wait."""
        now = self._clock()
        rate = per_minute / 60
        bucket = self._buckets.setdefault(key, _Bucket(tokens=per_minute, updated=now))
        bucket.tokens = min(per_minute, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / rate))
