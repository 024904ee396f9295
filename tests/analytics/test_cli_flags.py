"""``govpulse flags`` on a real home folder: ``--open-for DAYS`` keeps the flags first raised more than DAYS days ago
and still open, the same filter (``FlagFilter.first_seen_before``) as the inbox's ``age`` and the API's
``first_seen_before``.

Flags (Surat, Health): open and raised 2 hours, 3 days, 10 days and 40 days ago; one raised 60 days ago and
resolved 20 days ago.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console
from typer.testing import CliRunner

from govpulse import cli_flags
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import Flag
from govpulse.cli import app as cli_app
from govpulse.settings import Settings
from tests.access.world import seed_world

NOW = datetime.now(UTC)
OPEN = {"2h": timedelta(hours=2), "3d": timedelta(days=3), "10d": timedelta(days=10), "40d": timedelta(days=40)}


def _flag(name: str, first_seen: datetime, status: str = "open") -> Flag:
    return Flag(rule=f"rule-{name}", kind="threshold", indicator="HLT_INST", org_unit="459",
                org_unit_path="/24/459/", department="HEALTH", period="202610", severity="high",
                message=name, first_seen=first_seen, last_seen=NOW, status=status)


@pytest.fixture
def home(tmp_path):
    engine = make_engine(Settings(home=tmp_path).database_url)
    migrate(engine)
    with make_session_factory(engine)() as session:
        seed_world(session)
        session.add_all([_flag(name, NOW - age) for name, age in OPEN.items()])
        session.add(_flag("60d-resolved", NOW - timedelta(days=60), status="resolved"))
        session.commit()
    engine.dispose()
    return tmp_path


@pytest.fixture
def wide(monkeypatch) -> None:
    """A console wide enough for whole cells, whatever COLUMNS was when it was made (xdist workers fix it)."""
    monkeypatch.setattr(cli_flags, "console", Console(soft_wrap=True, width=200))


def flags(home, *args: str):
    return CliRunner().invoke(cli_app, ["--home", str(home), "flags", *args], env={"COLUMNS": "200"})


def _messages(result) -> set[str]:
    assert result.exit_code == 0, result.output
    return {item["message"] for item in json.loads(result.output)["items"]}


def test_open_for_keeps_flags_raised_more_than_days_ago_and_still_open(home):
    assert _messages(flags(home, "--json")) == set(OPEN)
    assert _messages(flags(home, "--json", "--open-for", "1")) == {"3d", "10d", "40d"}
    assert _messages(flags(home, "--json", "--open-for", "7")) == {"10d", "40d"}
    assert _messages(flags(home, "--json", "--open-for", "30")) == {"40d"}
    assert _messages(flags(home, "--json", "--open-for", "90")) == set()
    assert _messages(flags(home, "--json", "--open-for", "0")) == set(OPEN)


def test_open_for_in_the_table_and_its_mistakes(home, wide):
    table = flags(home, "--open-for", "7")
    assert table.exit_code == 0, table.output
    assert "2 flags open for more than 7 days" in table.output
    assert "10d" in table.output and "3d" not in table.output
    with_status = flags(home, "--open-for", "7", "--status", "resolved")
    assert with_status.exit_code == 2 and "still open" in with_status.output
    assert flags(home, "--open-for", "-1").exit_code == 2
    assert flags(home, "--open-for", "a week").exit_code == 2
