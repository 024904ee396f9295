"""The drill-down: an indicator at every child of an org unit (map and table), and the org unit's trend.

``/drill/{indicator}/{org_unit}`` is one step of the way from the state to a village (or a ward, or a
school); a child's row or map area links to the next step, and the breadcrumb goes back up. The page's
numbers (the tiles of the org unit itself, the map and the table of its children) are one analytics call,
``analytics.rankings.drilldown_ranking``: the ``Ranking`` that ``/api/v1/rankings`` returns, which a neutral
indicator also gets here (its children unranked). The trend is a fragment of its own (``.../trend``), the
map's shapes come from ``/maps``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from govpulse.analytics import flags as flag_reads
from govpulse.analytics import values
from govpulse.analytics.evaluation_models import Ranking
from govpulse.analytics.indicator_catalogue import load_indicators
from govpulse.analytics.models import Series
from govpulse.analytics.rankings import drilldown_ranking
from govpulse.analytics.targets import TargetBook
from govpulse.catalog.models import OrgUnit
from govpulse.catalog.repositories.indicators import DepartmentRepository, IndicatorRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.enums import Rag
from govpulse.web.deps import SessionDep, WarehouseDep
from govpulse.web.ui import periods, urls
from govpulse.web.ui.chart_specs import Line, Mark, map_spec, trend_spec
from govpulse.web.ui.display import value_text
from govpulse.web.ui.maps import children_map
from govpulse.web.ui.pages import Reader, ReaderDep, answer, render
from govpulse.web.ui.table_builders import drilldown_table, series_table, worst_first
from govpulse.web.ui.tables import Table

router = APIRouter(include_in_schema=False)

Highlight = Annotated[list[str], Query(max_length=200, description="Children to highlight (a flag's root cause).")]


def _name(thing, lang: str) -> str:
    return (thing.names or {}).get(lang) or thing.name


def drill_marks(ranking: Ranking, table: Table, reader: Reader) -> list[Mark]:
    """One map mark per child, with the table's values, statuses and links."""
    lang, indicator = reader.lang, ranking.indicator
    marks = []
    for row in table.rows:
        value = row.cells["value"]
        marks.append(Mark(key=row.key, label=row.cells["area"].value, value=value.value,
                          display=value_text(value.value, unit=indicator.unit, decimals=indicator.decimals,
                                             lang=lang),
                          status=value.status, url=row.cells["area"].url, highlight=row.highlight))
    return marks


def drill_ranking(session, warehouse, reader: Reader, indicator: str, org_unit: str) -> Ranking:
    """The drill-down's one analytics call: the org unit's own cell and its children, evaluated and ranked."""
    return answer(lambda: drilldown_ranking(session, warehouse, reader.scope, indicator=indicator,
                                            org_unit=org_unit, period=reader.period.id, today=reader.today))


def drill_table(ranking: Ranking, reader: Reader, *, highlight: list[str], sort: str | None,
                order: str | None) -> Table:
    table = drilldown_table(ranking, reader.lang, highlight=set(highlight))
    return table.sorted_by(sort or "value", order or worst_first(ranking.indicator))


def drill_context(session, ranking: Ranking, area: OrgUnit | None, reader: Reader, *, highlight: list[str],
                  sort: str | None, order: str | None, flag: int | None) -> dict:
    """Everything the drill-down templates show, taken from ``ranking`` as it is; ``area`` is the org unit
    itself (for the breadcrumb and the map's missing children)."""
    indicator, parent, period = ranking.indicator, ranking.org_unit, ranking.period.id
    table = drill_table(ranking, reader, highlight=highlight, sort=sort, order=order)
    marks = drill_marks(ranking, table, reader)
    return {
        "reader": reader, "ranking": ranking, "parent_cell": ranking.parent, "table": table,
        "nav_current": "overview", "status_counts": _status_counts(table),
        "indicator_name": _name(indicator, reader.lang), "parent_name": _name(parent, reader.lang),
        # The kind the headings name ("Talukas of Surat"): the first child's in name order, as the catalogue
        # lists them (a district's ULBs come among its talukas).
        "child_kind": min(ranking.rows, key=lambda r: r.org_unit.name).org_unit.kind if ranking.rows else None,
        "breadcrumb": breadcrumb(session, reader, area, lambda unit: urls.drilldown(indicator.code, unit.code,
                                                                                    period=period)),
        "highlight": highlight, "flag_id": flag,
        "map_spec": map_spec(parent.code, marks, geojson_url=urls.map_layer(parent.code)) if marks else None,
        "data_as_of": (ranking.parent.stored_at if ranking.parent else None) or table.data_as_of,
        "period_choices": periods.period_choices(reader.today, reader.period.id, reader.lang),  # as asked
        "export_params": {"indicator": indicator.code, "org_unit": parent.code, "period": period,
                          "highlight": highlight or None, "sort": table.sort, "order": table.order},
        "sort_url": lambda key, direction: urls.drilldown(indicator.code, parent.code, period=period,
                                                          highlight=highlight, sort=key, order=direction, flag=flag),
    }


def breadcrumb(session, reader: Reader, area: OrgUnit | None, url_of) -> list[dict]:
    """From the reader's top org unit down to ``area``, each step linking to ``url_of(unit)``."""
    if area is None:
        return []
    line = [u for u in OrgUnitRepository(session).ancestors(area) if reader.scope.allows_path(u.path)]
    return [{"label": _name(unit, reader.lang), "url": url_of(unit)} for unit in line]


