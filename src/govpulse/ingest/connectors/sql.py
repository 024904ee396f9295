"""``sql``: records from a query on any database SQLAlchemy reaches (PostgreSQL, MySQL, SQL Server, Oracle, SQLite).

Results stream from the server (``stream_results``) ``chunk_rows`` at a time. Values become strings the way the
database means them: dates and times in ISO 8601, decimals exactly, booleans as ``true``/``false``, binary as
hex. If the query contains the bind parameter ``:since``, it receives ``read(since)``'s moment, or
0001-01-01 00:00 on a first read, so ``WHERE updated_at > :since`` works on every run. ``_source_file`` is the
connector's name (or the database URL without its password) and ``_source_row`` the row's position in the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import Field, PositiveInt, field_validator
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from govpulse.ingest.connectors.base import (
    Connector,
    ConnectorError,
    ConnectorSettings,
    ConnectorSettingsError,
    RecordChunk,
    resolve_secret,
)
from govpulse.ingest.connectors.tables import ChunkBuilder, clean_header

__all__ = ["EARLIEST", "SqlConnector", "SqlSettings"]

EARLIEST = datetime(1, 1, 1)
"""What ``:since`` is bound to on a first read (no ``since``)."""


class SqlSettings(ConnectorSettings):
    url: str = Field(description="SQLAlchemy database URL; may be env:VAR_NAME (it usually holds a password).")
    query: str = Field(description="SELECT to run; may use :since.")
    chunk_rows: PositiveInt = 50_000

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is empty")
        return value


class SqlConnector(Connector):
    """Records from one SQL query."""

    kind = "sql"
    Settings = SqlSettings

    def __init__(self, settings: SqlSettings | dict, *, name: str = "") -> None:
        super().__init__(settings, name=name)
        try:
            self._url = sa.make_url(resolve_secret(self.settings.url, setting="url"))
        except ArgumentError as error:
            raise ConnectorSettingsError(f"sql connector {self.name!r}: setting 'url': {error}") from None
        self._statement = sa.text(self.settings.query)
        self._uses_since = "since" in self._statement.compile().params

    @property
    def location(self) -> str:
        """What ``_source_file`` holds: the connector's name, or the URL without its password."""
        return self.name if self.name != self.kind else self._url.render_as_string(hide_password=True)

    def read(self, since: datetime | None = None) -> Iterator[RecordChunk]:
        parameters = {"since": since or EARLIEST} if self._uses_since else {}
        try:
            engine = sa.create_engine(self._url)
        except (NoSuchModuleError, ArgumentError, ImportError) as error:
            raise ConnectorError(f"{self.location}: cannot use database URL: {error}") from None
        try:
            with engine.connect() as connection:
                result = connection.execution_options(stream_results=True).execute(self._statement, parameters)
                yield from self._chunks(result)
        except SQLAlchemyError as error:
            message = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise ConnectorError(f"{self.location}: query failed: {message}") from None
        finally:
            engine.dispose()

    def _chunks(self, result: sa.CursorResult) -> Iterator[RecordChunk]:
        names = clean_header(list(result.keys()), origin=self.location)
        builder = ChunkBuilder(names, origin=self.location, chunk_rows=self.settings.chunk_rows)
        number = 0
        for partition in result.partitions(self.settings.chunk_rows):
            for row in partition:
                number += 1
                builder.add(number, [sql_cell(value) for value in row])
            if builder.full:
                yield builder.flush()
        yield from builder.remainder()

    def describe(self) -> str:
        query = " ".join(self.settings.query.split())
        query = query if len(query) <= 80 else query[:77] + "..."
        return f"SQL query on {self._url.render_as_string(hide_password=True)}: {query}"


def sql_cell(value: Any) -> str | None:
    """One database value as text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)
