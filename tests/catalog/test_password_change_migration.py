"""Migration 0008 gives accounts ``must_change_password`` on SQLite and PostgreSQL, matches the models, leaves the
accounts made before it free to sign in as they did (false), and downgrades keeping them."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from govpulse.catalog.db import alembic_config, make_engine, migrate
from govpulse.catalog.models import Base, User

COLUMN = "must_change_password"


def _columns(engine) -> dict[str, dict]:
    return {column["name"]: column for column in sa.inspect(engine).get_columns("user_account")}


def _add_an_account(engine, username: str) -> None:
    """An account written with the 0007 columns only (as every account before this revision was)."""
    with engine.begin() as connection:
        connection.execute(sa.text(
            "insert into user_account (username, full_name, email, phone, password_hash, language, is_active, "
            "created_at, updated_at) values (:name, '', '', '', null, 'en', :yes, :now, :now)"),
            {"name": username, "yes": True, "now": "2026-11-28 09:00:00"})


def _diffs(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, Base.metadata) if "user_account" in repr(d)]


def _flags(engine) -> dict[str, bool]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(User.__table__.c.username, User.__table__.c.must_change_password))
        return {name: flag for name, flag in rows}


def test_accounts_get_a_must_change_flag_that_matches_the_models_and_goes_away_on_downgrade(catalog_url):
    engine = make_engine(catalog_url)
    try:
        migrate(engine, "0007")
        assert COLUMN not in _columns(engine)
        _add_an_account(engine, "before.0008")
        migrate(engine)
        column = _columns(engine)[COLUMN]
        assert column["nullable"] is False and isinstance(column["type"], sa.Boolean)
        assert _diffs(engine) == []
        assert _flags(engine) == {"before.0008": False}  # an account made before keeps signing in as it did
        _add_an_account(engine, "after.0008")  # an insert that does not name the column gets the server default
        assert _flags(engine) == {"before.0008": False, "after.0008": False}
        command.downgrade(alembic_config(engine), "0007")
        assert COLUMN not in _columns(engine)
        with engine.connect() as connection:
            assert connection.execute(sa.text("select count(*) from user_account")).scalar_one() == 2
        migrate(engine)
        assert COLUMN in _columns(engine) and _diffs(engine) == []
    finally:
        engine.dispose()
