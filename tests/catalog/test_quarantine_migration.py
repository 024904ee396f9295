"""Migration 0007 gives quarantined rows their org unit on SQLite and PostgreSQL, matches the models, keeps the
rows quarantined before it (placed nowhere), and downgrades."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from govpulse.catalog.db import alembic_config, make_engine, migrate
from govpulse.catalog.models import Base, Batch, QuarantinedRow, Source

NEW_COLUMNS = {"org_unit", "org_unit_path"}


def _columns(engine) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns("quarantined_row")}


def _quarantine_a_row(engine) -> None:
    """A source, a batch and one rejected row, written with the 0006 columns only."""
    with engine.begin() as connection:
        source_id = connection.execute(sa.insert(Source.__table__).values(code="old", name="Old", connector="push")
                                       .returning(Source.__table__.c.id)).scalar_one()
        batch_id = connection.execute(sa.insert(Batch.__table__).values(key="old-1", source_id=source_id,
                                                                        trigger="push", status="succeeded")
                                      .returning(Batch.__table__.c.id)).scalar_one()
        connection.execute(sa.insert(QuarantinedRow.__table__).values(
            batch_id=batch_id, source_id=source_id, source_file="push:1", source_row=1, field="value",
            reason="value: not a number", problems=[], raw={"orgUnit": "525001", "value": "x"}))


def _diffs(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, Base.metadata) if "quarantined_row" in repr(d)]


def test_quarantined_rows_get_an_org_unit_that_matches_the_models_and_goes_away_on_downgrade(catalog_url):
    engine = make_engine(catalog_url)
    try:
        migrate(engine, "0006")
        assert not NEW_COLUMNS & _columns(engine)
        _quarantine_a_row(engine)
        migrate(engine)
        assert NEW_COLUMNS <= _columns(engine)
        assert _diffs(engine) == []
        with engine.connect() as connection:
            kept = connection.execute(sa.select(QuarantinedRow.__table__)).mappings().one()
        assert (kept["source_row"], kept["org_unit"], kept["org_unit_path"]) == (1, None, None)  # placed nowhere
        command.downgrade(alembic_config(engine), "0006")
        assert not NEW_COLUMNS & _columns(engine)
        with engine.connect() as connection:
            assert connection.execute(sa.text("select count(*) from quarantined_row")).scalar_one() == 1
        migrate(engine)
        assert NEW_COLUMNS <= _columns(engine) and _diffs(engine) == []
    finally:
        engine.dispose()
