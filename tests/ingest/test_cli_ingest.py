"""`govpulse sources`, `sources register`, `sources token`, `ingest` and `quarantine`, run as a person would."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import typer
from rich.console import Console
from sqlalchemy import update
from typer.testing import CliRunner

from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import Batch
from govpulse import cli_ingest
from govpulse.cli import app as main_app
from govpulse.cli_ingest import _moment_words, _span_words, ingest_command, quarantine_command, sources_app
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


def _deliver_at(home, moment: datetime) -> None:
    """Move every batch's finish (the delivery time freshness goes by) to ``moment``."""
    engine = make_engine(f"sqlite:///{home / 'catalog.sqlite'}")
    with engine.begin() as connection:
        connection.execute(update(Batch).values(finished_at=moment))
    engine.dispose()


def _villages_row(output: str) -> str:
    return next(line for line in output.splitlines() if "villages" in line)


@pytest.fixture
def wide(monkeypatch) -> None:
    """A console wide enough for whole cells, whatever COLUMNS was when it was made (xdist workers fix it)."""
    monkeypatch.setattr(cli_ingest, "console", Console(soft_wrap=True, width=200))


def test_the_list_shows_local_times_and_lags_in_words(cli, home, wide):
    run(cli, home, "sources", "register", str(home / "villages.yaml"))
    assert run(cli, home, "ingest", "villages").exit_code == 0
    _deliver_at(home, datetime(2020, 3, 4, 20, 0, tzinfo=UTC))  # 5 Mar 2020 01:30 in Asia/Kolkata
    row = _villages_row(run(cli, home, "sources").output)
    assert "5 Mar 2020 01:30" in row and "2020-03-04" not in row
    assert re.search(r"\b\d{1,3}(,\d{3})* days( \d{1,2} h)?\b", row), row  # late by days and hours, in words
    in_utc = CliRunner().invoke(cli, ["--home", str(home), "sources"],
                                env={"COLUMNS": "200", "GOVPULSE_TIMEZONE": "UTC"})
    assert "4 Mar 2020 20:00" in _villages_row(in_utc.output)  # the installation's time zone setting
    [listed] = json.loads(run(cli, home, "sources", "--json").output)
    assert listed["freshness"]["last_delivery_at"] == "2020-03-04T20:00:00+00:00"  # machines keep ISO UTC
    assert listed["freshness"]["late_by_hours"] > 24 * 365


def test_a_delivery_this_year_shows_no_year(cli, home, wide):
    run(cli, home, "sources", "register", str(home / "villages.yaml"))
    assert run(cli, home, "ingest", "villages").exit_code == 0
    delivered = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    _deliver_at(home, delivered)
    local = delivered.astimezone(ZoneInfo("Asia/Kolkata"))
    shown = f"{local.day} {local:%b} {local:%H:%M}"
    if local.year != datetime.now(ZoneInfo("Asia/Kolkata")).year:  # 5 minutes after New Year
        shown = f"{local.day} {local:%b} {local.year} {local:%H:%M}"
    assert shown in _villages_row(run(cli, home, "sources").output)


@pytest.mark.parametrize(("span", "words"), [
    (timedelta(days=2, hours=4, minutes=31), "2 days 4 h"),
    (timedelta(days=1), "1 day"),
    (timedelta(days=1234, hours=1), "1,234 days 1 h"),
    (timedelta(hours=5, minutes=10, seconds=59), "5 h 10 min"),
    (timedelta(hours=3), "3 h"),
    (timedelta(minutes=52, seconds=30), "52 min"),
    (timedelta(seconds=20), "under 1 min"),
    (None, ""),
])
def test_lags_in_words(span, words):
    assert _span_words(span) == words


@pytest.mark.parametrize(("moment", "zone", "shown"), [
    (datetime(2026, 11, 26, 1, 45, tzinfo=UTC), "Asia/Kolkata", "26 Nov 07:15"),
    (datetime(2026, 11, 25, 20, 0, tzinfo=UTC), "Asia/Kolkata", "26 Nov 01:30"),  # the local day, not UTC's
    (datetime(2025, 12, 31, 19, 0, tzinfo=UTC), "Asia/Kolkata", "1 Jan 00:30"),  # 2026 already in India
    (datetime(2025, 12, 31, 18, 0, tzinfo=UTC), "Asia/Kolkata", "31 Dec 2025 23:30"),
    (datetime(2026, 11, 26, 1, 45, tzinfo=UTC), "UTC", "26 Nov 01:45"),
])
def test_delivery_times_on_the_local_wall_clock(moment, zone, shown):
    assert _moment_words(moment, ZoneInfo(zone), now=datetime(2026, 11, 26, 4, 0, tzinfo=UTC)) == shown
