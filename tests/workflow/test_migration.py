"""Migration 0005 creates the workflow tables on SQLite and PostgreSQL, matches the models, and downgrades."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from govpulse.catalog.db import alembic_config, migrate
from govpulse.catalog.models import Base

WORKFLOW_TABLES = {"action", "action_event", "action_call", "action_commitment", "action_attachment",
                   "action_escalation", "notification_message", "action_effect"}


def test_the_workflow_tables_match_the_models_and_go_away_on_downgrade(catalog_engine):
    assert WORKFLOW_TABLES <= set(sa.inspect(catalog_engine).get_table_names())
    with catalog_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata)
                 if any(t in repr(d) for t in WORKFLOW_TABLES)]
    assert diffs == []
    command.downgrade(alembic_config(catalog_engine), "0004")
    assert not WORKFLOW_TABLES & set(sa.inspect(catalog_engine).get_table_names())
    migrate(catalog_engine)
    assert WORKFLOW_TABLES <= set(sa.inspect(catalog_engine).get_table_names())
