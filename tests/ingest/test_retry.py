"""The one retry policy: exponential back-off with a cap, jitter within bounds, Retry-After honoured."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from govpulse.ingest.connectors.retry import (
    RetriesExhausted,
    RetryPolicy,
    TransientError,
    call_with_retries,
    parse_retry_after,
)


def test_backoff_doubles_up_to_the_cap():
    policy = RetryPolicy(backoff_seconds=1, max_backoff_seconds=5, jitter=False)
    assert [policy.delay(retry) for retry in range(5)] == [1, 2, 4, 5, 5]


def test_jitter_stays_between_half_and_the_full_backoff():
    policy = RetryPolicy(backoff_seconds=2)
    delays = [policy.delay(1) for _ in range(200)]
    assert all(2 <= delay <= 4 for delay in delays) and len(set(delays)) > 1


def test_retry_after_wins_but_is_capped():
    policy = RetryPolicy(backoff_seconds=1, max_retry_after_seconds=30, jitter=False)
    assert policy.delay(0, retry_after=7) == 7
    assert policy.delay(0, retry_after=3600) == 30
    assert policy.delay(0, retry_after=-3) == 0


def test_call_with_retries_sleeps_between_attempts_and_returns_the_result():
    attempts, slept = [], []

    def operation():
        attempts.append(1)
        if len(attempts) < 3:
            raise TransientError("503", retry_after=0.5 if len(attempts) == 2 else None)
        return "done"

    policy = RetryPolicy(max_retries=3, backoff_seconds=0.1, jitter=False)
    assert call_with_retries(operation, policy=policy, sleep=slept.append) == "done"
    assert slept == [0.1, 0.5]


def test_call_with_retries_gives_up_with_the_last_message():
    def operation():
        raise TransientError("GET https://example.org answered 502")

    with pytest.raises(RetriesExhausted, match=r"answered 502 \(gave up after 3 attempts\)"):
        call_with_retries(operation, policy=RetryPolicy(max_retries=2, jitter=False), sleep=lambda _: None)
    with pytest.raises(RetriesExhausted, match=r"gave up after 1 attempt\)"):
        call_with_retries(operation, policy=RetryPolicy(max_retries=0), sleep=lambda _: None)


def test_other_errors_are_never_retried():
    calls = []

    def operation():
        calls.append(1)
        raise PermissionError("403")

    with pytest.raises(PermissionError):
        call_with_retries(operation, policy=RetryPolicy(max_retries=5), sleep=lambda _: None)
    assert len(calls) == 1


def test_parse_retry_after_seconds_and_http_dates():
    now = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now=now) == 0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
