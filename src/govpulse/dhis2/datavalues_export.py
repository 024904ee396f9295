"""``GET /api/dataValueSets``: stored values in DHIS2's data value set shape (JSON, or CSV).

Selection as in DHIS2: ``dataSet`` and/or ``dataElement`` (repeatable), ``period`` (repeatable, exact periods)
or ``startDate`` + ``endDate`` (every value whose period lies within), ``orgUnit`` (repeatable) and
``children=true`` for everything below them. Ids in and out follow ``idScheme`` / ``dataElementIdScheme`` /
``orgUnitIdScheme`` / ``categoryOptionComboIdScheme``.

The values are the warehouse's stored leaf values (read through its lineage, so each carries its batch, shown
as ``storedBy``, and its ``lastUpdated`` time), filtered by the reader's scope: an org unit, data element or
data set that does not exist or that the reader may not see answers 404; a data set's elements of departments
the reader does not see are left out. Needs the ``export`` action. Yes/no values are written ``true`` and
``false`` again.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from govpulse.core.access import EXPORT
from govpulse.core.periods import InvalidPeriod, Period, PeriodType, coarser_types, parse_period, periods_between
from govpulse.core.scope import Scope
from govpulse.dhis2.datavalue_payloads import CSV_COLUMNS
from govpulse.dhis2.errors import IllegalQuery, NotFound
from govpulse.dhis2.ids import TOTAL, IdScheme
from govpulse.dhis2.resolve import Catalogued, Resolver
from govpulse.warehouse import HasLineage, Warehouse
from govpulse.warehouse.errors import WarehouseError

__all__ = ["ExportQuery", "export_data_values", "to_csv"]

MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class ExportQuery:
    data_sets: list[str] = field(default_factory=list)
    data_elements: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    start: date | None = None
    end: date | None = None
    org_units: list[str] = field(default_factory=list)
    children: bool = False
    data_element_scheme: IdScheme = IdScheme.UID
    org_unit_scheme: IdScheme = IdScheme.UID
    combo_scheme: IdScheme = IdScheme.UID

    def check(self) -> None:
        if not self.data_sets and not self.data_elements:
            raise IllegalQuery("At least one data element, data set or data element group must be specified",
                               "E2001")
        if not self.periods and not (self.start and self.end):
            raise IllegalQuery("At least one period, start/end dates, last updated or last updated duration must "
                               "be specified", "E2002")
        if self.periods and (self.start or self.end):
            raise IllegalQuery("Both periods and start/end date cannot be specified", "E2003")
        if self.start and self.end and self.start > self.end:
            raise IllegalQuery("Start date must be before end date", "E2004")
        if not self.org_units:
            raise IllegalQuery("At least one organisation unit or organisation unit group must be specified",
                               "E2006")


def export_data_values(session: Session, warehouse: Warehouse, scope: Scope, query: ExportQuery) -> list[dict]:
    """The values selected by ``query`` as DHIS2 data values (dicts), ordered by data element, org unit, period."""
    scope.require(EXPORT)
    query.check()
    if not warehouse.supports(HasLineage):
        raise IllegalQuery(f"the {warehouse.backend_name} warehouse cannot list stored values", "E7100")
    resolver = Resolver(session)
    elements = _elements(resolver, scope, query)
    units = _units(resolver, scope, query)
    periods = _periods(query)
    found: list[dict] = []
    for element in elements:
        paths = scope.paths_for_department(element.department)
        for unit in units:
            if scope.allows(path=unit.path, department=element.department):
                found += _values(warehouse, element, unit, periods, query, None if paths is None else list(paths))
            if len(found) > MAX_ROWS:
                raise IllegalQuery(f"more than {MAX_ROWS:,} values: ask for fewer periods or org units", "E7128")
    return _as_dhis2(resolver, elements, found, query)


def _elements(resolver: Resolver, scope: Scope, query: ExportQuery) -> list[Catalogued]:
    chosen: dict[str, Catalogued] = {}
    found = resolver.data_elements(query.data_elements, query.data_element_scheme)
    for given in query.data_elements:
        element = found.get(given)
        if element is None or not scope.allows_department(element.department):
            raise NotFound(f"no data element with id {given!r}")
        chosen[element.code] = element
    sets = resolver.data_sets(query.data_sets)
    for given in query.data_sets:
        if given not in sets:
            raise NotFound(f"no data set with id {given!r}")
        members = resolver.data_elements(sets[given], IdScheme.UID).values()
        chosen.update({m.code: m for m in members if scope.allows_department(m.department)})
    return list(chosen.values())


def _units(resolver: Resolver, scope: Scope, query: ExportQuery):
    found = resolver.org_units(query.org_units, query.org_unit_scheme)
    units = []
    for given in query.org_units:
        unit = found.get(given)
        if unit is None or not scope.allows_path(unit.path):
            raise NotFound(f"no org unit with id {given!r}")
        units.append(unit)
    return units


def _periods(query: ExportQuery) -> list[Period]:
    try:
        return [parse_period(text) for text in query.periods]
    except InvalidPeriod as error:
        raise IllegalQuery(f"Period not valid: {error}", "E7611") from None


def _values(warehouse: Warehouse, element: Catalogued, unit, periods: list[Period], query: ExportQuery,
            paths: list[str] | None) -> list[dict]:
    native = PeriodType(element.row.period_type)
    if periods:
        asked = [p for p in periods if p.type == native]
        keep = {p.id for p in asked}
    else:
        asked = _covering(native, query.start, query.end)
        keep = None
    rows: list[dict] = []
    for period in asked:
        try:
            found = warehouse.lineage(element.code, unit.code, period.id, scope_paths=paths, limit=MAX_ROWS).rows
        except (WarehouseError, ValueError):
            return []  # the warehouse has never seen this data element or org unit: nothing stored
        for row in found.to_pylist():
            if not query.children and row["org_unit"] != unit.code:
                continue
            if keep is not None and row["period"] not in keep:
                continue
            if keep is None and not _within(row["period"], query.start, query.end):
                continue
            rows.append(row | {"data_element": element.code})
    return rows


def _covering(native: PeriodType, start: date, end: date) -> list[Period]:
    """Few periods that together hold every ``native`` period between the dates (years where they nest)."""
    wide = PeriodType.YEARLY if PeriodType.YEARLY in coarser_types(native) else native
    return periods_between(start, end, wide)


def _within(period_id: str, start: date, end: date) -> bool:
    period = parse_period(period_id)
    return start <= period.start and period.end <= end


def _as_dhis2(resolver: Resolver, elements: list[Catalogued], rows: list[dict], query: ExportQuery) -> list[dict]:
    by_code = {e.code: e for e in elements}
    element_ids = resolver.catalogue_ids("data_element", [e.row for e in elements], query.data_element_scheme)
    units = resolver.org_units_by_code(r["org_unit"] for r in rows)
    unit_ids = resolver.org_unit_ids(units.values(), query.org_unit_scheme)
    combo_ids = resolver.combo_ids([TOTAL, *(r["disaggregation"] for r in rows)], query.combo_scheme)
    rows.sort(key=lambda r: (r["data_element"], units[r["org_unit"]].path, parse_period(r["period"]).start,
                             r["disaggregation"]))
    values = []
    for row in rows:
        stamp = row["stored_at"].isoformat(timespec="milliseconds") if row["stored_at"] else None
        values.append({
            "dataElement": element_ids[row["data_element"]], "period": row["period"],
            "orgUnit": unit_ids[row["org_unit"]], "categoryOptionCombo": combo_ids[row["disaggregation"]],
            "attributeOptionCombo": combo_ids[TOTAL],
            "value": _text(row["value"], by_code[row["data_element"]].row.value_type),
            "storedBy": row["batch_id"], "created": stamp, "lastUpdated": stamp, "followup": False,
        })
    return values


def _text(value: float, value_type: str) -> str:
    if value_type == "BOOLEAN":
        return "true" if value else "false"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def to_csv(values: list[dict]) -> str:
    """DHIS2's CSV of data values (header row, then one line per value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for v in values:
        writer.writerow([v["dataElement"], v["period"], v["orgUnit"], v["categoryOptionCombo"],
                         v["attributeOptionCombo"], v["value"], v["storedBy"], v["lastUpdated"] or "", "",
                         "false", "false"])
    return out.getvalue()
