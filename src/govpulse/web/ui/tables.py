"""A table of a page as data: the HTML table, the CSV and the Excel file are three faces of one ``Table``.

A table builder (``table_builders.py``) turns an analytics result into a ``Table`` of raw values: numbers
stay numbers (the page formats them in the reader's language, the CSV writes them plain, Excel gives them a
number format), statuses stay ``Rag`` members (a badge on the page, the label in files). So the file a
person downloads has exactly the numbers on the screen, in the order on the screen, and nothing computed
twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from govpulse.core.enums import Rag, Severity

ColumnKind = Literal["text", "code", "number", "percent", "value", "status", "severity", "count", "datetime", "score",
                     "link", "change"]
Order = Literal["asc", "desc"]


@dataclass(frozen=True)
class Column:
    """``key`` names the column in URLs (``?sort=value``); ``label`` is already in the reader's language.
    ``kind`` says how the page shows a cell: ``value`` is an indicator value with ``unit`` and ``decimals``,
    ``percent`` a share in %, ``count`` a whole number, ``status`` a RAG badge."""

    key: str
    label: str
    kind: ColumnKind = "text"
    decimals: int = 0
    unit: str = ""
    sortable: bool = True


@dataclass(frozen=True)
class Cell:
    """A raw value, with where it links to and, for indicator values, its status (for the cell's colour).
    ``unit`` and ``decimals`` override the column's where rows differ (a scorecard has one indicator per row);
    ``sort`` replaces the value as the sort key (a scorecard column sorts by status, then progress)."""

    value: Any = None
    url: str | None = None
    status: Rag | None = None
    note: str = ""
    unit: str | None = None
    decimals: int | None = None
    sort: Any = None


@dataclass(frozen=True)
class Row:
    cells: dict[str, Cell]
    key: str = ""
    """What the row is about (an org-unit or indicator code), for ``data-key`` and highlighting."""
    highlight: bool = False


@dataclass(frozen=True)
class Table:
    """``name`` is the table's id in export URLs; ``description`` says what the numbers cover, in words."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    data_as_of: datetime | None = None
    sort: str | None = None
    order: Order = "asc"
    footnotes: tuple[str, ...] = field(default_factory=tuple)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"table {self.name!r} has no column {key!r}; columns are {[c.key for c in self.columns]}")

    def sorted_by(self, key: str | None, order: str | None) -> Table:
        """The rows ordered by column ``key`` (``asc`` or ``desc``); empty cells always last, ties keep their
        order. An unknown column leaves the rows as they are (the link was stale, the page still works)."""
        if not key or key not in {c.key for c in self.columns if c.sortable}:
            return self
        direction: Order = "desc" if order == "desc" else "asc"
        present = [r for r in self.rows if _sort_value(r.cells.get(key)) is not None]
        absent = [r for r in self.rows if _sort_value(r.cells.get(key)) is None]
        present.sort(key=lambda r: _sort_value(r.cells[key]), reverse=direction == "desc")
        return replace(self, rows=tuple(present + absent), sort=key, order=direction)

    def next_order(self, key: str) -> Order:
        """The order a click on column ``key``'s header asks for: the other way if it is the sorted one."""
        if self.sort == key:
            return "asc" if self.order == "desc" else "desc"
        return "asc" if self.column(key).kind in ("text", "code") else "desc"


STATUS_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.STALE: 2, Rag.GREEN: 3, Rag.NO_DATA: 4}
"""Worst first: the order a column of statuses sorts in (ascending)."""


def _sort_value(cell: Cell | None) -> Any:
    if cell is not None and cell.sort is not None:
        return cell.sort
    if cell is None or cell.value is None:
        return None
    if isinstance(cell.value, Rag):
        return STATUS_ORDER[cell.value]
    if isinstance(cell.value, Severity):
        return -cell.value.rank  # the most urgent first when ascending
    if isinstance(cell.value, str):
        return cell.value.casefold()
    return cell.value


def plain(value: Any, kind: ColumnKind = "text") -> Any:
    """A cell's value for a file: numbers as numbers (a whole numerator or denominator as an integer: a count
    of 30 is "30", not "30.0"), statuses and severities as their code, dates as ISO text."""
    if isinstance(value, Rag | Severity):
        return value.value
    if kind == "number" and isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


def header_row(columns: Sequence[Column]) -> list[str]:
    return [f"{c.label} ({c.unit})" if c.unit and c.kind == "value" else c.label for c in columns]
