"""`govpulse sources`, `sources register`, `sources token`, `ingest` and `quarantine`, run as a person would."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.cli import app as main_app
from govpulse.cli_ingest import ingest_command, quarantine_command, sources_app
from tests.ingest.ingest_world import seed_catalog
from tests.ingest.test_batches import nasty_folder


@pytest.fixture
def cli() -> typer.Typer:
    """The main command with the ingest commands registered the way cli.py registers them."""
    names = {command.name for command in main_app.registered_commands}
    if "ingest" not in names:
        main_app.command("ingest")(ingest_command)
        main_app.command("quarantine")(quarantine_command)
        main_app.add_typer(sources_app, name="sources")
    return main_app


@pytest.fixture
def home(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    migrate(engine)
    with make_session_factory(engine)() as session:
        seed_catalog(session)
    engine.dispose()
    nasty_folder(tmp_path / "drop")
    (tmp_path / "villages.yaml").write_text(
        "code: villages\nname: Village reports\ndepartment: HEALTH\nconnector: csv_folder\n"
        "settings: {folder: drop}\nschedule: '30 7 * * *'\nfreshness: daily by 09:00\n"
        "mapping:\n  org_unit: Village Code\n  period: {date_column: Date}\n"
        "  values: {Births: births, Rain (mm): rainfall_mm}\n", encoding="utf-8")
    return tmp_path


def run(cli, home, *args: str):
    result = CliRunner().invoke(cli, ["--home", str(home), *args], env={"COLUMNS": "200"})
    return result


def test_register_list_ingest_and_look_at_the_quarantine(cli, home):
    registered = run(cli, home, "sources", "register", str(home / "villages.yaml"))
    assert registered.exit_code == 0, registered.output
    assert "Registered villages: Village reports" in registered.output
    listed = json.loads(run(cli, home, "sources", "--json").output)
    assert [(s["code"], s["freshness"]["state"]) for s in listed] == [("villages", "missing")]
    ingested = run(cli, home, "ingest", "villages", "--json")
    assert ingested.exit_code == 0, ingested.output
    report = json.loads(ingested.output)
    assert (report["status"], report["rows_read"], report["rows_rejected"]) == ("succeeded", 8, 3)
    table = run(cli, home, "sources")
    assert "villages" in table.output and "Fresh" in table.output
    quarantine = json.loads(run(cli, home, "quarantine", "villages", "--json").output)
    assert quarantine["pending"] == 3 and quarantine["rows"][1]["cells"]["Village Code"] == "LEGACY-7"
    replayed = run(cli, home, "quarantine", "villages", "--replay", "--json")
    assert json.loads(replayed.output)["rows_read"] == 2
    dismissed = run(cli, home, "quarantine", "villages", "--dismiss")
    assert "Dismissed 3 rejected rows" in dismissed.output  # 2 from the replay and the unsplittable row


def test_mistakes_and_failures_exit_with_a_message(cli, home):
    (home / "bad.yaml").write_text("code: bad\nname: Bad\nmapping: {}\n", encoding="utf-8")
    bad = run(cli, home, "sources", "register", str(home / "bad.yaml"))
    assert bad.exit_code == 1 and "bad.yaml: mapping.org_unit" in bad.output
    unknown = run(cli, home, "ingest", "nothing")
    assert unknown.exit_code == 2 and "no source with code 'nothing'" in unknown.output
    run(cli, home, "sources", "register", str(home / "villages.yaml"))
    (home / "drop" / "a.csv").unlink()
    (home / "drop" / "b.csv").unlink()
    (home / "drop").rmdir()
    failed = run(cli, home, "ingest", "villages")
    assert failed.exit_code == 1 and "does not exist" in failed.output
    token = run(cli, home, "sources", "token", "villages")
    assert token.exit_code == 0 and token.output.strip().startswith("gps_")
