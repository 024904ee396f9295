"""``govpulse ingest``, ``govpulse sources`` and ``govpulse quarantine``: running sources and looking after them.

Registered on the main app by ``cli.py``::

    app.command("ingest")(ingest_command)
    app.command("quarantine")(quarantine_command)
    app.add_typer(sources_app, name="sources")

``ingest`` and ``quarantine --replay`` write the warehouse, so they need its file to themselves: while
``govpulse serve`` runs (it owns the file and runs the schedules), use the API instead.
"""

from __future__ import annotations

import getpass
import json
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import SourceRun
from govpulse.catalog.models.base import utcnow
from govpulse.cli_progress import RichProgress
from govpulse.core.formatting import format_date, format_time
from govpulse.core.scope import Scope
from govpulse.installation import catalog_sessions
from govpulse.settings import Settings

__all__ = ["ingest_command", "quarantine_command", "sources_app"]

console = Console(soft_wrap=True)  # messages keep file paths whole, whatever the terminal width
sources_app = typer.Typer(help="List sources with their freshness, register them, make push tokens.",
                          invoke_without_command=True)


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj if ctx.obj is None else ctx.obj
    return obj if isinstance(obj, Settings) else Settings()


@contextmanager
def _stores(settings: Settings):
    from govpulse.ingest.batches import IngestStores
    from govpulse.warehouse import connect

    with catalog_sessions(settings) as factory:
        try:
            warehouse = connect(settings.warehouse_url)
        except Exception as error:  # DuckDB allows one writing process per file: usually `govpulse serve`
            console.print(f"[red]Cannot open the warehouse {settings.warehouse_url}: {error}[/]\n"
                          "If `govpulse serve` is running, it owns the warehouse: use the API (or stop it).")
            raise typer.Exit(2) from None
        try:
            yield IngestStores(factory, warehouse)
        finally:
            warehouse.close()


def _actor(session: Session) -> Session:
    set_actor(session, Actor(username=getpass.getuser(), via="cli"))
    return session


def _local(moment: datetime | None, settings: Settings) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(settings.timezone))


def ingest_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Code of the source to run.")],
    since: Annotated[Optional[datetime], typer.Option(help="Read only what changed after this date or time "
                                                           "(local time); default: since the last read.")] = None,
    full: Annotated[bool, typer.Option("--full", help="Read everything, ignoring earlier reads.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the batch report as JSON.")] = False,
) -> None:
    """Run one source now: read, map, validate, write the warehouse, roll up; rejected rows are quarantined."""
    from govpulse.ingest.batches import IngestError, run_source

    settings = _settings(ctx)
    options = {} if since is None and not full else {"since": None if full else _local(since, settings)}
    with _stores(settings) as stores:
        progress = None if as_json else RichProgress(console)
        try:
            report = run_source(stores, source, triggered_by=f"cli:{getpass.getuser()}", progress=progress,
                                **options)
        except IngestError as error:
            console.print(f"[red]{error}[/]")
            raise typer.Exit(2) from None
    _show_report(report, as_json)
    if not report.ok:
        raise typer.Exit(1)


def _show_report(report, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    colour = {"succeeded": "green", "failed": "red"}.get(report.status, "yellow")
    console.print(f"[{colour}]{report.source}: {report.status}[/] {report.key}")
    if report.error:
        console.print(f"  [red]{report.error}[/]")
    counts = report.counts()
    if counts["rows_read"]:
        console.print("  " + ", ".join(f"{name.replace('_', ' ')} {value:,}" for name, value in counts.items()))
    if report.rejected:
        table = Table(title=f"Rejected rows (first {min(len(report.rejected), 20)} of {report.rows_rejected:,}; "
                            f"all are kept: govpulse quarantine {report.source})")
        for column in ("file", "row", "field", "reason"):
            table.add_column(column, overflow="fold")
        for row in report.rejected[:20]:
            table.add_row(Path(row.source_file).name, str(row.source_row), row.field, row.reason)
        console.print(table)


@sources_app.callback()
def sources_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every source with its freshness against its promise and how its scheduled runs went. Times show in the
    installation's time zone; ``--json`` keeps them in ISO 8601 UTC and durations in hours."""
    if ctx.invoked_subcommand is not None:
        return
    from govpulse.ingest.batch_store import pending_count
    from govpulse.ingest.freshness import source_freshness
    from govpulse.ingest.sources import list_sources

    settings = _settings(ctx)
    with catalog_sessions(settings) as factory, factory() as session:
        now = utcnow()
        fresh = {f.source: f for f in source_freshness(session, now, Scope.system())}
        rows = []
        for source, department in list_sources(session, Scope.system()):
            state = session.get(SourceRun, source.id)
            rows.append({
                "code": source.code, "name": source.name, "department": department, "connector": source.connector,
                "schedule": source.schedule or None, "enabled": source.enabled,
                "freshness": fresh[source.code].as_dict(),
                "next_run_at": _iso(state.next_run_at if state else None),
                "last_outcome": state.last_outcome if state else "", "last_error": state.last_error if state else "",
                "consecutive_failures": state.consecutive_failures if state else 0,
                "pending_rejected_rows": pending_count(session, source),
            })
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="Sources")
    table.add_column("code", no_wrap=True)
    for column in ("department", "connector", "schedule", "freshness", "last delivery", "late by", "last run",
                   "rejected"):
        table.add_column(column, overflow="fold")
    zone = ZoneInfo(settings.timezone)
    for row in rows:
        fresh_row, assessed = row["freshness"], fresh[row["code"]]
        outcome = row["last_outcome"] + (f" ({row['consecutive_failures']}x: {row['last_error'][:60]})"
                                         if row["consecutive_failures"] else "")
        table.add_row(row["code"], row["department"] or "", row["connector"], row["schedule"] or "",
                      f"[{fresh_row['colour']}]{fresh_row['state_label']}[/]",
                      _moment_words(assessed.last_delivery_at, zone, now),
                      _span_words(assessed.late_by), outcome, str(row["pending_rejected_rows"] or ""))
    console.print(table)


