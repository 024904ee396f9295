"""The other departments' daily data: each department's MIS drops a daily CSV export.

The six hand-written demo sources (``demo/sources/*.yaml``) show one connector kind each. Every other data
element reported daily belongs to a department whose MIS exports a plain long CSV each morning, one row per
place, day and indicator:

    lgd_code,date,indicator,value
    3782,25-11-2026,ENG_FEEDER_HOURS,21.5

so that every daily figure of the demo's last days arrives through a source. The exports name indicators in the
department's own upper-case codes, mapped to the catalogue's data elements. Departments that report only monthly
load their history directly (a monthly source would deliver once in the demo's window).
"""

from __future__ import annotations

from pathlib import Path

from govpulse.catalog.io.schema import CatalogFile
from govpulse.core.periods import PeriodType
from govpulse.ingest.sources import SourceDefinition, parse_definition

__all__ = ["department_source_definitions", "number_as_written", "write_mis_export"]

FIRST_RUN_HOUR = 6
"""The exports are read from 06:00 India time, ten minutes apart."""


def department_source_definitions(home: Path, catalog: CatalogFile, covered: set[str],
                                  kinds: set[str]) -> list[SourceDefinition]:
    """One daily CSV-export source per department with daily data elements not in ``covered`` that are reported
    at one of the org-unit ``kinds`` the tree has (the demo tree has no schools, so school figures never come)."""
    uncovered: dict[str, list[str]] = {}
    for element in catalog.data_elements:
        reported = {kind.value for kind in element.reported_at} & kinds
        if element.period_type == PeriodType.DAILY and element.code not in covered and reported:
            uncovered.setdefault(element.department, []).append(element.code)
    names = {department.code: department.name for department in catalog.departments}
    return [_definition(home, number, department, names.get(department, department), sorted(codes))
            for number, (department, codes) in enumerate(sorted(uncovered.items()))]


def _definition(home: Path, number: int, department: str, name: str, codes: list[str]) -> SourceDefinition:
    code = f"{department.lower()}_daily_mis"
    hour, minute = divmod(FIRST_RUN_HOUR * 60 + 10 * number, 60)
    return parse_definition({
        "code": code,
        "name": f"{name}: daily MIS export (CSV)",
        "department": department,
        "description": f"The department's MIS drops a CSV of its daily figures each morning ({len(codes)} data "
                       "elements, long format: place, day, indicator, value).",
        "connector": "csv_folder",
        "settings": {"folder": str(Path(home).resolve() / "feeds" / code), "pattern": "*.csv",
                     "after_read": "remember"},
        "schedule": f"{minute} {hour} * * *",
        "timezone": "Asia/Kolkata",
        "freshness": "daily by 10:00",
        "mapping": {"org_unit": {"column": "lgd_code", "by": "code"}, "period": {"date_column": "date"},
                    "data_element": {"column": "indicator", "codes": {c.upper(): c for c in codes}},
                    "value": "value"},
    }, where=f"demo department source {code}")


def write_mis_export(definition: SourceDefinition, rows: list[dict], folder: Path, today, delivered_at) -> Path:
    """The long CSV export of ``rows`` (data_element, org_unit, period, value) for ``today``."""
    own = {element: source_code for source_code, element in definition.mapping.data_element.codes.items()}
    lines = ["lgd_code,date,indicator,value"]
    lines += [f"{row['org_unit']},{today:%d-%m-%Y},{own[row['data_element']]},{number_as_written(row['value'])}"
              for row in sorted(rows, key=lambda r: (r["org_unit"], r["data_element"]))]
    path = folder / f"{definition.code}_{today:%Y%m%d}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def number_as_written(value: float) -> int | float:
    """A simulated figure as a department's system writes it: whole numbers without ".0", others to 2 places."""
    return int(value) if float(value).is_integer() else round(value, 2)
