"""One retry policy for everything that talks to a remote source: exponential back-off, Retry-After honoured.

An operation signals "worth trying again" by raising ``TransientError`` (optionally with the server's
``retry_after``); any other exception passes straight through, so a permanent failure is never retried.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TypeVar

from govpulse.ingest.connectors.base import ConnectorError

__all__ = ["RetriesExhausted", "RetryPolicy", "TransientError", "call_with_retries", "parse_retry_after"]

T = TypeVar("T")


class TransientError(Exception):
    """A failure that may go away: a timeout, a dropped connection, HTTP 429 or 5xx."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RetriesExhausted(ConnectorError):
    """A transient failure that kept happening until the retries ran out."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    The n-th retry (n = 0, 1, ...) waits ``backoff_seconds * 2**n`` capped at ``max_backoff_seconds``, scaled by
    a random factor in [0.5, 1] when ``jitter`` is on (so that many sources failing together do not come back
    together), unless the server said how long to wait (Retry-After), which is honoured up to
    ``max_retry_after_seconds``.
    """

    max_retries: int = 3
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0
    max_retry_after_seconds: float = 300.0
    jitter: bool = True

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after_seconds)
        wait = min(self.backoff_seconds * 2**retry, self.max_backoff_seconds)
        return wait * random.uniform(0.5, 1.0) if self.jitter else wait


def call_with_retries(
    operation: Callable[[], T],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``operation``, retrying on ``TransientError`` as ``policy`` says; raise ``RetriesExhausted`` at the end."""
    for retry in range(policy.max_retries + 1):
        try:
            return operation()
        except TransientError as error:
            if retry == policy.max_retries:
                attempts = "1 attempt" if retry == 0 else f"{retry + 1} attempts"
                raise RetriesExhausted(f"{error} (gave up after {attempts})") from error
            sleep(policy.delay(retry, error.retry_after))
    raise AssertionError("unreachable")  # pragma: no cover


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from an HTTP ``Retry-After`` header: either seconds (``"120"``) or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
