"""Pages for data sources: which sources deliver, whether on time, their batches and the rows they rejected.

``/sources`` lists every source the reader may see, worst first (stale, never delivered, late, then the rest),
with its schedule in words, its freshness against its promise, its last delivery and run, the rows waiting in
quarantine and a strip of its deliveries over the last two weeks; ``/sources.csv`` and ``.xlsx`` are the same
list as files. ``/sources/{code}`` shows one source: its definition (secrets masked), its deliveries per day,
its latest batches and the rejected rows of the reader's own area; ``/sources/{code}/batches/{key}`` one batch.

The pages read through the same functions as ``/api/v1/sources`` and with the same scope: ``list_sources`` /
``get_source`` for the sources (out of scope answers 404), ``source_freshness``, ``batch_store.rejected_rows``
for rejected rows (a reader sees those of their own subtree), ``redact_secrets`` for the definition. Counts of
rows are facts about the source and are not scoped, as in the API.

``POST /sources/{code}/replay`` (session's CSRF token; ``manage-sources`` on the source's department, checked as
the API's replay does) runs every pending rejected row of the source again with ``replay_quarantine`` and goes
back to the source's page (303), which says what the replay did.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from govpulse.catalog.models import Batch, Source, SourceRun
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.indicators import DepartmentRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core import formatting
from govpulse.core.access import MANAGE_SOURCES
from govpulse.core.enums import Rag
from govpulse.core.scope import PermissionDenied, Scope
from govpulse.ingest import batch_store
from govpulse.ingest.batches import ALREADY_LOADED, FAILED, NOTHING_TO_REPLAY, SUCCEEDED, IngestError, IngestStores
from govpulse.ingest.batches import replay_quarantine
from govpulse.ingest.freshness import FreshnessState, SourceFreshness, source_freshness
from govpulse.ingest.sources import definition_of, get_source, list_sources
from govpulse.warehouse.errors import WarehouseError
from govpulse.web.api.routes.sources import redact_secrets
from govpulse.web.deps import SessionDep, WarehouseDep
from govpulse.web.ui import urls
from govpulse.web.ui.chart_specs import TREND_COLOUR
from govpulse.web.ui.export_formats import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, to_csv, to_xlsx
from govpulse.web.ui.i18n import translate
from govpulse.web.ui.pages import PageProblem, Reader, ReaderDep, render
from govpulse.web.ui.tables import Cell, Column, Row, Table

router = APIRouter(include_in_schema=False)

DAYS = 14
"""Days of deliveries drawn on the pages (today included)."""
BATCHES_SHOWN = 20
ROWS_SHOWN = 200
"""Pending rejected rows listed on a source's page (a batch's page lists up to BATCH_ROWS_SHOWN)."""
BATCH_ROWS_SHOWN = 1000

WORST_FIRST = (FreshnessState.STALE, FreshnessState.MISSING, FreshnessState.LATE, FreshnessState.NOT_PROMISED,
               FreshnessState.FRESH)
# Each state drawn as the status of the same colour (FreshnessState's colours are Rag's), so its badge has the
# status's symbol too and never relies on colour alone.
LOOKS = {FreshnessState.FRESH: Rag.GREEN, FreshnessState.LATE: Rag.AMBER, FreshnessState.STALE: Rag.RED,
         FreshnessState.MISSING: Rag.NO_DATA, FreshnessState.NOT_PROMISED: Rag.STALE}
STATE_KEYS = {FreshnessState.FRESH: "sources_page.fresh", FreshnessState.LATE: "freshness.late",
              FreshnessState.STALE: "freshness.stale", FreshnessState.MISSING: "freshness.missing",
              FreshnessState.NOT_PROMISED: "sources_page.not_promised"}
# Outcomes of runs and batches (``SourceRun.last_outcome``, ``Batch.status``, a replay's report), with a symbol.
OUTCOMES = {SUCCEEDED: ("✔", "sources_page.succeeded"), FAILED: ("✘", "sources_page.failed"),
            "running": ("…", "sources_page.running"), "no new data": ("–", "sources_page.no_new_data"),
            ALREADY_LOADED: ("=", "sources_page.already_loaded"),
            NOTHING_TO_REPLAY: ("–", "sources_page.nothing_to_replay")}
WEEKDAY_NAMES = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}


# --- links (the lead may move these to ui/urls.py) ------------------------------------------------------------


def sources_url() -> str:
    return "/sources"


def source_url(code: str, **params: str | None) -> str:
    return urls.with_query(f"/sources/{quote(code, safe='')}", params)


def batch_url(code: str, key: str) -> str:
    return f"/sources/{quote(code, safe='')}/batches/{quote(key, safe='')}"


def replay_url(code: str) -> str:
    return f"/sources/{quote(code, safe='')}/replay"


def export_url(fmt: str) -> str:
    return f"/sources.{fmt}"


# --- words ----------------------------------------------------------------------------------------------------


def schedule_words(cron: str | None, lang: str, zone: str = "", home_zone: str = "") -> str:
    """A cron schedule as a person says it ("daily at 07:15", "every Mon, Thu at 06:00"); one it cannot say
    simply is shown as it is. The source's time zone is named when it is not the installation's."""
    t = lambda key, **params: translate(lang, f"sources_page.{key}", **params)  # noqa: E731
    if not cron:
        return t("no_schedule")
    words = _cron_words(cron.split(), t, lang) or t("cron", cron=cron)
    return f"{words} ({zone})" if zone and home_zone and zone != home_zone else words


def _cron_words(fields: list[str], t, lang: str) -> str | None:
    if len(fields) != 5 or fields[3] != "*":
        return None
    minute, hour, day, _, weekday = fields
    if minute.isdigit() and hour.isdigit() and int(minute) < 60 and int(hour) < 24:
        at = formatting.format_time(time(int(hour), int(minute)), lang)
        if day == "*" and weekday == "*":
            return t("daily", time=at)
        if day == "*" and (days := _weekdays(weekday)):
            names = translate(lang, "sources_page.weekdays").split()
            return t("weekly", days=", ".join(names[d] for d in days), time=at)
        if day.isdigit() and weekday == "*":
            return t("monthly", day=day, time=at)
    if day == weekday == "*" and hour == "*":
        if minute.isdigit():
            return t("hourly", minute=minute)
        if minute.startswith("*/") and minute[2:].isdigit():
            return t("every_minutes", n=minute[2:])
    return None


def _weekdays(field: str) -> list[int]:
    """Cron weekdays (``1``, ``1-5``, ``mon,thu``; 0 and 7 are Sunday) as 0..6 from Sunday; [] if not simple."""
    days: set[int] = set()
    for part in field.lower().split(","):
        ends = [WEEKDAY_NAMES.get(end, int(end) % 7 if end.isdigit() else None) for end in part.split("-")]
        if None in ends or len(ends) > 2:
            return []
        days.update(range(ends[0], ends[-1] + 1) if ends[0] <= ends[-1] else ())
    return sorted(days)


def late_words(late_by: timedelta | None, lang: str) -> str:
    """How late, in the largest whole unit that fits: "40 minutes", "5 hours", "3 days"."""
    if late_by is None:
        return ""
    minutes = max(0, int(late_by.total_seconds() // 60))
    if minutes < 60:
        return translate(lang, "sources_page.minutes", n=minutes)
    if minutes < 48 * 60:
        return translate(lang, "sources_page.hours", n=minutes // 60)
    return translate(lang, "sources_page.days", n=minutes // (24 * 60))


def outcome_words(outcome: str, lang: str) -> tuple[str, str]:
    """(symbol, words) of a run's or batch's outcome; an outcome without words shows as it is."""
    symbol, key = OUTCOMES.get(outcome, ("", ""))
    return symbol, translate(lang, key) if key else outcome


# --- what the pages show --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    day: date
    rows: int
    """Rows read by the source's successful batches that finished that day (installation's wall clock)."""
    batches: int


@dataclass(frozen=True)
class SourceLine:
    """One source with everything its row shows: the facts ``GET /api/v1/sources`` gives, as objects."""

    source: Source
    department_code: str | None
    department_name: str
    freshness: SourceFreshness
    run: SourceRun | None
    pending: int
    days: tuple[DayCount, ...]
    schedule: str
    late: str

    @property
    def look(self) -> Rag:
        return LOOKS[self.freshness.state]

    @property
    def state_key(self) -> str:
        return STATE_KEYS[self.freshness.state]

    @property
    def days_delivered(self) -> int:
        return sum(1 for d in self.days if d.rows)


def deliveries(session, source_ids: list[int], today: date, zone: str, days: int = DAYS) -> dict[int, list[DayCount]]:
    """Rows delivered per day, oldest first, over the ``days`` days up to ``today``: deliveries as freshness
    counts them (successful batches that read at least one row), by the day they finished."""
    local = ZoneInfo(zone)
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(), local).astimezone(UTC)
    stmt = select(Batch.source_id, Batch.finished_at, Batch.rows_read).where(
        Batch.source_id.in_(source_ids), Batch.status == SUCCEEDED, Batch.rows_read > 0, Batch.finished_at >= since)
    rows: dict[tuple[int, date], int] = defaultdict(int)
    batches: dict[tuple[int, date], int] = defaultdict(int)
    for source_id, finished, read in session.execute(stmt):
        moment = finished if finished.tzinfo else finished.replace(tzinfo=UTC)
        key = (source_id, moment.astimezone(local).date())
        rows[key] += read
        batches[key] += 1
    span = [first + timedelta(days=n) for n in range(days)]
    return {sid: [DayCount(d, rows.get((sid, d), 0), batches.get((sid, d), 0)) for d in span] for sid in source_ids}


def source_lines(session, reader: Reader, zone: str, codes: list[str] | None = None) -> list[SourceLine]:
    """The sources the reader may see (or those of ``codes`` among them), worst first, then the latest."""
    scope = reader.scope
    found = list_sources(session, scope)
    if codes is not None:
        found = [(s, d) for s, d in found if s.code in codes]
    fresh = {f.source: f for f in source_freshness(session, utcnow(), scope, codes=[s.code for s, _ in found])}
    names = {d.code: (d.names or {}).get(reader.lang) or d.name for d in DepartmentRepository(session).list(scope)}
    runs = {r.source_id: r for r in session.scalars(select(SourceRun).where(
        SourceRun.source_id.in_([s.id for s, _ in found])))}
    days = deliveries(session, [s.id for s, _ in found], reader.today, zone)
    lines = [SourceLine(source=s, department_code=d, department_name=names.get(d or "", d or ""),
                        freshness=fresh[s.code], run=runs.get(s.id), pending=batch_store.pending_count(session, s),
                        days=tuple(days[s.id]), schedule=schedule_words(s.schedule, reader.lang, s.timezone, zone),
                        late=late_words(fresh[s.code].late_by, reader.lang))
             for s, d in found]
    return sorted(lines, key=_worst_first)


def _worst_first(line: SourceLine) -> tuple:
    late = line.freshness.late_by or timedelta(0)
    return WORST_FIRST.index(line.freshness.state), -late.total_seconds(), line.source.code


def sources_table(lines: list[SourceLine], lang: str, zone: str) -> Table:
    """The list as a ``Table`` for the CSV and Excel files (the page shows the same lines)."""
    t = lambda key: translate(lang, key)  # noqa: E731
    columns = (Column("code", t("common.code"), "code"), Column("name", t("common.name")),
               Column("department", t("measure.department")), Column("connector", t("sources_page.connector"), "code"),
               Column("schedule", t("sources_page.schedule")), Column("freshness", t("sources_page.freshness")),
               Column("promise", t("sources_page.promise")), Column("last_delivery", t("sources_page.last_delivery"),
                                                                    "datetime"),
               Column("late_by", t("sources_page.late_by"), "value", decimals=1, unit="h"),
               Column("last_run", t("sources_page.last_run")), Column("error", t("sources_page.error")),
               Column("pending", t("sources_page.pending"), "count"))
    local = ZoneInfo(zone)
    rows = []
    for line in lines:
        f, run = line.freshness, line.run
        cells = {"code": line.source.code, "name": line.source.name, "department": line.department_name,
                 "connector": line.source.connector, "schedule": line.schedule, "freshness": t(line.state_key),
                 "promise": f.promise, "last_delivery": f.last_delivery_at and f.last_delivery_at.astimezone(local),
                 "late_by": None if f.late_by is None else round(f.late_by.total_seconds() / 3600, 1),
                 "last_run": outcome_words(run.last_outcome, lang)[1] if run and run.last_outcome else None,
                 "error": run.last_error if run and run.last_error else None, "pending": line.pending}
        rows.append(Row({key: Cell(value) for key, value in cells.items()}, key=line.source.code))
    return Table(name="sources", title=t("sources_page.title"), description=t("sources_page.lede"),
                 columns=columns, rows=tuple(rows), data_as_of=utcnow())


def deliveries_spec(days: tuple[DayCount, ...], lang: str) -> dict:
    """The source's rows delivered per day as a ``bar`` chart spec (a day without a delivery is an empty bar)."""
    show = lambda n: formatting.format_indian(n, lang=lang)  # noqa: E731
    return {"categories": [formatting.format_date(d.day, lang, style="short") for d in days],
            "series": [{"name": translate(lang, "sources_page.rows_read"), "values": [d.rows for d in days],
                        "displays": [show(d.rows) for d in days], "colour": TREND_COLOUR}]}


