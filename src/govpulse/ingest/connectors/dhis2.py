"""``dhis2``: data from a DHIS2 server, as raw data values or as analytics tables.

``mode: dataValueSets`` reads ``/api/dataValueSets`` (one record per data value, DHIS2's own field names:
``dataElement``, ``period``, ``orgUnit``, ``categoryOptionCombo``, ``attributeOptionCombo``, ``value``,
``storedBy``, ``created``, ``lastUpdated``, ``comment``, ``followup``). ``params`` select the data as DHIS2
expects (``dataSet``, ``period`` or ``startDate``/``endDate``, ``orgUnit``, ``children``, ...); ``read(since)``
adds ``lastUpdated`` so only values changed since then come back.

``mode: analytics`` reads ``/api/analytics``: the columns are the answer's header names (``dx``, ``pe``, ``ou``,
``value``, ...), one record per row. ``params`` carry ``dimension`` and ``filter`` (lists repeat the
parameter). Analytics values are aggregates recomputed by DHIS2, so ``since`` does not apply to them. With
``page_size`` the rows are fetched in pages (``paging=true``).

Authentication: ``username`` and ``password`` (HTTP basic) or a personal access ``token``; secrets may be
``env:VAR_NAME``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

import httpx
from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    field_validator,
    model_validator,
)

from govpulse.ingest.connectors.base import Connector, ConnectorSettings, RecordChunk, SourceDataError, resolve_secret
from govpulse.ingest.connectors.http_auth import HttpCredentials
from govpulse.ingest.connectors.http_client import HttpFetcher
from govpulse.ingest.connectors.retry import RetryPolicy
from govpulse.ingest.connectors.tables import MISSING, RecordBuffer, clean_header, json_cell, value_at

__all__ = ["Dhis2Connector", "Dhis2Settings"]

QueryValue = str | int | bool | list[str]


class Dhis2Settings(ConnectorSettings):
    base_url: str = Field(description="The DHIS2 server, e.g. https://dhis2.example.gov.in (without /api).")
    username: str | None = None
    password: str | None = Field(None, description="Password, or env:VAR_NAME.")
    token: str | None = Field(None, description="Personal access token (instead of username/password), or env:VAR.")
    mode: Literal["dataValueSets", "analytics"] = "dataValueSets"
    params: dict[str, QueryValue] = Field(default_factory=dict, description="Query parameters of the DHIS2 API.")
    api_version: PositiveInt | None = Field(None, description="Pin the API version (/api/41/...); default unpinned.")
    page_size: PositiveInt | None = Field(None, description="analytics only: rows per page; default one request.")
    timeout: PositiveFloat = 120.0
    max_retries: NonNegativeInt = 3
    backoff_seconds: NonNegativeFloat = 1.0
    rate_limit_per_second: PositiveFloat | None = None
    verify_tls: bool = True
    chunk_rows: PositiveInt = 50_000

    @field_validator("base_url")
    @classmethod
    def _server_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, not {value!r}")
        return value.rstrip("/").removesuffix("/api")

    @model_validator(mode="after")
    def _one_way_to_log_in(self) -> Dhis2Settings:
        if self.token and (self.username or self.password):
            raise ValueError("give either a token or a username and password, not both")
        if not self.token and not (self.username and self.password):
            raise ValueError("give a username and password (or a personal access token)")
        if self.page_size and self.mode != "analytics":
            raise ValueError("page_size applies to mode analytics only (dataValueSets is not paged by DHIS2)")
        return self


class Dhis2Connector(Connector):
    """Data values or analytics rows from a DHIS2 server."""

    kind = "dhis2"
    Settings = Dhis2Settings

    def __init__(self, settings: Dhis2Settings | dict, *, name: str = "") -> None:
        super().__init__(settings, name=name)
        settings = self.settings
        if settings.token:
            token = resolve_secret(settings.token, setting="token")
            self._credentials = HttpCredentials(headers={"Authorization": f"ApiToken {token}"})
        else:
            password = resolve_secret(settings.password, setting="password")
            self._credentials = HttpCredentials(auth=httpx.BasicAuth(settings.username, password))

    @property
    def endpoint(self) -> str:
        version = f"/{self.settings.api_version}" if self.settings.api_version else ""
        return f"{self.settings.base_url}/api{version}/{self.settings.mode}"

    def read(self, since: datetime | None = None) -> Iterator[RecordChunk]:
        settings = self.settings
        fetcher = HttpFetcher(
            credentials=self._credentials,
            timeout=settings.timeout,
            retry=RetryPolicy(max_retries=settings.max_retries, backoff_seconds=settings.backoff_seconds),
            rate_limit_per_second=settings.rate_limit_per_second,
            verify_tls=settings.verify_tls,
        )
        with fetcher:
            if settings.mode == "dataValueSets":
                yield from self._data_values(fetcher, since)
            else:
                yield from self._analytics(fetcher)

    def _data_values(self, fetcher: HttpFetcher, since: datetime | None) -> Iterator[RecordChunk]:
        params = dict(self.settings.params)
        if since is not None:
            params["lastUpdated"] = since.isoformat()
        answer = fetcher.fetch_json(self.endpoint, params=params)
        values = value_at(answer.document, "dataValues")
        if values is MISSING or values is None:
            values = []  # DHIS2 leaves the key out when nothing matches
        if not isinstance(values, list):
            raise SourceDataError(f"{answer.url}: 'dataValues' is a JSON {type(values).__name__}, not a list")
        buffer = RecordBuffer(self.endpoint, self.settings.chunk_rows)
        for value in values:
            buffer.add(value, answer.url)
            if buffer.full:
                yield buffer.flush()
        yield from buffer.remainder()

    def _analytics(self, fetcher: HttpFetcher) -> Iterator[RecordChunk]:
        buffer = RecordBuffer(self.endpoint, self.settings.chunk_rows)
        page, page_count = 1, 1
        while page <= page_count:
            params = dict(self.settings.params)
            if self.settings.page_size:
                params |= {"paging": "true", "page": page, "pageSize": self.settings.page_size}
            answer = fetcher.fetch_json(self.endpoint, params=params)
            names, rows = _analytics_table(answer.document, answer.url)
            for row in rows:
                if isinstance(row, list) and len(row) == len(names):
                    buffer.add_cells(dict(zip(names, map(json_cell, row), strict=True)), answer.url)
                else:
                    buffer.reject(answer.url, f"is not a row of {len(names)} cells like the header: {row!r:.80}")
                if buffer.full:
                    yield buffer.flush()
            if self.settings.page_size:
                page_count = int(value_at(answer.document, "metaData.pager.pageCount") or page)
            page += 1
        yield from buffer.remainder()

    def describe(self) -> str:
        selection = ", ".join(f"{key}={value}" for key, value in self.settings.params.items())
        login = "token" if self.settings.token else f"user {self.settings.username}"
        return f"DHIS2 {self.settings.mode} from {self.settings.base_url} as {login}" + (
            f" ({selection})" if selection else ""
        )


def _analytics_table(document: Any, url: str) -> tuple[list[str], list]:
    headers, rows = value_at(document, "headers"), value_at(document, "rows")
    if not isinstance(headers, list) or not isinstance(rows, list):
        raise SourceDataError(f"{url}: not a DHIS2 analytics answer (expected 'headers' and 'rows' lists)")
    names = clean_header([header.get("name") if isinstance(header, dict) else header for header in headers], origin=url)
    return names, rows
