"""``GET /api/analytics``: a DHIS2 analytics query answered from our warehouse, in DHIS2's response shape.

Values come from the warehouse's rolled-up reads, under the reader's scope (``analytics_query`` resolves the
request): a data element's value follows its aggregation type; an indicator is the ratio of the sums of its
numerator and denominator at each org unit and period, times its factor, never a mean of ratios. A filter with
several items (``filter=pe:202601;202602``) is added up, which is only meaningful for additive data (SUM and
COUNT data elements, and indicators made only of them); other data answer 409 for such a filter.

The answer: ``headers`` (the dimensions in request order, then ``value``; with ``includeNumDen=true`` also
numerator, denominator, factor, multiplier, divisor), ``rows`` of strings, ``metaData`` {items: {id: {name}},
dimensions: {dx, pe, ou, co}}, ``width``, ``height``, ``headerWidth``. Ids are written per ``outputIdScheme``
(UID by default: the DHIS2 UID where an object has one, else our code). Data element values are rounded to two
decimals and indicators to their own decimals, unless ``skipRounding=true``. Combinations without data have no
row, as in DHIS2.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.analytics.values import catalogue_constants, spec_of
from govpulse.catalog.models import DataElement
from govpulse.core.enums import AggregationType
from govpulse.core.scope import Scope
from govpulse.dhis2.analytics_query import AnalyticsParams, DataItem, ResolvedQuery, resolve_query
from govpulse.dhis2.errors import IllegalQuery
from govpulse.dhis2.ids import IdScheme
from govpulse.dhis2.resolve import Resolver
from govpulse.ingest.warehouse_sync import sync_dimensions
from govpulse.warehouse import Warehouse
from govpulse.warehouse.errors import UnknownCodes, UnsupportedQuery

__all__ = ["run_analytics"]

_ADDITIVE = {AggregationType.SUM.value, AggregationType.COUNT.value}
_TITLES = {"dx": "Data", "pe": "Period", "ou": "Organisation unit"}
_NUM_DEN = ("numerator", "denominator", "factor", "multiplier", "divisor")

Key = tuple[str, str, str]  # (data code, period id, org unit code)


def run_analytics(session: Session, warehouse: Warehouse, scope: Scope, params: AnalyticsParams,
                  today: date) -> dict:
    """The DHIS2 analytics response for ``params`` (see the module docstring)."""
    query = resolve_query(session, scope, params, today)
    if "dx" in query.filters and len(query.data) > 1:
        raise IllegalQuery("Only a single indicator or data element can be specified as filter", "E7108")
    _refuse_non_additive(session, query)
    cells: dict[Key, dict] = {}
    if not params.skip_data:
        for item in query.data:
            cells.update(_item_values(session, warehouse, scope, query, item, params.skip_rounding))
    return _response(Resolver(session), query, params, _collapse(query, cells, params.skip_rounding))


# --- values --------------------------------------------------------------------------------------------------


def _item_values(session: Session, warehouse: Warehouse, scope: Scope, query: ResolvedQuery, item: DataItem,
                 skip_rounding: bool) -> dict[Key, dict]:
    department = item.entry.department
    units = [u.code for u in query.units if scope.allows(path=u.path, department=department)]
    if not units or not query.periods:
        return {}
    paths = scope.paths_for_department(department)
    periods = [p.id for p in query.periods]

    def read():
        if item.kind == "indicator":
            spec = spec_of(item.entry.row, catalogue_constants(session))
            return warehouse.indicator_values([spec], periods, org_units=units,
                                              scope_paths=None if paths is None else list(paths))
        return warehouse.data_values([item.code], units, periods, scope_paths=None if paths is None else list(paths))

    try:
        try:
            table = read()
        except UnknownCodes:  # the warehouse has not been told of new org units or data elements yet
            sync_dimensions(session, warehouse)
            table = read()
    except UnsupportedQuery as error:
        raise IllegalQuery(str(error), "E7133") from None
    except UnknownCodes:
        return {}
    found = {}
    for row in table.to_pylist():
        if row["value"] is None and item.kind == "data_element":
            continue
        cell = {"value": row["value"], "numerator": row.get("numerator"), "denominator": row.get("denominator")}
        if item.kind == "indicator":
            cell["value"] = _ratio(row["numerator"], row["denominator"], item, skip_rounding)
            if cell["value"] is None:
                continue
        found[(item.code, row["period"], row["org_unit"])] = cell
    return found


def _ratio(numerator: float | None, denominator: float | None, item: DataItem, skip_rounding: bool) -> float | None:
    if numerator is None or denominator in (None, 0):
        return None
    value = numerator / denominator * item.entry.row.factor
    return value if skip_rounding else round(value, item.entry.row.decimals)


def _collapse(query: ResolvedQuery, cells: dict[Key, dict], skip_rounding: bool) -> dict[Key, dict]:
    """Add up the items of multi-item filters; the filtered dimension's key part becomes ""."""
    summed = [key for key, size in (("pe", len(query.periods)), ("ou", len(query.units)))
              if key in query.filters and size > 1]
    if not summed:
        return cells
    items = {item.code: item for item in query.data}
    out: dict[Key, dict] = defaultdict(lambda: {"value": 0.0, "numerator": 0.0, "denominator": 0.0})
    for (data, period, unit), cell in cells.items():
        key = (data, "" if "pe" in summed else period, "" if "ou" in summed else unit)
        total = out[key]
        for part in ("value", "numerator", "denominator"):
            total[part] = (total[part] or 0.0) + (cell[part] or 0.0)
    for key, total in out.items():
        item = items[key[0]]
        if item.kind == "indicator":
            total["value"] = _ratio(total["numerator"], total["denominator"], item, skip_rounding)
    return {key: total for key, total in out.items() if total["value"] is not None}


