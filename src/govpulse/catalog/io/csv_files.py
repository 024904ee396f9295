"""CSV lists of indicators and of data elements, for long lists kept in a spreadsheet.

Columns are the flat fields of ``Indicator`` / ``DataElement``. Nested fields are spread over columns: names in
other languages as ``name_gu``, ``name_hi``, ``name_ml`` (any ``name_<language>``), an indicator's thresholds as
``threshold_basis``, ``threshold_green``, ``threshold_amber``; a data element's ``reported_at`` kinds are one
cell separated by ``;``. An empty cell means "not set" (the field's default). Rows are numbered as a spreadsheet
shows them: the header is row 1, so the first indicator is row 2.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from govpulse.catalog.io.errors import CatalogError, CatalogIssue, error_message
from govpulse.catalog.io.schema import DataElement, Indicator

INDICATOR_COLUMNS = (
    "code", "name", "department", "theme", "numerator", "denominator", "factor", "unit", "decimals",
    "polarity", "weight", "target", "threshold_basis", "threshold_green", "threshold_amber", "source_system",
    "description",
)
DATA_ELEMENT_COLUMNS = (
    "code", "name", "department", "value_type", "aggregation_type", "period_type", "reported_at", "min", "max",
    "unit", "description",
)
# Always written, so that a translator finds the columns even where the catalogue has no names yet.
STANDARD_LANGUAGES = ("gu", "hi", "ml")

_NAME_COLUMN = re.compile(r"name_([a-z]{2,3})")
_THRESHOLD_COLUMN = re.compile(r"threshold_(basis|green|amber)")
_LIST_SEPARATOR = re.compile(r"[;,|\s]+")

Item = TypeVar("Item", Indicator, DataElement)


def load_indicators_csv(path: str | Path) -> list[Indicator]:
    """Indicators from a CSV file; raises ``CatalogError`` naming the file, row and column of every problem.

    Only each row's own fields are checked here: whether departments and data elements exist is checked when
    the indicators join a catalogue (``find_catalog_issues``).
    """
    return _load(Path(path), Indicator, INDICATOR_COLUMNS)


def load_data_elements_csv(path: str | Path) -> list[DataElement]:
    """Data elements from a CSV file; raises ``CatalogError`` naming the file, row and column of every problem."""
    return _load(Path(path), DataElement, DATA_ELEMENT_COLUMNS)


def dump_indicators_csv(indicators: Iterable[Indicator], path: str | Path) -> Path:
    """Write indicators to a CSV file (UTF-8 with a byte-order mark, so Excel shows Gujarati correctly)."""
    return _dump(list(indicators), Path(path), INDICATOR_COLUMNS)


def dump_data_elements_csv(data_elements: Iterable[DataElement], path: str | Path) -> Path:
    """Write data elements to a CSV file (UTF-8 with a byte-order mark)."""
    return _dump(list(data_elements), Path(path), DATA_ELEMENT_COLUMNS)


# --------------------------------------------------------------------------------------------------
# Reading


def _load(path: Path, model: type[Item], columns: tuple[str, ...]) -> list[Item]:
    file = str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise CatalogError([CatalogIssue(f"cannot read the file ({error.strerror})", file=file)]) from None
    except UnicodeDecodeError as error:
        raise CatalogError([CatalogIssue(f"not UTF-8 text (byte {error.start})", file=file)]) from None
    if not rows:
        raise CatalogError([CatalogIssue("the file is empty; the first row must name the columns", file=file)])
    header = [column.strip() for column in rows[0]]
    _raise_if(_header_issues(header, columns, file))

    items: list[Item] = []
    issues: list[CatalogIssue] = []
    first_row_of: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of a spreadsheet export
        if len(cells) > len(header):
            issues.append(CatalogIssue(f"{len(cells)} cells but only {len(header)} columns", f"row {number}", file))
            continue
        try:
            item = model.model_validate(_row_data(dict(zip(header, cells, strict=False))))
        except ValidationError as error:
            issues.extend(_row_issues(error, number, file))
            continue
        if item.code in first_row_of:
            message = f"duplicate code {item.code!r}, already used in row {first_row_of[item.code]}"
            issues.append(CatalogIssue(message, f"row {number}, column code", file))
        else:
            first_row_of[item.code] = number
        items.append(item)
    _raise_if(issues)
    return items


def _header_issues(header: list[str], columns: tuple[str, ...], file: str) -> list[CatalogIssue]:
    issues = []
    for column in header:
        known = column in columns or _NAME_COLUMN.fullmatch(column)
        if not known or header.count(column) > 1:
            problem = "unknown column" if not known else "column appears more than once"
            issues.append(CatalogIssue(f"{problem} {column!r}", "row 1", file))
    for required in ("code", "name"):
        if required not in header:
            issues.append(CatalogIssue(f"missing column {required!r}", "row 1", file))
    return issues


def _row_data(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as model input: empty cells left out, name_* and threshold_* cells gathered."""
    data: dict[str, Any] = {}
    for column, raw in row.items():
        cell = raw.strip()
        if not cell:
            continue
        if name := _NAME_COLUMN.fullmatch(column):
            data.setdefault("names", {})[name.group(1)] = cell
        elif threshold := _THRESHOLD_COLUMN.fullmatch(column):
            data.setdefault("thresholds", {})[threshold.group(1)] = cell
        elif column == "reported_at":
            data[column] = [kind for kind in _LIST_SEPARATOR.split(cell) if kind]
        else:
            data[column] = cell
    return data


def _row_issues(error: ValidationError, row: int, file: str) -> list[CatalogIssue]:
    issues = []
    for problem in error.errors(include_url=False):
        location = f"row {row}, column {_column_of(problem['loc'])}"
        issues.append(CatalogIssue(error_message(problem), location, file))
    return issues


def _column_of(loc: tuple[str | int, ...]) -> str:
    """The CSV column a Pydantic error location comes from."""
    field = str(loc[0]) if loc else "?"
    if field == "names" and len(loc) > 1:
        return f"name_{loc[1]}"
    if field == "thresholds":
        return f"threshold_{loc[1]}" if len(loc) > 1 else "threshold_basis/threshold_green/threshold_amber"
    return field


def _raise_if(issues: list[CatalogIssue]) -> None:
    if issues:
        raise CatalogError(issues)


# --------------------------------------------------------------------------------------------------
# Writing


def _dump(items: list[BaseModel], path: Path, columns: tuple[str, ...]) -> Path:
    languages = list(STANDARD_LANGUAGES)
    for item in items:
        languages += sorted(set(item.names) - set(languages))  # type: ignore[attr-defined]
    header = [columns[0], columns[1], *(f"name_{language}" for language in languages), *columns[2:]]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for item in items:
            cells = _flat_cells(item)
            writer.writerow([cells.get(column, "") for column in header])
    return path


def _flat_cells(item: BaseModel) -> dict[str, str]:
    cells: dict[str, str] = {}
    for field, value in item.model_dump(mode="json", exclude_none=True).items():
        if field == "names":
            cells |= {f"name_{language}": name for language, name in value.items()}
        elif field == "thresholds":
            cells |= {f"threshold_{key}": _cell(part) for key, part in value.items()}
        elif field == "reported_at":
            cells[field] = ";".join(value)
        else:
            cells[field] = _cell(value)
    return cells


def _cell(value: Any) -> str:
    """A number as a person would type it (``95``, not ``95.0``); text as it is."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