# --- pages ----------------------------------------------------------------------------------------------------


def _zone(request: Request) -> str:
    return request.app.state.settings.timezone


def _crumbs(reader: Reader, *more: tuple[str, str]) -> list[dict]:
    pairs = [(reader.text("nav.home"), urls.overview()), (reader.text("sources_page.title"), sources_url()), *more]
    return [{"label": label, "url": url} for label, url in pairs]


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, session: SessionDep, reader: ReaderDep):
    """Every source the reader may see, worst first."""
    lines = source_lines(session, reader, _zone(request))
    context = {"reader": reader, "nav_current": "sources", "lines": lines, "days": DAYS,
               "outcome": lambda value: outcome_words(value, reader.lang), "source_url": source_url,
               "export_url": export_url, "breadcrumb": _crumbs(reader)}
    return render(request, "sources/list.html", context)


@router.get("/sources.{fmt}")
def sources_file(request: Request, fmt: Literal["csv", "xlsx"], session: SessionDep, reader: ReaderDep) -> Response:
    """The list of sources as CSV or Excel, in the page's order and words."""
    table = sources_table(source_lines(session, reader, _zone(request)), reader.lang, _zone(request))
    words = lambda status: reader.text(f"status.{status.value}")  # noqa: E731 (the table holds no statuses)
    if fmt == "csv":
        body, media_type = to_csv(table, words), CSV_MEDIA_TYPE
    else:
        body, media_type = to_xlsx(table, words, data_as_of_label=reader.text("time.data_as_of")), XLSX_MEDIA_TYPE
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="sources.{fmt}"', "Cache-Control": "private, no-store"})


