"""Reading a DHIS2 data value set: JSON ``{dataValues: [...]}`` or DHIS2's CSV, as a list of plain dicts.

JSON: values may leave out ``period``, ``orgUnit`` and ``attributeOptionCombo``, which are then taken from the
set itself (``{"period": "202610", "orgUnit": "...", "dataValues": [...]}``), as in DHIS2. Numbers sent as JSON
numbers are taken as their text.

CSV (``application/csv`` or ``text/csv``): DHIS2's columns ``dataelement, period, orgunit, categoryoptioncombo,
attributeoptioncombo, value, storedby, lastupdated, comment, followup, deleted``. With a header row (any case;
``catoptcombo`` and ``attroptcombo`` accepted) columns are matched by name, otherwise by position.
"""

from __future__ import annotations

import csv
import io
import json

from govpulse.ingest.parsing import decode_bytes

__all__ = ["CSV_COLUMNS", "DataValueSetError", "MAX_VALUES", "parse_data_value_set"]

MAX_VALUES = 1_000_000
FIELDS = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value", "storedBy",
          "lastUpdated", "comment", "followup", "deleted")
CSV_COLUMNS = tuple(name.lower() for name in FIELDS)
_ALIASES = {"catoptcombo": "categoryOptionCombo", "attroptcombo": "attributeOptionCombo",
            "categoryoptioncomboid": "categoryOptionCombo"} | {name.lower(): name for name in FIELDS}
_INHERITED = ("period", "orgUnit", "attributeOptionCombo")


class DataValueSetError(ValueError):
    """A body that is not a data value set; the message says what is wrong."""


def parse_data_value_set(body: bytes, content_type: str) -> list[dict]:
    """The values of a posted data value set, in payload order (indexes in conflicts refer to this order)."""
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    if kind in ("application/csv", "text/csv"):
        values = _csv_values(body)
    elif kind in ("application/json", "") or kind.endswith("+json"):
        values = _json_values(body)
    else:
        raise DataValueSetError(f"unsupported content type {content_type!r}: send application/json or "
                                "application/csv (ADX and XML are not supported)")
    if len(values) > MAX_VALUES:
        raise DataValueSetError(f"{len(values):,} data values in one request; send at most {MAX_VALUES:,}")
    return values


def _json_values(body: bytes) -> list[dict]:
    try:
        document = json.loads(body.decode("utf-8-sig") or "{}")
    except (UnicodeDecodeError, ValueError) as error:
        raise DataValueSetError(f"the body is not valid JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("dataValues", []), list):
        raise DataValueSetError('a data value set is a JSON object with a list "dataValues"')
    defaults = {key: document[key] for key in _INHERITED if document.get(key)}
    values = []
    for index, item in enumerate(document.get("dataValues", [])):
        if not isinstance(item, dict):
            raise DataValueSetError(f"dataValues[{index}] is a JSON {type(item).__name__}, not an object")
        value = {**defaults, **{k: v for k, v in item.items() if v is not None}}
        values.append({key: _text(v) for key, v in value.items()})
    return values


def _text(value) -> str | bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_values(body: bytes) -> list[dict]:
    try:
        text, _ = decode_bytes(body)
    except ValueError as error:
        raise DataValueSetError(f"the CSV body cannot be read: {error}") from None
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise DataValueSetError(f"the CSV body cannot be split into fields: {error}") from None
    if not rows:
        return []
    header = [cell.strip().lower().replace("_", "") for cell in rows[0]]
    if "dataelement" in header:
        names = [_ALIASES.get(cell) for cell in header]
        rows = rows[1:]
    else:
        names = list(FIELDS)
    values = []
    for row in rows:
        value = {name: cell.strip() for name, cell in zip(names, row, strict=False) if name and cell.strip()}
        if "deleted" in value:
            value["deleted"] = value["deleted"].lower() == "true"
        values.append(value)
    return values
