"""The demo's sources: one per department, each of a different connector kind, fed with the simulated values.

``demo/sources/*.yaml`` define them (CSV folder, Excel folder, REST JSON, SQL on a SQLite file, DHIS2, push);
``{home}`` and ``{feed_url}`` in them are filled in here. Each day the demo calls
``write_demo_source_files(home, values, today)``, which writes that day's simulated values the way each
department would deliver them:

    health_ambulance    feeds/health_ambulance/ambulance_YYYYMMDD.csv    wide CSV, Indian date format
    revenue_mutations   feeds/revenue_mutations/mutations_YYYYMMDD.xlsx  workbook with a title row
    transport_trips     feeds/transport_trips/operations_YYYYMMDD.json   records the REST API serves
    food_pds            feeds/food_pds/pds.sqlite (table pds_daily)       the department's database
    wcd_anganwadi       feeds/wcd_anganwadi/datavalues_YYYYMMDD.json     what the DHIS2 server serves
    water_supply        feeds/water_supply/push_YYYYMMDD.json            the body its system would POST

The REST and DHIS2 sources read from ``demo.feed_server.DemoFeedServer``, a small in-process HTTP server over
those JSON files (``govpulse serve`` starts it in demo mode). The push source receives its file through
``POST /api/v1/sources/water_supply/values`` (or ``ingest.push.push_values``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from sqlalchemy.orm import Session

from govpulse.demo.department_feeds import number_as_written as _number
from govpulse.demo.department_feeds import write_mis_export
from govpulse.ingest.sources import SourceDefinition, parse_definition, register_source

__all__ = ["demo_source_definitions", "register_demo_sources", "source_elements", "write_demo_source_files"]


def demo_source_definitions(home: Path, feed_url: str = "http://127.0.0.1:8001") -> list[SourceDefinition]:
    """The demo sources, with their files under ``home`` and their APIs at ``feed_url``."""
    folder = resources.files("govpulse.demo") / "sources"
    definitions = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".yaml"):
            continue
        text = entry.read_text(encoding="utf-8").replace("{home}", str(Path(home).resolve()))
        definitions.append(parse_definition(yaml.safe_load(text.replace("{feed_url}", feed_url.rstrip("/"))),
                                            where=f"demo/sources/{entry.name}"))
    return definitions


def register_demo_sources(session: Session, home: Path, feed_url: str,
                          definitions: list[SourceDefinition] | None = None) -> list[str]:
    """Register (create or update) the demo sources (default: the six of ``demo/sources``, at ``feed_url``);
    returns their codes. The caller commits."""
    chosen = definitions if definitions is not None else demo_source_definitions(home, feed_url)
    return [register_source(session, definition)[0].code for definition in chosen]


def write_demo_source_files(home: Path, values: pa.Table, today: date, *, delivered_at: datetime | None = None,
                            sources: Iterable[str] | None = None,
                            definitions: list[SourceDefinition] | None = None) -> dict[str, Path]:
    """Write ``today``'s values (a table of data_element, org_unit, period, value) as each demo source delivers
    them; returns the file written per source code. Sources with no values today get no file.

    ``delivered_at`` (default: now) stamps the files' modification times and the database rows' ``updated_at``,
    which is what the REST, DHIS2 and SQL sources ask about (``updated since``); ``sources`` limits the codes;
    ``definitions`` are the sources (default: the six of ``demo/sources``)."""
    day = today.strftime("%Y%m%d")
    todays = values.filter(pc.equal(values["period"], day))
    delivered_at = (delivered_at or datetime.now(UTC)).astimezone(UTC)
    written = {}
    for definition in definitions if definitions is not None else demo_source_definitions(home):
        if sources is not None and definition.code not in sources:
            continue
        rows = todays.filter(pc.is_in(todays["data_element"], value_set=pa.array(sorted(source_elements(definition)))))
        if rows.num_rows == 0:
            continue
        folder = Path(home) / "feeds" / definition.code
        folder.mkdir(parents=True, exist_ok=True)
        writer = _WRITERS.get(definition.code, write_mis_export)
        path = writer(definition, rows.to_pylist(), folder, today, delivered_at)
        os.utime(path, (delivered_at.timestamp(), delivered_at.timestamp()))
        written[definition.code] = path
    return written


def source_elements(definition: SourceDefinition) -> set[str]:
    """The data elements a source delivers (its wide columns or its long-format codes)."""
    return set(definition.mapping.data_elements())


def _wide(definition: SourceDefinition, rows: list[dict]) -> dict[str, dict[str, float]]:
    """{org unit: {source column: value}} for a wide-format source."""
    column_of = {code: column for column, code in definition.mapping.values.items()}
    table: dict[str, dict[str, float]] = {}
    for row in rows:
        table.setdefault(row["org_unit"], {})[column_of[row["data_element"]]] = row["value"]
    return table



def _csv(definition: SourceDefinition, rows: list[dict], folder: Path, today: date,
         delivered_at: datetime) -> Path:
    columns = list(definition.mapping.values)
    lines = [",".join([definition.mapping.org_unit.column, definition.mapping.period.date_column, *columns])]
    for unit, cells in sorted(_wide(definition, rows).items()):
        shown = [str(_number(cells[c])) if c in cells else "" for c in columns]
        lines.append(",".join([unit, today.strftime("%d-%m-%Y"), *shown]))
    path = folder / f"ambulance_{today:%Y%m%d}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _excel(definition: SourceDefinition, rows: list[dict], folder: Path, today: date,
           delivered_at: datetime) -> Path:
    columns = list(definition.mapping.values)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Pendency")
    sheet.append([f"Mutation pendency as on {today:%d-%m-%Y}"])
    sheet.append([definition.mapping.org_unit.column, definition.mapping.period.date_column, *columns])
    for unit, cells in sorted(_wide(definition, rows).items()):
        sheet.append([unit, datetime(today.year, today.month, today.day), *[cells.get(c) for c in columns]])
    path = folder / f"mutations_{today:%Y%m%d}.xlsx"
    book.save(path)
    return path


def _long_codes(definition: SourceDefinition) -> dict[str, str]:
    """Data element -> the department's own code for it."""
    return {code: own for own, code in definition.mapping.data_element.codes.items()}