def _visible(session, code: str, scope: Scope) -> tuple[Source, str | None]:
    found = get_source(session, code, scope)
    if found is None:
        raise PageProblem(404, f"no source with code {code!r}")
    return found


ReplayOutcome = Annotated[str | None, Query(max_length=32)]
BatchKey = Annotated[str | None, Query(max_length=128)]


@router.get("/sources/{code}", response_class=HTMLResponse)
def source_page(request: Request, code: str, session: SessionDep, reader: ReaderDep, replay: ReplayOutcome = None,
                batch: BatchKey = None):
    """One source: definition, deliveries, latest batches, the reader's pending rejected rows, and the replay."""
    source, department = _visible(session, code, reader.scope)
    (line,) = source_lines(session, reader, _zone(request), codes=[code])
    definition = redact_secrets(definition_of(source, department).model_dump(mode="json", exclude_defaults=True))
    rejected = batch_store.rejected_rows(session, reader.scope, source=source, pending=True, limit=ROWS_SHOWN)
    context = {
        "reader": reader, "nav_current": "sources", "line": line, "source": source, "definition": definition,
        "batches": batch_store.batches_of(session, source, BATCHES_SHOWN), "rejected": rejected,
        "areas": OrgUnitRepository(session).by_codes({r.org_unit for r in rejected if r.org_unit}, reader.scope),
        "can_replay": bool(reader.scope.can(MANAGE_SOURCES, department=department)),
        "replayed": _replay_outcome(session, source, replay, batch, reader.lang), "rows_shown": ROWS_SHOWN,
        "chart": deliveries_spec(line.days, reader.lang), "days": DAYS, "batch_url": batch_url,
        "replay_url": replay_url(code), "outcome": lambda value: outcome_words(value, reader.lang),
        "breadcrumb": _crumbs(reader, (source.name, source_url(code))),
    }
    return render(request, "sources/detail.html", context)


