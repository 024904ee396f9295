"""``govpulse actions [--json]`` and ``govpulse escalate [--now]`` on a real home folder, and the scheduled run."""

from __future__ import annotations

import json
from datetime import timedelta

import typer
from sqlalchemy import select
from typer.testing import CliRunner

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import AuditEntry, Escalation
from govpulse.catalog.models.base import utcnow
from govpulse.cli_actions import actions_command, escalate_command
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.workflow.context import WorkflowContext
from govpulse.workflow.jobs import run_scheduled
from govpulse.workflow.lifecycle import NewAction, open_action, take_step
from tests.access.world import seed_world


def _cli(home) -> typer.Typer:
    """The two commands as cli.py registers them, on a home folder."""
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = Settings(home=home)

    app.command("actions")(actions_command)
    app.command("escalate")(escalate_command)
    return app


def _seed(home) -> None:
    settings = Settings(home=home)
    engine = make_engine(settings.database_url)
    migrate(engine)
    with make_session_factory(engine)() as session:
        seed_world(session)
        set_actor(session, Actor("cmo"))
        long_ago = utcnow() - timedelta(days=8)
        ctx = WorkflowContext(session=session, clock=lambda: long_ago)
        late = open_action(ctx, Scope.system(), NewAction(assignee_role="talati", indicator="HLT_INST",
                                                          org_unit="525001", severity="high", title="Late one"))
        done = open_action(ctx, Scope.system(), NewAction(assignee_role="tdo", indicator="HLT_INST",
                                                          org_unit="525001", severity="low", title="Done one"))
        set_actor(session, Actor("tdo"))
        take_step(ctx, Scope.system(), done.id, "report", text="done")
        set_actor(session, Actor("cmo"))
        take_step(ctx, Scope.system(), done.id, "verify")
        session.commit()
        assert late.id == 1
    engine.dispose()


def test_actions_lists_status_and_effect(tmp_path):
    _seed(tmp_path)
    runner = CliRunner()
    result = runner.invoke(_cli(tmp_path), ["actions", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {a["title"]: a for a in payload["actions"]}
    assert (rows["Late one"]["status"], rows["Late one"]["overdue"]) == ("open", True)
    assert (rows["Done one"]["status"], rows["Done one"]["effect"]) == ("closed", None)  # no warehouse yet
    assert {(g["by"], g["key"]) for g in payload["groups"]} >= {("officer", "talati"), ("officer", "tdo")}
    table = runner.invoke(_cli(tmp_path), ["actions", "--no-measure"])
    assert table.exit_code == 0 and "2 actions" in table.output and "A-1" in table.output
    assert not (tmp_path / "warehouse.duckdb").exists()  # listing never creates an empty warehouse


def test_escalate_shows_then_applies_the_due_steps(tmp_path):
    _seed(tmp_path)
    runner = CliRunner()
    shown = runner.invoke(_cli(tmp_path), ["escalate", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output) == [{"action": 1, "step": 1, "name": "Dashboard staff call the assignee"}]
    applied = runner.invoke(_cli(tmp_path), ["escalate", "--now", "--json"])
    assert applied.exit_code == 0, applied.output
    run = json.loads(applied.output)
    assert run["escalated"] == [{"action": 1, "step": 1, "name": "Dashboard staff call the assignee"}]
    assert run["digests"] == 1 and run["effects_measured"] is None  # the talati's digest; no warehouse
    again = json.loads(runner.invoke(_cli(tmp_path), ["escalate", "--now", "--json"]).output)
    assert again["escalated"] == [] and again["digests"] == 0  # the next step waits for its 24 h SLA


def test_the_scheduled_run_commits_as_the_escalation_actor(tmp_path):
    _seed(tmp_path)
    settings = Settings(home=tmp_path)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    run = run_scheduled(factory, settings)
    assert [step for _, step, _ in run.escalated] == [1]
    with factory() as session:
        assert session.scalar(select(Escalation.step_name)) == "Dashboard staff call the assignee"
        actors = set(session.scalars(select(AuditEntry.actor).where(AuditEntry.entity == "action_escalation")))
        assert actors == {"escalation"}
    engine.dispose()
