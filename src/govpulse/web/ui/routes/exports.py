"""``/export/{table}.csv`` and ``.xlsx``: any table of a page as a file.

Each exportable table is a name bound to a function that makes the same analytics call as the page, with the
page's own parameters, and the same table builder, so the file holds the numbers of the screen in the order
of the screen (``sort``/``order`` included). Adding a table to the exports is one entry in ``EXPORTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from govpulse.analytics import scorecard as evaluation
from govpulse.analytics import values
from govpulse.analytics.flags import list_flags
from govpulse.analytics.root_cause import explain_flag
from govpulse.catalog.repositories.paging import MAX_PAGE_SIZE, PageRequest
from govpulse.core.enums import Rag, Severity
from govpulse.warehouse import Warehouse
from govpulse.web.deps import SessionDep, WarehouseDep
from govpulse.web.ui import periods
from govpulse.web.ui.export_formats import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, to_csv, to_xlsx
from govpulse.web.ui.pages import PageProblem, Reader, ReaderDep, answer, home_unit
from govpulse.web.ui.routes.departments import sorted_scorecard
from govpulse.web.ui.routes.flags import flag_filter
from govpulse.web.ui.routes.drilldown import drill_ranking, drill_table
from govpulse.web.ui.routes.indicators import ranked
from govpulse.web.ui.table_builders import flags_table, ranking_table, root_cause_table, series_table
from govpulse.web.ui.tables import Table

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class ExportRequest:
    session: Session
    warehouse: Warehouse
    reader: Reader
    params: QueryParams

    def required(self, name: str) -> str:
        value = self.params.get(name)
        if not value:
            raise PageProblem(400, f"the {name!r} parameter is missing")
        return value


def _drilldown(ask: ExportRequest) -> Table:
    ranking = drill_ranking(ask.session, ask.warehouse, ask.reader, ask.required("indicator"),
                            ask.required("org_unit"))
    return drill_table(ranking, ask.reader, highlight=ask.params.getlist("highlight"),
                       sort=ask.params.get("sort"), order=ask.params.get("order"))


def _series(ask: ExportRequest) -> Table:
    ptype, first, last = periods.trend_window(ask.reader.period)
    series = answer(lambda: values.series(ask.session, ask.warehouse, ask.reader.scope,
                                          indicator=ask.required("indicator"), org_unit=ask.required("org_unit"),
                                          period_type=ptype, first=first, last=last))
    labels = {p.period.id: periods.period_label(p.period.id, ask.reader.lang) for p in series.points}
    return series_table(series, ask.reader.lang, labels)


def _scorecard(ask: ExportRequest) -> Table:
    unit = answer(lambda: home_unit(ask.session, ask.reader.scope, ask.params.get("org_unit")))
    card = answer(lambda: evaluation.scorecard(ask.session, ask.warehouse, ask.reader.scope, org_unit=unit.code,
                                               period=ask.reader.period.id, department=ask.required("department"),
                                               today=ask.reader.today))
    return sorted_scorecard(card, ask.reader, ask.params.get("sort"), ask.params.get("order"))


def _flags(ask: ExportRequest) -> Table:
    params = ask.params
    filters = flag_filter(params.get("department"), params.get("org_unit"), params.get("severity"),
                          params.get("age"), params.get("status"), datetime.now(UTC))
    # Every matching flag (up to a thousand), not just the page on screen.
    found = answer(lambda: list_flags(ask.session, ask.reader.scope, filters, PageRequest(page_size=MAX_PAGE_SIZE)))
    return flags_table(found.items, ask.reader.lang)


def _ranking(ask: ExportRequest) -> Table:
    unit = answer(lambda: home_unit(ask.session, ask.reader.scope, ask.params.get("org_unit")))
    found = answer(lambda: ranked(ask.session, ask.warehouse, ask.reader, ask.required("indicator"), unit.code))
    if found is None:
        raise PageProblem(400, "this indicator has no better direction, so its areas are not ranked")
    return ranking_table(found, ask.reader.lang)


def _root_cause(ask: ExportRequest) -> Table:
    flag, level = ask.required("flag"), ask.params.get("level") or "0"
    if not flag.isdigit() or not level.isdigit():
        raise PageProblem(400, "flag and level are numbers")
    cause = answer(lambda: explain_flag(ask.session, ask.warehouse, ask.reader.scope, int(flag)))
    if int(level) >= len(cause.levels):
        raise PageProblem(404, f"flag {flag} has {len(cause.levels)} levels of root cause")
    return root_cause_table(cause, cause.levels[int(level)], ask.reader.lang)


EXPORTS: dict[str, Callable[[ExportRequest], Table]] = {
    "root_cause": _root_cause,
    "ranking": _ranking,
    "flags": _flags,
    "drilldown": _drilldown,
    "series": _series,
    "scorecard": _scorecard,
}


def _filename(table: Table, ask: ExportRequest, fmt: str) -> str:
    parts = [table.name, ask.params.get("indicator"), ask.params.get("department"), ask.params.get("org_unit"),
             ask.reader.period.id]
    stem = "-".join(p for p in parts if p)
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem) + f".{fmt}"


@router.get("/export/{table}.{fmt}")
def export_table(request: Request, table: str, fmt: Literal["csv", "xlsx"], session: SessionDep,
                 warehouse: WarehouseDep, reader: ReaderDep) -> Response:
    """The table ``table`` of a page, for the page's parameters, as CSV or Excel."""
    build = EXPORTS.get(table)
    if build is None:
        raise PageProblem(404, f"no table {table!r} to export; tables: {', '.join(sorted(EXPORTS))}")
    ask = ExportRequest(session, warehouse, reader, request.query_params)
    result = build(ask)

    def words(status: Rag | Severity) -> str:
        return reader.text(f"{'status' if isinstance(status, Rag) else 'severity'}.{status.value}")

    if fmt == "csv":
        body, media_type = to_csv(result, words), CSV_MEDIA_TYPE
    else:
        body, media_type = to_xlsx(result, words, data_as_of_label=reader.text("time.data_as_of")), XLSX_MEDIA_TYPE
    disposition = f'attachment; filename="{_filename(result, ask, fmt)}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition,
                                                          "Cache-Control": "private, no-store"})
