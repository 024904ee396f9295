"""Rate limits for API tokens: one in-process token bucket per token."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBuckets:
    """Each key may make ``per_minute`` requests in a burst, refilled at ``per_minute`` a minute.

    In-process: with several web workers each keeps its own buckets (the limit is then per worker)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[object, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: object) -> float | None:
        """Spend one request for ``key``: None when allowed, else the seconds until the next is allowed."""
        if self.capacity <= 0:
            return None
        now = self.clock()
        with self._lock:
            level, last = self._buckets.get(key, (self.capacity, now))
            level = min(self.capacity, level + (now - last) * self.rate)
            if level < 1:
                self._buckets[key] = (level, now)
                return (1 - level) / self.rate
            self._buckets[key] = (level - 1, now)
            return None
