"""The ``govpulse`` command (Typer). Every long job draws a progress bar; scripts get ``--json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from govpulse.cli_flags import evaluate_command, flags_command
from govpulse.cli_actions import actions_command, escalate_command
from govpulse.cli_ingest import ingest_command, quarantine_command, sources_app
from govpulse.cli_progress import RichProgress
from govpulse.cli_users import app as user_app
from govpulse.settings import Settings

app = typer.Typer(help="govpulse: a state's performance-monitoring centre (the CM Dashboard).", no_args_is_help=True)
catalog_app = typer.Typer(help="Import and export the catalogue (departments, data elements, indicators).",
                          no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(user_app, name="user")
app.add_typer(sources_app, name="sources")
app.command("ingest")(ingest_command)
app.command("quarantine")(quarantine_command)
app.command("flags")(flags_command)
app.command("evaluate")(evaluate_command)
app.command("actions")(actions_command)
app.command("escalate")(escalate_command)
console = Console(soft_wrap=True)  # long names and paths stay on one line


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[Optional[Path], typer.Option(help="Home folder for data files (default $GOVPULSE_HOME or "
                                                      "~/.govpulse).")] = None,
) -> None:
    ctx.obj = Settings(home=home) if home else Settings()


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj


@app.command()
def init(ctx: typer.Context) -> None:
    """Create an empty home: catalogue database (migrated) and warehouse file."""
    from govpulse.installation import initialise

    settings = _settings(ctx)
    initialise(settings)
    console.print(f"[green]Initialised[/] {settings.home}\n  catalogue: {settings.database_url}\n"
                  f"  warehouse: {settings.warehouse_url}")


@app.command()
def demo(
    ctx: typer.Context,
    state: Annotated[str, typer.Option(help="Which state to build: gujarat or kerala.")] = "gujarat",
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the demo when it is built.")] = True,
    indicators: Annotated[Optional[int], typer.Option(help="Scale the catalogue to this many indicators.")] = None,
    days: Annotated[int, typer.Option(help="Days of simulated daily history up to today.")] = 400,
) -> None:
    """Build a demo state from public data (LGD, Census 2011) with simulated daily KPIs, then serve it."""
    from govpulse.demo.build import build_demo

    settings = _settings(ctx)
    summary = build_demo(settings, state=state, indicators=indicators, days=days, progress=RichProgress(console))
    _print_demo_summary(summary)
    if serve:
        _serve(settings)


def _print_demo_summary(summary) -> None:
    table = Table(title=f"{summary.state_name}: org units by level")
    for column in ("level", "kind", "count"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for level, kind, count in summary.counts_by_level:
        table.add_row(str(level), kind, f"{count:,}")
    console.print(table)
    for line in summary.lines():
        console.print(line)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[Optional[str], typer.Option(help="Address to listen on.")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the web app and the API."""
    settings = _settings(ctx)
    _serve(settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v is not None}))


def _serve(settings: Settings) -> None:
    import uvicorn

    from govpulse.web.app import create_app

    from govpulse.demo.serving import demo_source_systems

    with demo_source_systems(settings) as feeds:
        if feeds is not None:
            console.print(f"The demo's department systems (REST and DHIS2 feeds) answer on {feeds.url}")
        console.print(f"Serving on [bold]http://{settings.host}:{settings.port}[/] (Ctrl+C to stop)")
        uvicorn.run(create_app(settings, run_scheduler=True), host=settings.host, port=settings.port,
                    log_level="info")


@app.command()
def rollup(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="Recompute every rollup, not only what changed.")] = False,
) -> None:
    """Bring the warehouse's rollups up to date (only what changed since the last rollup, unless --full)."""
    from govpulse.warehouse import connect

    with connect(_settings(ctx).warehouse_url) as warehouse:
        result = warehouse.rollup(full=full, progress=RichProgress(console))
    console.print(f"[green]Rolled up[/] {result.leaf_values:,} stored values into {result.rows_written:,} rows "
                  f"in {result.seconds:.1f} s ({'full' if result.full else 'incremental'})")


@app.command()
def query(
    ctx: typer.Context,
    indicator: Annotated[list[str], typer.Argument(help="Indicator code(s).")],
    org_unit: Annotated[list[str], typer.Option("--org-unit", "-o", help="Org-unit code(s) (default: the root).")]
    = [],
    period: Annotated[list[str], typer.Option("--period", "-p", help="DHIS2 period id(s), e.g. 202610, 2026April.")]
    = [],
    children: Annotated[bool, typer.Option("--children", help="Drill down: the indicator at each child.")] = False,
    series: Annotated[Optional[str], typer.Option(help="A time series of this period type (e.g. Monthly).")] = None,
    first: Annotated[Optional[str], typer.Option(help="Series start (YYYY-MM-DD).")] = None,
    last: Annotated[Optional[str], typer.Option(help="Series end (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Indicator values: at org units for periods, the drill-down (--children) or a series (--series)."""
    from govpulse.cli_query import run_query

    try:
        result = run_query(_settings(ctx), indicator, org_unit, period, children=children, series=series,
                           first=first, last=last)
    except (LookupError, ValueError) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    from govpulse.cli_query import print_result

    print_result(console, result)


@catalog_app.command("import")
def catalog_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A YAML file, a folder of YAML files, or a CSV of indicators.")],
) -> None:
    """Import (create or update by code) departments, data elements and indicators."""
    from govpulse.installation import import_catalog_path

    result = import_catalog_path(_settings(ctx), path)
    console.print(f"[green]Imported[/] {path}: {result}")


@catalog_app.command("export")
def catalog_export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write: .yaml for everything, .csv for indicators.")],
) -> None:
    """Export the catalogue to YAML (or indicators to CSV) for version control."""
    from govpulse.installation import export_catalog_path

    export_catalog_path(_settings(ctx), path)
    console.print(f"[green]Exported[/] catalogue to {path}")


@app.command()
def orgunits(
    ctx: typer.Context,
    code: Annotated[Optional[str], typer.Argument(help="Show this org unit and its children.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show an org unit (the state by default) and its children."""
    from govpulse.installation import describe_org_unit

    unit, children = describe_org_unit(_settings(ctx), code)
    if unit is None:
        console.print(f"[red]No org unit {code!r}[/]")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps({"org_unit": unit, "children": children}, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{unit['name']} ({unit['kind']}, code {unit['code']})")
    for column in ("code", "name", "kind", "census code"):
        table.add_column(column)
    for child in children:
        table.add_row(child["code"], child["name"], child["kind"], child["census_code"] or "")
    console.print(table)
