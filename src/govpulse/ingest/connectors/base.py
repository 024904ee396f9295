"""What every connector is: a class keyed by ``kind`` that reads a source into chunks of string columns.

A connector only *reads*. It hands the next step (mapping to data elements, validation, batches) a stream of
``RecordChunk``: an Arrow table whose columns are the source's own columns, every value a string exactly as the
source gave it (null where a cell is missing or empty), plus two lineage columns:

* ``_source_file``: where the row came from (file path, page URL, SQL source name);
* ``_source_row``: the row's number there. For files it is the row number a person sees when opening the file in
  a spreadsheet (the header row keeps its own number, so with the header on row 1 the first record is row 2);
  for APIs and SQL it is the 1-based index of the record in the whole read.

Rows that cannot become a table row at all (a CSV line with the wrong number of fields) are not dropped silently:
they travel in ``RecordChunk.problems`` with their place and the reason, so the batch can report them as rejected.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = [
    "LINEAGE_COLUMNS",
    "SOURCE_FILE",
    "SOURCE_ROW",
    "Connector",
    "ConnectorError",
    "ConnectorSettings",
    "ConnectorSettingsError",
    "RecordChunk",
    "RowProblem",
    "SourceDataError",
    "resolve_secret",
]

SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"
LINEAGE_COLUMNS = (SOURCE_FILE, SOURCE_ROW)


class ConnectorError(Exception):
    """A source could not be read; the message names the source and what went wrong."""


class ConnectorSettingsError(ConnectorError, ValueError):
    """A connector's settings are wrong (unknown key, wrong type, missing secret ...)."""


class SourceDataError(ConnectorError):
    """The source was reached but what it holds cannot be read as records (empty file, repeated headers, ...)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row the connector could not turn into a record, with the reason; ``location`` and ``row`` mean what
    ``_source_file`` and ``_source_row`` mean."""

    location: str
    row: int
    message: str

    def __str__(self) -> str:
        return f"{self.location}, row {self.row}: {self.message}"


@dataclass(frozen=True, slots=True)
class RecordChunk:
    """Up to ``chunk_rows`` records from one origin (a file, an API endpoint, a query).

    ``table`` holds the source's columns as strings plus ``_source_file`` (string) and ``_source_row`` (int64).
    ``origin`` is what the caller passes back to ``Connector.mark_processed`` once the data is safely stored.
    """

    table: pa.Table
    origin: str
    problems: tuple[RowProblem, ...] = field(default=())

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    @property
    def data_columns(self) -> list[str]:
        """The source's own column names (without the lineage columns)."""
        return [name for name in self.table.column_names if name not in LINEAGE_COLUMNS]


class ConnectorSettings(BaseModel):
    """Base of every connector's settings: unknown keys are errors, so a typo in a source's YAML is caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Connector(ABC):
    """Reads one source. Subclasses set ``kind`` and ``Settings`` and implement ``read`` and ``describe``."""

    kind: ClassVar[str]
    Settings: ClassVar[type[ConnectorSettings]]

    def __init__(self, settings: ConnectorSettings | Mapping[str, Any], *, name: str = "") -> None:
        self.name = name or self.kind
        self.settings = self._validate(settings)

    def _validate(self, settings: ConnectorSettings | Mapping[str, Any]) -> Any:
        if isinstance(settings, self.Settings):
            return settings
        if isinstance(settings, ConnectorSettings):
            raise ConnectorSettingsError(
                f"{self.kind} connector {self.name!r}: expected {self.Settings.__qualname__}, "
                f"got {type(settings).__qualname__}"
            )
        try:
            return self.Settings.model_validate(dict(settings))
        except ValidationError as error:
            raise ConnectorSettingsError(f"{self.kind} connector {self.name!r}: {_explain(error)}") from None

    @abstractmethod
    def read(self, since: datetime | None = None) -> Iterator[RecordChunk]:
        """Yield the source's records in chunks; with ``since``, only what changed after that moment
        (each connector says how it knows)."""

    @abstractmethod
    def describe(self) -> str:
        """One line for people: what this connector reads, from where."""

    def mark_processed(self, origin: str) -> None:
        """Called by the caller once the chunks of ``origin`` are safely stored. Most sources need nothing."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {self.describe()}>"


def _explain(error: ValidationError) -> str:
    parts = []
    for issue in error.errors():
        where = ".".join(str(part) for part in issue["loc"]) or "settings"
        message = "unknown setting (check its spelling)" if issue["type"] == "extra_forbidden" else issue["msg"]
        parts.append(f"setting {where!r}: {message}")
    return "; ".join(parts)


def resolve_secret(value: str | None, *, setting: str) -> str | None:
    """A secret as written in settings: ``env:VAR_NAME`` reads the environment variable, anything else is literal.

    Raises ``ConnectorSettingsError`` naming the setting when the variable is not set, so a missing secret is
    reported before any request is sent.
    """
    if value is None or not value.startswith("env:"):
        return value
    variable = value.removeprefix("env:")
    secret = os.environ.get(variable)
    if secret is None:
        raise ConnectorSettingsError(f"setting {setting!r} reads environment variable {variable}, which is not set")
    return secret
