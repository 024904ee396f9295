"""Indicator values at any level: for org units and periods, the drill-down to children, and time series.

Every function takes the reader's ``Scope``: an indicator of a department the reader does not see, or an org
unit outside their subtrees, is ``NotFound`` (answered 404), exactly as if it did not exist. The warehouse gets
the subtrees in which the reader sees that indicator's department, so a Secretary who is also a Collector sees
her own department everywhere and the others only in her district.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.analytics.models import (
    ChildValue,
    Drilldown,
    IndicatorRef,
    IndicatorValue,
    OrgUnitRef,
    PeriodRef,
    Series,
    SeriesPoint,
    ValuesResult,
)
from govpulse.catalog.models import Constant, Indicator, OrgUnit
from govpulse.catalog.repositories.indicators import DepartmentRepository, IndicatorRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.expressions import parse_expression
from govpulse.core.indicators import IndicatorSpec
from govpulse.core.periods import InvalidPeriod, Period, PeriodType, parse_period, periods_between
from govpulse.core.scope import Scope
from govpulse.warehouse import Warehouse

MAX_SERIES_PERIODS = 800


class NotFound(LookupError):
    """Absent, or outside the reader's scope (the two look the same from outside)."""


class InvalidQuery(ValueError):
    """A query that cannot be answered as asked (bad period, too long a series...)."""


# --- building blocks ---------------------------------------------------------------------------------------


def indicator_ref(row: Indicator, department: str) -> IndicatorRef:
    return IndicatorRef(code=row.code, name=row.name, names=row.names or {}, department=department, unit=row.unit,
                        decimals=row.decimals, factor=row.factor, polarity=row.polarity)


def org_unit_ref(row: OrgUnit) -> OrgUnitRef:
    return OrgUnitRef(code=row.code, name=row.name, names=row.names or {}, kind=row.kind, level=row.level,
                      path=row.path)


def period_ref(period: Period) -> PeriodRef:
    return PeriodRef(id=period.id, label=period.label, type=period.type.value, start=period.start, end=period.end)


def spec_of(row: Indicator, constants: dict[str, float] | None = None) -> IndicatorSpec:
    """The warehouse's spec of an indicator; pass the catalogue's constants when the expressions use ``C{}``."""
    return IndicatorSpec(row.code, parse_expression(row.numerator), parse_expression(row.denominator),
                         row.factor, row.decimals, constants or {})


def catalogue_constants(session: Session) -> dict[str, float]:
    """The ``C{code}`` constants expressions may use."""
    return dict(session.execute(select(Constant.code, Constant.value)).all())


def parse_periods(ids: Sequence[str]) -> list[Period]:
    try:
        return [parse_period(text) for text in ids]
    except InvalidPeriod as error:
        raise InvalidQuery(str(error)) from None


def resolve_indicators(session: Session, codes: Sequence[str], scope: Scope) -> list[tuple[Indicator, str]]:
    """Indicators by code with their department code; NotFound names the first one missing or out of scope."""
    repo, departments = IndicatorRepository(session), DepartmentRepository(session).codes_by_id()
    found = []
    for code in codes:
        row = repo.get(code, scope)
        if row is None:
            raise NotFound(f"no indicator with code {code!r}")
        found.append((row, departments[row.department_id]))
    return found


def resolve_org_unit(session: Session, code: str, scope: Scope) -> OrgUnit:
    unit = OrgUnitRepository(session).get(code, scope)
    if unit is None:
        raise NotFound(f"no org unit with code {code!r}")
    return unit


def visible_paths(scope: Scope, department: str) -> list[str] | None:
    paths = scope.paths_for_department(department)
    return None if paths is None else list(paths)


def _require_visible(scope: Scope, unit: OrgUnit, department: str, indicator: str) -> None:
    if not scope.allows(path=unit.path, department=department):
        raise NotFound(f"no indicator with code {indicator!r} at org unit {unit.code!r}")


def _value(row: dict) -> IndicatorValue:
    reporting = row.get("reporting") or 0  # a child expected to report with no reporting row: none reported
    coverage = 100.0 * reporting / row["expected"] if row.get("expected") else None
    return IndicatorValue(
        indicator=row["indicator"], org_unit=row["org_unit"], period=row["period"], value=row["value"],
        numerator=row["numerator"], denominator=row["denominator"], reporting=reporting,
        expected=row["expected"] or 0, coverage=None if coverage is None else round(coverage, 1),
        stored_at=row["stored_at"],
    )


def _rows(table: pa.Table) -> dict[tuple[str, str, str], IndicatorValue]:
    return {(r["indicator"], r["org_unit"], r["period"]): _value(r) for r in table.to_pylist()}


