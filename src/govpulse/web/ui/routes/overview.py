"""The overview's panels, each a fragment of its own (one analytics call each) that the overview page, the
video wall and an htmx refresh all load the same way:

    /overview/departments   every department as a tile: composite score, grade, RAG counts, change
    /overview/kpis          the headline KPIs: value, target, status, change and a 12-period sparkline
    /overview/flags         open red flags by severity, each a link into the inbox
    /overview/freshness     the sources that are late, stale or never delivered today

Each takes ``org_unit`` (default: the reader's top org unit) and ``period`` (default: last month).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from govpulse.analytics import scorecard as evaluation
from govpulse.analytics.flags import flag_counts
from govpulse.analytics.evaluation_models import KpiTile
from govpulse.catalog.models import OrgUnit
from govpulse.core.enums import Severity
from govpulse.ingest.freshness import FreshnessState, source_freshness
from govpulse.web.deps import SessionDep, WarehouseDep
from govpulse.web.ui import urls
from govpulse.web.ui.chart_specs import Line, trend_spec
from govpulse.web.ui.display import value_text
from govpulse.web.ui.pages import Reader, ReaderDep, answer, home_unit, render
from govpulse.web.ui.routes.sources import source_url

router = APIRouter(include_in_schema=False)

OrgUnitParam = Annotated[str | None, Query(max_length=64, description="Org unit (default: your top one).")]
LATE_STATES = (FreshnessState.STALE, FreshnessState.LATE, FreshnessState.MISSING)


def department_tiles(session, warehouse, reader: Reader, org_unit: str | None) -> dict:
    unit = answer(lambda: home_unit(session, reader.scope, org_unit))
    summaries = answer(lambda: evaluation.department_summaries(session, warehouse, reader.scope, org_unit=unit.code,
                                                               period=reader.period.id, today=reader.today))
    return {"summaries": summaries, "unit": unit, "reader": reader, "tile_url": _department_url(reader, unit.code)}


def _department_url(reader: Reader, org_unit: str):
    return lambda summary: urls.department(summary.department.code, org_unit=org_unit, period=reader.period.id)


def kpi_tiles(session, warehouse, reader: Reader, org_unit: str | None) -> dict:
    unit = answer(lambda: home_unit(session, reader.scope, org_unit))
    tiles = answer(lambda: evaluation.headline_kpis(session, warehouse, reader.scope, org_unit=unit.code,
                                                    period=reader.period.id, today=reader.today))
    return {"kpis": [_kpi_view(tile, reader) for tile in tiles], "unit": unit, "reader": reader,
            "data_as_of": max((t.cell.stored_at for t in tiles if t.cell.stored_at), default=None)}


def _kpi_view(tile: KpiTile, reader: Reader) -> dict:
    """A tile and its sparkline spec (values as analytics gave them; the labels in the reader's language)."""
    indicator, lang = tile.indicator, reader.lang
    values = [p.value for p in tile.sparkline]
    displays = [value_text(v, unit=indicator.unit, decimals=indicator.decimals, lang=lang) for v in values]
    spark = trend_spec([p.label for p in tile.sparkline], [Line(indicator.name, values, displays)],
                       target=tile.cell.target)
    spark["compact"] = True
    return {"tile": tile, "spark": spark,
            "url": urls.drilldown(indicator.code, tile.org_unit.code, period=tile.cell.period)}


def flag_panel(session, reader: Reader, unit: OrgUnit) -> dict:
    """Open flags under ``unit`` by severity, most urgent first, each with its link into the inbox."""
    counts = flag_counts(session, reader.scope, org_unit=unit.code)
    severities = sorted(Severity, key=lambda s: -s.rank)
    return {"flag_counts": [(s, counts.get(s.value, 0), urls.flags(org_unit=unit.code, severity=s.value))
                            for s in severities],
            "flags_total": sum(counts.values()), "flags_url": urls.flags(org_unit=unit.code)}


def freshness_panel(session, reader: Reader) -> dict:
    sources = source_freshness(session, datetime.now(UTC), reader.scope)
    late = [s for s in sources if s.state in LATE_STATES]
    late.sort(key=lambda s: (LATE_STATES.index(s.state), s.source))
    return {"sources_total": len(sources), "late_sources": late, "reader": reader, "source_url": source_url,
            "fresh_count": sum(1 for s in sources if s.state is FreshnessState.FRESH)}


@router.get("/overview/departments", response_class=HTMLResponse)
def departments_fragment(request: Request, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep,
                         org_unit: OrgUnitParam = None):
    """Every department the reader sees, as a tile (fragment)."""
    return render(request, "overview/_departments.html", department_tiles(session, warehouse, reader, org_unit))


@router.get("/overview/kpis", response_class=HTMLResponse)
def kpis_fragment(request: Request, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep,
                  org_unit: OrgUnitParam = None):
    """The headline KPIs (fragment)."""
    return render(request, "overview/_kpis.html", kpi_tiles(session, warehouse, reader, org_unit))


@router.get("/overview/flags", response_class=HTMLResponse)
def flags_fragment(request: Request, session: SessionDep, reader: ReaderDep, org_unit: OrgUnitParam = None):
    """Open red flags by severity (fragment)."""
    unit = answer(lambda: home_unit(session, reader.scope, org_unit))
    return render(request, "overview/_flags.html", {"reader": reader, **flag_panel(session, reader, unit)})


@router.get("/overview/freshness", response_class=HTMLResponse)
def freshness_fragment(request: Request, session: SessionDep, reader: ReaderDep):
    """Sources late, stale or never delivered (fragment)."""
    return render(request, "overview/_freshness.html", freshness_panel(session, reader))