def _refuse_non_additive(session: Session, query: ResolvedQuery) -> None:
    """A multi-item filter adds values up: refuse it for data that do not add up (averages, last values...)."""
    if not any(key in query.filters and size > 1 for key, size in (("pe", len(query.periods)),
                                                                   ("ou", len(query.units)))):
        return
    for item in query.data:
        codes = [item.code] if item.kind == "data_element" else sorted(spec_of(item.entry.row).data_elements())
        types = dict(session.execute(select(DataElement.code, DataElement.aggregation_type)
                                     .where(DataElement.code.in_(codes))).all())
        odd = sorted(code for code, kind in types.items() if kind not in _ADDITIVE)
        if odd:
            raise IllegalQuery(f"a filter with several periods or org units adds values up, which `{item.code}` does "
                               f"not allow (data element {odd[0]} is {types[odd[0]]}); put that dimension in the "
                               "rows instead", "E7115")


# --- the answer ----------------------------------------------------------------------------------------------


def _header(name: str, column: str, number: bool = False) -> dict:
    return {"name": name, "column": column, "valueType": "NUMBER" if number else "TEXT",
            "type": "java.lang.Double" if number else "java.lang.String", "hidden": False, "meta": not number}


def _text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _response(resolver: Resolver, query: ResolvedQuery, params: AnalyticsParams, cells: dict[Key, dict]) -> dict:
    ids = _ids(resolver, query, params.output_scheme)
    headers = [_header(key, _TITLES[key]) for key in query.columns] + [_header("value", "Value", True)]
    if params.include_num_den:
        headers += [_header(name, name.capitalize(), True) for name in _NUM_DEN]
    order = {key: {code: i for i, code in enumerate(codes)} for key, codes in (
        ("dx", [i.code for i in query.data]), ("pe", [p.id for p in query.periods]),
        ("ou", [u.code for u in query.units]))}
    rows = []
    items = {item.code: item for item in query.data}
    for key in sorted(cells, key=lambda k: tuple(order[d].get(k[i], -1) for i, d in enumerate(("dx", "pe", "ou")))):
        cell = cells[key]
        parts = dict(zip(("dx", "pe", "ou"), key, strict=True))
        row = [ids[dim][parts[dim]] for dim in query.columns]
        row.append(_text(_rounded(cell["value"], items[key[0]], params.skip_rounding)))
        if params.include_num_den:
            row += _num_den(cell, items[key[0]])
        rows.append(row)
    answer = {"headers": headers, "rows": rows, "width": len(headers), "height": len(rows),
              "headerWidth": len(headers), "rowContext": {}}
    if not params.skip_meta:
        answer["metaData"] = _meta(query, ids)
    return answer


def _rounded(value: float, item: DataItem, skip_rounding: bool) -> float:
    return value if skip_rounding or item.kind == "indicator" else round(value, 2)


def _num_den(cell: dict, item: DataItem) -> list[str]:
    if item.kind != "indicator":
        return [""] * len(_NUM_DEN)
    return [_text(cell["numerator"]), _text(cell["denominator"]), _text(item.entry.row.factor),
            _text(item.entry.row.factor), "1"]


def _ids(resolver: Resolver, query: ResolvedQuery, scheme: IdScheme) -> dict[str, dict[str, str]]:
    """{dimension: {our code or period id: id written in the answer}}."""
    data = {}
    for kind in ("indicator", "data_element"):
        data.update(resolver.catalogue_ids(kind, [i.entry.row for i in query.data if i.kind == kind], scheme))
    periods = {p.id: (p.label if scheme is IdScheme.NAME else p.id) for p in query.periods}
    periods[""] = ""
    units = resolver.org_unit_ids(query.units, scheme)
    units[""] = ""
    return {"dx": data, "pe": periods, "ou": units}


def _meta(query: ResolvedQuery, ids: dict[str, dict[str, str]]) -> dict:
    items: dict[str, dict] = {key: {"name": title} for key, title in _TITLES.items()}
    for item in query.data:
        items[ids["dx"][item.code]] = {"name": item.entry.row.name}
    for period in query.periods:
        items[ids["pe"][period.id]] = {"name": period.label}
    for unit in query.units:
        items[ids["ou"][unit.code]] = {"name": unit.name}
    items.update({name: {"name": label} for name, label in query.relative.items()})
    return {
        "items": items,
        "dimensions": {"dx": [ids["dx"][i.code] for i in query.data], "pe": [ids["pe"][p.id] for p in query.periods],
                       "ou": [ids["ou"][u.code] for u in query.units], "co": []},
    }
