"""The HTTP client every web connector shares: JSON answers, retries, rate limit, clear errors, no leaked keys.

Timeouts, dropped connections, 408, 429 and 5xx answers are retried with back-off (``retry.RetryPolicy``,
honouring ``Retry-After``); any other 4xx fails at once with an error naming the method, URL and status and
quoting the start of the answer. URLs in messages and lineage have their secret query parameters (an API key sent
in the query) replaced by ``***``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from govpulse.ingest.connectors.base import ConnectorError, SourceDataError
from govpulse.ingest.connectors.http_auth import HttpCredentials
from govpulse.ingest.connectors.retry import RetryPolicy, TransientError, call_with_retries, parse_retry_after

__all__ = ["HttpFetcher", "HttpStatusError", "JsonAnswer"]

_RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class HttpStatusError(ConnectorError):
    """The server answered with an error status that retrying will not fix."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class JsonAnswer:
    """A decoded JSON answer: the document, the URL it came from (secrets redacted) and the response headers."""

    document: Any
    url: str
    headers: httpx.Headers


class HttpFetcher:
    """Sends requests for one connector run; use it as a context manager so the connection pool is closed."""

    def __init__(
        self,
        *,
        credentials: HttpCredentials | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        rate_limit_per_second: float | None = None,
        verify_tls: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.credentials = credentials or HttpCredentials()
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._interval = 1.0 / rate_limit_per_second if rate_limit_per_second else 0.0
        self._next_slot = 0.0
        self._sleep, self._clock = sleep, clock
        self._client = httpx.Client(
            timeout=timeout,
            headers={"Accept": "application/json", **(headers or {}), **self.credentials.headers},
            auth=self.credentials.auth,
            follow_redirects=True,
            verify=verify_tls,
        )

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch_json(
        self,
        url: str,
        *,
        method: str = "GET",
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> JsonAnswer:
        """Send one request (retrying transient failures) and decode its JSON answer.

        Numbers in the answer are kept as the text the server wrote (``"12.50"`` stays ``"12.50"``), so cells
        reach validation exactly as the source gave them.
        """
        request_params = {**(params or {}), **self.credentials.params}
        response = call_with_retries(
            lambda: self._send_once(method, url, request_params, json_body), policy=self.retry, sleep=self._sleep
        )
        shown = self.redact(str(response.url))
        try:
            document = json.loads(response.content, parse_float=str, parse_int=str)
        except ValueError as error:
            raise SourceDataError(f"{method} {shown}: the answer is not JSON ({error}); it begins "
                                  f"{response.text[:120]!r}") from None
        return JsonAnswer(document=document, url=shown, headers=response.headers)

    def _send_once(self, method: str, url: str, params: Mapping[str, Any], json_body: Any) -> httpx.Response:
        self._wait_for_slot()
        # Merge rather than pass params=: httpx would drop the query a next-page link already carries.
        full_url = httpx.URL(url).copy_merge_params(params) if params else httpx.URL(url)
        request = self._client.build_request(method, full_url, json=json_body)
        shown = f"{method} {self.redact(str(request.url))}"
        try:
            response = self._client.send(request)
        except httpx.TimeoutException:
            raise TransientError(f"{shown}: no answer within {self.timeout:g} s") from None
        except httpx.TransportError as error:
            raise TransientError(f"{shown}: {type(error).__name__}: {error}") from None
        if response.is_success:
            return response
        status = f"{response.status_code} {response.reason_phrase}".strip()
        if response.status_code in _RETRIED_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise TransientError(f"{shown} answered {status}", retry_after=retry_after)
        raise HttpStatusError(f"{shown} answered {status}: {response.text[:300]!r}", status=response.status_code)

    def _wait_for_slot(self) -> None:
        if not self._interval:
            return
        now = self._clock()
        if now < self._next_slot:
            self._sleep(self._next_slot - now)
        self._next_slot = max(now, self._next_slot) + self._interval

    def redact(self, url: str) -> str:
        """``url`` with the values of secret query parameters replaced by ``***``."""
        secret = self.credentials.secret_params
        if not secret:
            return url
        parsed = httpx.URL(url)
        redacted = [(key, "***" if key in secret else value) for key, value in parsed.params.multi_items()]
        return str(parsed.copy_with(query=urlencode(redacted, safe="*").encode("ascii")))
