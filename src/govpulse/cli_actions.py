"""``govpulse actions`` and ``govpulse escalate``: actions with their status and measured effect, and the
escalation run.

Registered on the main app by ``cli.py``::

    from govpulse.cli_actions import actions_command, escalate_command
    app.command("actions")(actions_command)
    app.command("escalate")(escalate_command)

The command line is run by the installation's owner, so it acts with ``Scope.system()``; writes are audited
with the actor ``cli:<operating-system user>``. Measuring effects reads the warehouse; while ``govpulse serve``
holds the warehouse file, the effects last stored are shown instead.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional
from urllib.parse import unquote, urlsplit

import typer
from rich.console import Console
from rich.table import Table

from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.actions import ActionFilter, ActionRepository
from govpulse.core.scope import Scope
from govpulse.installation import catalog_session
from govpulse.settings import Settings
from govpulse.workflow.context import WorkflowContext
from govpulse.workflow.effects import effect_dict, refresh_effects
from govpulse.workflow.jobs import due_escalations, run_workflow_jobs
from govpulse.workflow.views import effect_report

__all__ = ["actions_command", "escalate_command"]

console = Console()


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj if isinstance(ctx.obj, Settings) else Settings()


@contextmanager
def _warehouse(settings: Settings):
    """The warehouse, or None (with a note) when its file does not exist or another process holds it."""
    from govpulse.warehouse import connect

    parts = urlsplit(settings.warehouse_url)
    if parts.scheme == "duckdb" and parts.path not in ("", "/:memory:") and not Path(unquote(parts.path)).exists():
        yield None  # never create an empty warehouse just to find nothing in it
        return
    try:
        warehouse = connect(settings.warehouse_url)
    except Exception as error:  # a file locked by `govpulse serve`: show what is stored
        console.print(f"[yellow]warehouse not available ({type(error).__name__}: {error}); showing stored "
                      "effects[/]", highlight=False)
        yield None
        return
    try:
        yield warehouse
    finally:
        warehouse.close()


def actions_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    status: Annotated[Optional[str], typer.Option(help="Only actions in this status.")] = None,
    measure: Annotated[bool, typer.Option("--measure/--no-measure",
                                          help="Re-measure effects from the warehouse first.")] = True,
) -> None:
    """List every action with its status and measured effect on its indicator."""
    settings = _settings(ctx)
    now = utcnow()
    with catalog_session(settings) as session:
        if measure:
            with _warehouse(settings) as warehouse:
                if warehouse is not None:
                    refresh_effects(session, warehouse, now.date())
        report = effect_report(session, Scope.system(), now, ActionFilter(status=status))
        effects = {a.id: a for a in report.actions}
        if as_json:
            repo = ActionRepository(session)
            rows = []
            for action in repo.all(ActionFilter(status=status), Scope.system()):
                summary = effects[action.id].model_dump(mode="json")
                summary["effect"] = effect_dict(repo.effect(action))
                rows.append(summary)
            typer.echo(json.dumps({"actions": rows, "groups": [g.model_dump(mode="json") for g in report.groups]},
                                  ensure_ascii=False, indent=2))
            return
    _print(report)


def _print(report) -> None:
    table = Table(title=f"{len(report.actions)} actions")
    table.add_column("action", no_wrap=True, min_width=5)
    table.add_column("status", min_width=9)
    for column in ("priority", "org unit", "indicator", "assignee", "due", "effect"):
        table.add_column(column)
    for a in report.actions:
        effect = {True: "[green]recovered[/]", False: "[red]not recovered[/]"}.get(a.recovered, "not measured")
        table.add_row(a.code, a.status + (" [red](overdue)[/]" if a.overdue else ""), a.priority,
                      a.org_unit_name or a.org_unit, a.indicator or "", a.assignee or f"vacant {a.assignee_role}",
                      f"{a.due_at:%Y-%m-%d}", effect if a.status == "closed" else "")
    console.print(table)
    groups = Table(title="per officer, department and kind")
    for column in ("by", "key", "actions", "closed", "median days to close", "recovered / measured"):
        groups.add_column(column)
    for g in report.groups:
        median = "" if g.median_days_to_close is None else f"{g.median_days_to_close:.1f}"
        groups.add_row(g.by, g.key, str(g.actions), str(g.closed), median, f"{g.recovered} / {g.measured}")
    console.print(groups)


def escalate_command(
    ctx: typer.Context,
    now: Annotated[bool, typer.Option("--now", help="Apply the due steps now (without it: only show them).")] = False,
    digests: Annotated[bool, typer.Option("--digests/--no-digests", help="Also send today's digests.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Escalate overdue actions one step up their ladder, send the daily digests and re-measure effects."""
    settings = _settings(ctx)
    with catalog_session(settings) as session:
        context = WorkflowContext.from_settings(session, settings)
        if not now:
            due = due_escalations(context)
            if as_json:
                typer.echo(json.dumps([{"action": a, "step": s, "name": n} for a, s, n in due], indent=2))
            else:
                for action, step, name in due:
                    console.print(f"A-{action}: step {step}, {name}")
                console.print(f"{len(due)} action(s) due; run with --now to escalate them")
            return
        with _warehouse(settings) as warehouse:
            run = run_workflow_jobs(context, warehouse=warehouse, digests=digests)
    if as_json:
        typer.echo(json.dumps({"at": run.at.isoformat(), "digests": run.digests,
                               "effects_measured": run.effects_measured,
                               "escalated": [{"action": a, "step": s, "name": n} for a, s, n in run.escalated]},
                              indent=2))
        return
    for action, step, name in run.escalated:
        console.print(f"[bold]A-{action}[/]: step {step}, {name}")
    console.print(f"{len(run.escalated)} escalated, {run.digests} digest(s) sent"
                  + ("" if run.effects_measured is None else f", {run.effects_measured} effect(s) measured"))