def _replay_outcome(session, source: Source, status: str | None, key: str | None, lang: str) -> str | None:
    """What the replay the page came back from did, in words, from its batch's own counts."""
    if status not in OUTCOMES:
        return None
    if status == NOTHING_TO_REPLAY:
        return translate(lang, "sources_page.replay_nothing")
    found = batch_store.find_batch(session, key) if key else None
    if found is None or found.source_id != source.id:
        return None
    if status == ALREADY_LOADED:
        return translate(lang, "sources_page.replay_same")
    if found.status == FAILED:
        return translate(lang, "sources_page.replay_failed", error=found.error)
    n = lambda value: formatting.format_indian(value, lang=lang)  # noqa: E731
    return translate(lang, "sources_page.replayed", read=n(found.rows_read), accepted=n(found.rows_accepted),
                     rejected=n(found.rows_rejected), inserted=n(found.values_inserted),
                     updated=n(found.values_updated))


@router.post("/sources/{code}/replay", response_class=RedirectResponse)
def replay_form(request: Request, code: str, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep):
    """Replay the source's pending rejected rows as ``POST /api/v1/sources/{code}/quarantine/replay`` does, then
    back to the source's page with the outcome (303)."""
    scope = reader.scope
    try:
        scope.require(MANAGE_SOURCES)  # a role without the action is told so before anything is looked up
        _, department = _visible(session, code, scope)
        scope.require(MANAGE_SOURCES, department=department)
    except PermissionDenied as error:
        raise PageProblem(403, error.reason) from None
    stores = IngestStores(request.app.state.session_factory, warehouse)
    try:
        report = replay_quarantine(stores, code, triggered_by=f"web:{reader.username}")
    except (IngestError, WarehouseError) as error:
        raise PageProblem(409, f"the replay of source {code!r} failed: {error}") from None
    target = source_url(code, replay=report.status, batch=report.key or None)
    return RedirectResponse(f"{target}#replay", status_code=303)


@router.get("/sources/{code}/batches/{key}", response_class=HTMLResponse)
def batch_page(request: Request, code: str, key: str, session: SessionDep, reader: ReaderDep):
    """One batch: when and how it ran, its counts, and its rejected rows of the reader's area."""
    source, _ = _visible(session, code, reader.scope)
    found = batch_store.find_batch(session, key)
    if found is None or found.source_id != source.id:
        raise PageProblem(404, f"no batch {key!r} of source {code!r}")
    rejected = batch_store.rejected_rows(session, reader.scope, source=source, batch=found, limit=BATCH_ROWS_SHOWN)
    context = {
        "reader": reader, "nav_current": "sources", "source": source, "batch": found, "rejected": rejected,
        "back_url": source_url(code),
        "areas": OrgUnitRepository(session).by_codes({r.org_unit for r in rejected if r.org_unit}, reader.scope),
        "outcome": lambda value: outcome_words(value, reader.lang), "rows_shown": BATCH_ROWS_SHOWN,
        "breadcrumb": _crumbs(reader, (source.name, source_url(code)), (key, batch_url(code, key))),
    }
    return render(request, "sources/batch.html", context)