def _rest_json(definition: SourceDefinition, rows: list[dict], folder: Path, today: date,
               delivered_at: datetime) -> Path:
    own = _long_codes(definition)
    records = [{"depot": {"district_lgd": row["org_unit"]}, "service_date": today.isoformat(),
                "metric": own[row["data_element"]], "value": _number(row["value"])} for row in rows]
    path = folder / f"operations_{today:%Y%m%d}.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _sql(definition: SourceDefinition, rows: list[dict], folder: Path, today: date,
         delivered_at: datetime) -> Path:
    path = folder / "pds.sqlite"
    columns = ["grain_qtl", "txn_total", "txn_biometric", "txn_portability"]
    stamp = delivered_at.replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS pds_daily (taluka_code TEXT, txn_date TEXT, grain_qtl REAL, "
                           "txn_total INTEGER, txn_biometric INTEGER, txn_portability INTEGER, updated_at TEXT, "
                           "PRIMARY KEY (taluka_code, txn_date))")
        connection.executemany(
            "INSERT OR REPLACE INTO pds_daily VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(unit, today.isoformat(), *[cells.get(c) for c in columns], stamp)
             for unit, cells in sorted(_wide(definition, rows).items())])
    return path


def _dhis2(definition: SourceDefinition, rows: list[dict], folder: Path, today: date,
           delivered_at: datetime) -> Path:
    own = _long_codes(definition)
    stamp = delivered_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    values = [{"dataElement": own[row["data_element"]], "period": f"{today:%Y%m%d}", "orgUnit": row["org_unit"],
               "categoryOptionCombo": "HllvX50cXC0", "value": str(_number(row["value"])), "lastUpdated": stamp}
              for row in rows]
    path = folder / f"datavalues_{today:%Y%m%d}.json"
    path.write_text(json.dumps({"dataValues": values}), encoding="utf-8")
    return path


def _push(definition: SourceDefinition, rows: list[dict], folder: Path, today: date,
          delivered_at: datetime) -> Path:
    own = _long_codes(definition)
    records = [{"taluka": row["org_unit"], "date": today.isoformat(), "indicator": own[row["data_element"]],
                "value": _number(row["value"])} for row in rows]
    path = folder / f"push_{today:%Y%m%d}.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


_WRITERS: dict[str, Callable[[SourceDefinition, list[dict], Path, date, datetime], Path]] = {
    "health_ambulance": _csv,
    "revenue_mutations": _excel,
    "transport_trips": _rest_json,
    "food_pds": _sql,
    "wcd_anganwadi": _dhis2,
    "water_supply": _push,
}