def _status_counts(table: Table) -> list[tuple[Rag, int]]:
    """How many children the map shows in each status, for its legend (statuses as ranked, counted)."""
    found = [row.cells["value"].status for row in table.rows if row.cells["value"].status is not None]
    return [(rag, found.count(rag)) for rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.STALE, Rag.NO_DATA)
            if found.count(rag)]


def not_on_map(session, reader: Reader, ranking: Ranking, area: OrgUnit | None) -> list[str]:
    """Names of the children the map cannot draw (no boundary, no map point), which the page names below it."""
    if not ranking.rows or area is None:
        return []
    layer = children_map(area, OrgUnitRepository(session).children(area.code, reader.scope))
    names = {row.org_unit.code: _name(row.org_unit, reader.lang) for row in ranking.rows}
    return [names[code] for code in layer.missing if code in names]


def indicator_choices(session, reader: Reader) -> list[tuple[str, list[tuple[str, str]]]]:
    """The indicator picker: (department name, [(code, name)]) for every indicator the reader may see."""
    departments = {d.id: (d.names or {}).get(reader.lang) or d.name for d in DepartmentRepository(session).list(reader.scope)}
    grouped: dict[str, list[tuple[str, str]]] = {}
    for row in IndicatorRepository(session).all(reader.scope):
        grouped.setdefault(departments.get(row.department_id, ""), []).append(
            (row.code, (row.names or {}).get(reader.lang) or row.name))
    return sorted((name, sorted(items, key=lambda item: item[1].casefold())) for name, items in grouped.items())


@router.get("/drill", response_class=RedirectResponse)
def drill_form(indicator: Annotated[str, Query(max_length=128)], org_unit: Annotated[str, Query(max_length=64)],
               period: Annotated[str | None, Query(max_length=32)] = None):
    """The indicator and area pickers post here (GET); the answer is the drill-down's own address."""
    return RedirectResponse(urls.drilldown(indicator, org_unit, period=period), status_code=303)


@router.get("/drill/{indicator}/{org_unit}", response_class=HTMLResponse)
def drilldown_page(request: Request, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep,
                   indicator: str, org_unit: str, highlight: Highlight = [],  # noqa: B006 (FastAPI copies it)
                   sort: Annotated[str | None, Query(max_length=32)] = None,
                   order: Annotated[str | None, Query(pattern="^(asc|desc)$")] = None,
                   flag: Annotated[int | None, Query(ge=1)] = None):
    """The indicator at ``org_unit`` and each of its children for the period (``?period=``, default last
    month); ``highlight`` marks children, ``sort``/``order`` order the table (htmx asks for just the table)."""
    ranking = drill_ranking(session, warehouse, reader, indicator, org_unit)
    area = OrgUnitRepository(session).get(ranking.org_unit.code, reader.scope)
    context = drill_context(session, ranking, area, reader, highlight=highlight, sort=sort, order=order, flag=flag)
    # The flag that led here, for its banner (one that is gone or out of scope simply shows no banner).
    context["flag"] = flag_reads.get_flag(session, reader.scope, flag) if flag else None
    context["indicator_choices"] = indicator_choices(session, reader)
    context["not_on_map"] = not_on_map(session, reader, ranking, area)
    return render(request, "drill/page.html", context, fragments={"drill-table": "drill/_table.html"})


@router.get("/drill/{indicator}/{org_unit}/trend", response_class=HTMLResponse)
def drilldown_trend(request: Request, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep,
                    indicator: str, org_unit: str):
    """The trend of the indicator at ``org_unit`` up to the period: a fragment for htmx, a page otherwise."""
    ptype, first, last = periods.trend_window(reader.period)
    series = answer(lambda: values.series(session, warehouse, reader.scope, indicator=indicator,
                                          org_unit=org_unit, period_type=ptype, first=first, last=last))
    target = target_at(session, reader, indicator, org_unit)
    return render(request, "drill/trend_page.html", trend_context(series, reader, target),
                  fragments={"*": "drill/_trend.html"})


def target_at(session, reader: Reader, indicator: str, org_unit: str) -> float | None:
    """The target that applies to ``indicator`` at ``org_unit`` in the chosen period, as evaluation resolves it
    (``analytics.targets.TargetBook``), for the trend's target line; None when none is set."""
    found = load_indicators(session, reader.scope, codes=[indicator])
    if not found:
        return None
    target = TargetBook.load(session, found).resolve(indicator, org_unit, reader.period)
    return None if target is None else target.value


def trend_context(series: Series, reader: Reader, target: float | None = None) -> dict:
    lang, indicator = reader.lang, series.indicator
    labels = {p.period.id: periods.period_label(p.period.id, lang) for p in series.points}
    values_ = [p.value.value if p.value else None for p in series.points]
    displays = [value_text(v, unit=indicator.unit, decimals=indicator.decimals, lang=lang) for v in values_]
    target_label = "" if target is None else (
        f"{reader.text('measure.target')} "
        f"{value_text(target, unit=indicator.unit, decimals=indicator.decimals, lang=lang)}")
    spec = trend_spec([labels[p.period.id] for p in series.points],
                      [Line(_name(series.org_unit, lang), values_, displays)], target=target,
                      target_label=target_label)
    return {"reader": reader, "series": series, "trend_spec": spec, "trend_table": series_table(series, lang, labels),
            "indicator_name": _name(indicator, lang), "unit_name": _name(series.org_unit, lang),
            "period": reader.period.id}