def _moment_words(moment: datetime | None, zone: ZoneInfo, now: datetime) -> str:
    """``26 Nov 07:15`` on the installation's wall clock, with the year only when it is not the current one."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    day = format_date(local.date(), style="short")  # "26 Nov 2026" (English: day, month, year)
    if local.year == now.astimezone(zone).year:
        day = day.rsplit(" ", 1)[0]
    return f"{day} {format_time(local)}"


def _span_words(span: timedelta | None) -> str:
    """A lag as a person says it, to the two largest units: ``2 days 4 h``, ``5 h 10 min``, ``52 min``."""
    if span is None:
        return ""
    days, minutes = divmod(max(0, int(span.total_seconds() // 60)), 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days:,} day{'' if days == 1 else 's'}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min" if minutes else "under 1 min"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@sources_app.command("register")
def sources_register(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A source YAML file, or a folder of them.")],
) -> None:
    """Register sources from YAML (create, or update by code). Relative paths in settings are relative to the
    YAML file."""
    from govpulse.ingest.sources import SourceDefinitionError, load_sources, register_source

    try:
        definitions = load_sources(path)
    except SourceDefinitionError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    with catalog_sessions(_settings(ctx)) as factory, _actor(factory()) as session:
        for definition in definitions:
            try:
                _, created = register_source(session, definition)
            except SourceDefinitionError as error:
                console.print(f"[red]{error}[/]")
                raise typer.Exit(1) from None
            console.print(f"[green]{'Registered' if created else 'Updated'}[/] {definition.code}: {definition.name}")
        session.commit()


@sources_app.command("token")
def sources_token(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Code of the source.")],
) -> None:
    """Make a new push token for a source (the old one stops working); it is shown once."""
    from govpulse.ingest.sources import get_source, issue_push_token

    with catalog_sessions(_settings(ctx)) as factory, _actor(factory()) as session:
        found = get_source(session, source, Scope.system())
        if found is None:
            console.print(f"[red]No source {source!r}[/]")
            raise typer.Exit(1)
        token = issue_push_token(session, found[0])
        session.commit()
    typer.echo(token)


def quarantine_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Code of the source.")],
    replay: Annotated[bool, typer.Option("--replay", help="Run the rejected rows again (after fixing the mapping "
                                                          "or the catalogue).")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="Give up on every pending rejected row.")] = False,
    limit: Annotated[int, typer.Option(help="Rows to list.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a source's rejected rows with their reasons; replay or dismiss them."""
    from govpulse.ingest.batch_store import dismiss_quarantine, pending_count, rejected_rows
    from govpulse.ingest.batches import IngestError, replay_quarantine
    from govpulse.ingest.sources import get_source

    settings = _settings(ctx)
    if replay:
        with _stores(settings) as stores:
            try:
                report = replay_quarantine(stores, source, triggered_by=f"cli:{getpass.getuser()}",
                                           progress=None if as_json else RichProgress(console))
            except IngestError as error:
                console.print(f"[red]{error}[/]")
                raise typer.Exit(2) from None
        _show_report(report, as_json)
        return
    with catalog_sessions(settings) as factory, _actor(factory()) as session:
        found = get_source(session, source, Scope.system())
        if found is None:
            console.print(f"[red]No source {source!r}[/]")
            raise typer.Exit(2)
        if dismiss:
            count = dismiss_quarantine(session, found[0])
            session.commit()
            console.print(f"Dismissed {count:,} rejected rows of {source}")
            return
        total = pending_count(session, found[0])
        rows = [{"source_file": r.source_file, "source_row": r.source_row, "field": r.field, "reason": r.reason,
                 "cells": r.raw, "org_unit": r.org_unit}
                for r in rejected_rows(session, Scope.system(), source=found[0], pending=True, limit=limit)]
    if as_json:
        typer.echo(json.dumps({"source": source, "pending": total, "rows": rows}, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{source}: {total:,} rejected rows waiting (showing {len(rows)})")
    for column in ("file", "row", "org unit", "field", "reason"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(Path(row["source_file"]).name, str(row["source_row"]), row["org_unit"] or "?", row["field"],
                      row["reason"])
    console.print(table)
