"""``govpulse user add/list/disable/token`` on a fresh home (the sub-app, as cli.py registers it)."""

from __future__ import annotations

import getpass
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from govpulse.catalog.models import AuditEntry
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.repositories.credentials import TokenRepository, verify_password
from govpulse.catalog.repositories.users import UserRepository
from govpulse.cli_users import app
from govpulse.settings import Settings
from tests.access.world import seed_catalogue

runner = CliRunner()


@pytest.fixture
def settings(tmp_path):
    settings = Settings(home=tmp_path)
    engine = make_engine(settings.database_url)
    migrate(engine)
    with make_session_factory(engine)() as session:
        seed_catalogue(session)
        session.commit()
    engine.dispose()
    return settings


def _run(settings, *args):
    return runner.invoke(app, list(args), obj=settings)


def _store(settings):
    engine = make_engine(settings.database_url)
    return engine, make_session_factory(engine)()


def test_add_list_disable(settings):
    added = _run(settings, "add", "surat.collector", "--role", "collector", "--org-unit", "459",
                 "--password", "Tapi-River-Surat-9")
    assert added.exit_code == 0 and "Added surat.collector: collector at 459" in added.output
    secretary = _run(settings, "add", "health.sec", "--role", "secretary", "--department", "HEALTH",
                     "--department", "ROADS")
    assert secretary.exit_code == 0
    one_time = secretary.output.split("One-time password for health.sec: ")[1].strip()
    listed = json.loads(_run(settings, "list", "--json").output)
    assert [(u["username"], u["roles"][0]["role"], u["roles"][0]["departments"]) for u in listed] == [
        ("health.sec", "secretary", ["HEALTH", "ROADS"]), ("surat.collector", "collector", [])]
    assert _run(settings, "disable", "surat.collector").exit_code == 0
    assert "disabled" in _run(settings, "list").output
    engine, session = _store(settings)
    with session:
        repo = UserRepository(session)
        assert verify_password(repo.for_sign_in("health.sec").password_hash, one_time)
        assert not repo.for_sign_in("surat.collector").is_active
        actors = set(session.scalars(select(AuditEntry.actor).where(AuditEntry.entity == "user")))
        assert actors == {f"cli:{getpass.getuser()}"}
    engine.dispose()


@pytest.mark.parametrize(("args", "message"), [
    (("add", "x", "--role", "collector", "--org-unit", "3900"), "is assigned at a district"),
    (("add", "x", "--role", "mayor"), "unknown role 'mayor'"),
    (("add", "x", "--role", "secretary"), "needs at least one department"),
    (("add", "x", "--role", "tdo", "--org-unit", "3900", "--password", "short"), "at least 8 characters"),
    (("disable", "nobody-here"), "No user named 'nobody-here'"),
])
def test_mistakes_are_explained_and_change_nothing(settings, args, message):
    result = _run(settings, *args)
    assert result.exit_code == 1 and message in " ".join(result.output.split())
    assert json.loads(_run(settings, "list", "--json").output) == []


def test_a_token_is_printed_once_and_kept_as_a_hash(settings):
    _run(settings, "add", "ops", "--role", "operator", "--source", "ehealth")
    secret = _run(settings, "token", "ops", "--name", "nightly").output.strip()
    assert secret.startswith("gpt_")
    engine, session = _store(settings)
    with session:
        token, user = TokenRepository(session).find_active(secret)
        assert (token.name, user.username) == ("nightly", "ops") and secret not in token.token_hash
    engine.dispose()