def _describe(indicators: Sequence[IndicatorRef], units: Sequence[OrgUnitRef], periods: Sequence[PeriodRef]) -> str:
    def names(items, attribute, limit=3):
        shown = [getattr(item, attribute) for item in items[:limit]]
        more = len(items) - limit
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")

    where = names([u for u in units], "name") if units else "no org unit"
    return f"{names(indicators, 'name')}; {where}; {names(periods, 'label')}"


# --- queries ------------------------------------------------------------------------------------------------


def indicator_values(session: Session, warehouse: Warehouse, scope: Scope, *, indicators: Sequence[str],
                     org_units: Sequence[str], periods: Sequence[str]) -> ValuesResult:
    """Each indicator at each org unit for each period (combinations without data are left out)."""
    chosen = resolve_indicators(session, indicators, scope)
    units = [resolve_org_unit(session, code, scope) for code in org_units]
    parsed = parse_periods(periods)
    values: dict = {}
    constants = catalogue_constants(session)
    for row, department in chosen:
        visible = [u for u in units if scope.allows(path=u.path, department=department)]
        if not visible:
            continue
        table = warehouse.indicator_values([spec_of(row, constants)], [p.id for p in parsed], org_units=[u.code for u in visible],
                                           scope_paths=visible_paths(scope, department))
        values.update(_rows(table))
    refs = [indicator_ref(row, department) for row, department in chosen]
    unit_refs, period_refs = [org_unit_ref(u) for u in units], [period_ref(p) for p in parsed]
    ordered = [values[key] for key in ((i.code, u.code, p.id) for i in refs for u in unit_refs for p in period_refs)
               if key in values]
    return ValuesResult(description=_describe(refs, unit_refs, period_refs), indicators=refs, org_units=unit_refs,
                        periods=period_refs, values=ordered)


def drilldown(session: Session, warehouse: Warehouse, scope: Scope, *, indicator: str, org_unit: str,
              period: str) -> Drilldown:
    """The indicator at ``org_unit`` and at each of its children (all children in scope, with or without data)."""
    [(row, department)] = resolve_indicators(session, [indicator], scope)
    parent = resolve_org_unit(session, org_unit, scope)
    _require_visible(scope, parent, department, indicator)
    [parsed] = parse_periods([period])
    org_units = OrgUnitRepository(session)
    children = [c for c in org_units.children(parent.code, scope) if scope.allows(path=c.path, department=department)]
    spec, paths = spec_of(row, catalogue_constants(session)), visible_paths(scope, department)
    own = _rows(warehouse.indicator_values([spec], [parsed.id], org_units=[parent.code], scope_paths=paths))
    below = _rows(warehouse.indicator_values([spec], [parsed.id], parent_org_unit=parent.code, scope_paths=paths))
    ref, parent_ref = indicator_ref(row, department), org_unit_ref(parent)
    breadcrumb = [org_unit_ref(u) for u in org_units.ancestors(parent) if scope.allows_path(u.path)]
    return Drilldown(
        description=_describe([ref], [parent_ref], [period_ref(parsed)]),
        indicator=ref, period=period_ref(parsed), parent=parent_ref, breadcrumb=breadcrumb,
        parent_value=own.get((row.code, parent.code, parsed.id)),
        children=[ChildValue(org_unit=org_unit_ref(c), value=below.get((row.code, c.code, parsed.id)))
                  for c in children],
    )


def series(session: Session, warehouse: Warehouse, scope: Scope, *, indicator: str, org_unit: str,
           period_type: PeriodType | str, first: date, last: date) -> Series:
    """The indicator at ``org_unit`` for every ``period_type`` period overlapping ``first``..``last``."""
    [(row, department)] = resolve_indicators(session, [indicator], scope)
    unit = resolve_org_unit(session, org_unit, scope)
    _require_visible(scope, unit, department, indicator)
    try:
        ptype = PeriodType(period_type)
    except ValueError:
        raise InvalidQuery(f"unknown period type {period_type!r}; use one of "
                           f"{', '.join(t.value for t in PeriodType)}") from None
    if last < first:
        raise InvalidQuery(f"the series ends ({last}) before it starts ({first})")
    periods = periods_between(first, last, ptype)
    if len(periods) > MAX_SERIES_PERIODS:
        raise InvalidQuery(f"{len(periods)} periods asked; at most {MAX_SERIES_PERIODS} in one series")
    spec = spec_of(row, catalogue_constants(session))
    table = warehouse.indicator_values([spec], [p.id for p in periods], org_units=[unit.code],
                                       scope_paths=visible_paths(scope, department))
    found = _rows(table)
    ref, unit_ref = indicator_ref(row, department), org_unit_ref(unit)
    refs = [period_ref(p) for p in periods]
    return Series(
        description=f"{ref.name}; {unit_ref.name}; {refs[0].label} to {refs[-1].label}" if refs else ref.name,
        indicator=ref, org_unit=unit_ref, period_type=ptype.value,
        points=[SeriesPoint(period=p, value=found.get((row.code, unit.code, p.id))) for p in refs],
    )
