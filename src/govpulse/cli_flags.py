"""``govpulse flags`` (the open red flags, most urgent first) and ``govpulse evaluate`` (run the flag engine).

Registered on the main app by ``cli.py``::

    app.command("flags")(flags_command)
    app.command("evaluate")(evaluate_command)

``evaluate`` reads the warehouse, so while ``govpulse serve`` runs (it owns the file) run it there instead.
The command line is run by the installation's owner and sees every flag (``Scope.system()``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from govpulse.catalog.repositories.paging import MAX_PAGE_SIZE, PageRequest
from govpulse.cli_progress import RichProgress
from govpulse.core.enums import Severity
from govpulse.core.scope import Scope
from govpulse.settings import Settings

__all__ = ["evaluate_command", "flags_command"]

console = Console(soft_wrap=True)


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj if ctx.obj is None else ctx.obj
    return obj if isinstance(obj, Settings) else Settings()


def flags_command(
    ctx: typer.Context,
    severity: Annotated[list[str], typer.Option("--severity", "-s", help="Only these severities (repeatable); "
                                                "'high+' means high and more urgent.")] = [],
    department: Annotated[Optional[str], typer.Option(help="Department code.")] = None,
    org_unit: Annotated[Optional[str], typer.Option("--org-unit", "-o", help="Org unit and its subtree.")] = None,
    status: Annotated[str, typer.Option(help="open, resolved, dismissed or any.")] = "open",
    kind: Annotated[Optional[str], typer.Option(help="Rule kind (threshold, deterioration, anomaly, ...).")] = None,
    open_for: Annotated[Optional[int], typer.Option("--open-for", metavar="DAYS", min=0,
                                                    help="Only flags first raised more than DAYS days ago and "
                                                         "still open.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many flags.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The red flags, most severe first, then the most recently seen."""
    from govpulse.analytics.flags import FlagFilter, list_flags
    from govpulse.installation import catalog_session

    if open_for is not None and status != "open":
        raise typer.BadParameter(f"lists flags that are still open, so it cannot go with --status {status}",
                                 param_hint="--open-for")
    exact = tuple(s for s in severity if not s.endswith("+"))
    floor = next((s[:-1] for s in severity if s.endswith("+")), None)
    filters = FlagFilter(department=department, org_unit=org_unit, severity=exact, min_severity=floor,
                         status=None if status == "any" else status, kind=kind,
                         first_seen_before=_days_ago(open_for))
    try:
        with catalog_session(_settings(ctx)) as session:
            page = list_flags(session, Scope.system(), filters, PageRequest(1, min(max(limit, 1), MAX_PAGE_SIZE)))
    except ValueError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps({"total": page.total, "items": [f.model_dump(mode="json") for f in page.items]},
                              ensure_ascii=False, indent=2))
        return
    if open_for is not None:
        what = f"flags open for more than {open_for} day{'' if open_for == 1 else 's'}"
    else:
        what = "flags" if status == "any" else f"{status} flags"
    table = Table(title=f"{page.total:,} {what}"
                  + (f" (first {len(page.items)})" if page.total > len(page.items) else ""))
    for column in ("severity", "id", "org unit", "indicator", "period", "rule", "message"):
        table.add_column(column, overflow="fold")
    for flag in page.items:
        shown = Severity(flag.severity.code)
        table.add_row(f"[{_style(shown)}]{shown.label}[/]", str(flag.id), flag.org_unit_name, flag.indicator,
                      flag.period_label, flag.rule, flag.message)
    console.print(table)


def _days_ago(days: int | None) -> datetime | None:
    """``--open-for DAYS`` as the inbox's ``age`` and the API's ``first_seen_before`` mean it: first raised
    before now minus that many days."""
    return None if days is None else datetime.now(UTC) - timedelta(days=days)


def _style(severity: Severity) -> str:
    return {Severity.CRITICAL: "bold white on black", Severity.HIGH: "bold red", Severity.MEDIUM: "yellow",
            Severity.LOW: "cyan"}.get(severity, "dim")


def evaluate_command(
    ctx: typer.Context,
    today: Annotated[Optional[str], typer.Option(help="Evaluate as of this day (YYYY-MM-DD; default today).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run's summary as JSON.")] = False,
) -> None:
    """Run the flag engine: evaluate the rules, raise new flags, keep open ones, resolve what recovered."""
    from govpulse.analytics.flag_engine import run_flag_engine
    from govpulse.installation import open_stores

    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        console.print(f"[red]--today {today!r} is not a date (YYYY-MM-DD)[/]")
        raise typer.Exit(1) from None
    with open_stores(_settings(ctx)) as (session, warehouse):
        summary = run_flag_engine(session, warehouse, today=day, progress=None if as_json else RichProgress(console))
    if as_json:
        typer.echo(summary.model_dump_json(indent=2))
        return
    console.print(f"[green]Evaluated[/] {summary.evaluated:,} series as of {day} in {summary.seconds:.1f} s: "
                  f"{summary.raised} raised, {summary.kept_open} kept open, {summary.resolved} resolved; "
                  f"{summary.open_total} open")
    table = Table(title="Open flags by rule")
    table.add_column("rule")
    table.add_column("open", justify="right")
    for rule, count in summary.open_by_rule.items():
        table.add_row(rule, f"{count:,}")
    console.print(table)
