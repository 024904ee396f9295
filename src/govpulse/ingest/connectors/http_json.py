"""``http_json``: records from an e-governance application's JSON API.

The records are the list found at ``records_path`` in each answer (``""``: the answer is the list); nested objects
become dotted column names (``address.district``), lists become JSON text. Pages follow ``paging``, credentials
``auth``; transient failures are retried (see ``http_client``). ``_source_file`` is each page's URL (secrets
redacted) and ``_source_row`` the record's 1-based position in the whole read. With ``since_param`` set,
``read(since)`` sends ``since`` in that query parameter, formatted by ``since_format``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, field_validator

from govpulse.ingest.connectors.base import Connector, ConnectorSettings, RecordChunk, SourceDataError, resolve_secret
from govpulse.ingest.connectors.http_auth import AuthSettings, NoAuth
from govpulse.ingest.connectors.http_client import HttpFetcher
from govpulse.ingest.connectors.paging import NoPaging, PageRequest, PagingSettings
from govpulse.ingest.connectors.retry import RetryPolicy
from govpulse.ingest.connectors.tables import MISSING, RecordBuffer, value_at

__all__ = ["HttpJsonConnector", "HttpJsonSettings"]

QueryValue = str | int | float | bool | list[str | int | float | bool]


class HttpJsonSettings(ConnectorSettings):
    url: str = Field(description="Endpoint URL (http or https).")
    method: Literal["GET", "POST"] = "GET"
    params: dict[str, QueryValue] = Field(default_factory=dict, description="Query parameters; a list repeats one.")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra headers; values may be env:VAR_NAME.")
    body: dict[str, Any] | list[Any] | None = Field(None, description="JSON body for POST.")
    records_path: str = Field("", description="Dotted path of the list of records in each answer; '' = the answer.")
    paging: PagingSettings = Field(default_factory=NoPaging)
    auth: AuthSettings = Field(default_factory=NoAuth)
    since_param: str | None = Field(None, description="Query parameter that carries `since`, if the API has one.")
    since_format: str = Field("iso", description="'iso' (ISO 8601), 'date' (YYYY-MM-DD) or a strftime pattern.")
    timeout: PositiveFloat = Field(30.0, description="Seconds to wait for an answer.")
    max_retries: NonNegativeInt = Field(3, description="Retries after a timeout, 408, 429 or 5xx.")
    backoff_seconds: NonNegativeFloat = Field(1.0, description="First retry's wait; doubles each retry.")
    rate_limit_per_second: PositiveFloat | None = Field(None, description="At most this many requests a second.")
    verify_tls: bool = Field(True, description="Check the server's TLS certificate.")
    chunk_rows: PositiveInt = 50_000

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, not {value!r}")
        return value


class HttpJsonConnector(Connector):
    """Records from a JSON API, page by page."""

    kind = "http_json"
    Settings = HttpJsonSettings

    def __init__(self, settings: HttpJsonSettings | dict, *, name: str = "") -> None:
        super().__init__(settings, name=name)
        # Built now so that a missing env: secret is reported when the source is loaded, not mid-run.
        self._credentials = self.settings.auth.build()
        self._headers = {
            key: resolve_secret(value, setting=f"headers.{key}") for key, value in self.settings.headers.items()
        }

    def fetcher(self) -> HttpFetcher:
        """A fresh HTTP client with this source's credentials, timeout, retries and rate limit."""
        settings = self.settings
        return HttpFetcher(
            credentials=self._credentials,
            headers=self._headers,
            timeout=settings.timeout,
            retry=RetryPolicy(max_retries=settings.max_retries, backoff_seconds=settings.backoff_seconds),
            rate_limit_per_second=settings.rate_limit_per_second,
            verify_tls=settings.verify_tls,
        )

    def read(self, since: datetime | None = None) -> Iterator[RecordChunk]:
        settings = self.settings
        params = dict(settings.params)
        if since is not None and settings.since_param:
            params[settings.since_param] = _format_since(since, settings.since_format)
        with self.fetcher() as fetcher:
            origin = fetcher.redact(settings.url)
            pending = RecordBuffer(origin, settings.chunk_rows)
            page: PageRequest | None = settings.paging.first(settings.url, params)
            while page is not None:
                answer = fetcher.fetch_json(
                    page.url, method=settings.method, params=page.params, json_body=settings.body
                )
                records = _records(answer.document, settings.records_path, answer.url)
                for record in records:
                    pending.add(record, answer.url)
                    if pending.full:
                        yield pending.flush()
                page = settings.paging.after(page, answer.document, records, answer.headers)
            yield from pending.remainder()

    def describe(self) -> str:
        settings = self.settings
        paging = "" if settings.paging.style == "none" else f", {settings.paging.style} paging"
        auth = "" if settings.auth.type == "none" else f", {settings.auth.type} auth"
        where = f" at {settings.records_path!r}" if settings.records_path else ""
        return f"JSON records{where} from {settings.method} {settings.url}{paging}{auth}"


def _records(document: Any, path: str, url: str) -> list:
    records = value_at(document, path)
    if records is None:
        return []  # "items": null is how some APIs say "no records"
    if isinstance(records, list):
        return records
    found = "nothing" if records is MISSING else f"a JSON {type(records).__name__}"
    keys = f"; the answer's top-level keys are {', '.join(map(repr, document))}" if isinstance(document, dict) else ""
    raise SourceDataError(f"{url}: expected a list of records at records_path {path!r} but found {found}{keys}")


def _format_since(since: datetime, style: str) -> str:
    if style == "iso":
        return since.isoformat()
    if style == "date":
        return since.date().isoformat()
    return since.strftime(style)
