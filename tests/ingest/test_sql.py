"""sql: a query on the real PostgreSQL test server (and on SQLite, which needs no server)."""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from govpulse.ingest.connectors import ConnectorError, ConnectorSettingsError, SourceDataError
from govpulse.ingest.connectors.sql import SqlConnector

PG_URL = os.environ.get("GOVPULSE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"

T0 = datetime(2026, 11, 24, 9, 0)


def _postgres_engine() -> sa.Engine:
    """The PostgreSQL test server; skipped loudly when it does not answer (failed when CI=true)."""
    engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "no server"
        message = f"!!! PostgreSQL test server NOT REACHABLE at {PG_URL}: {str(error).splitlines()[0]} !!!"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return engine


@pytest.fixture
def pg_table():
    """A uniquely named table of school enrolment rows, dropped afterwards."""
    engine = _postgres_engine()
    name = f"ingest_test_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.execute(sa.text(
            f"CREATE TABLE {name} (udise_code text, enrolled integer, attendance numeric(5,2), "
            "inspected date, has_toilet boolean, updated_at timestamp)"
        ))
        connection.execute(
            sa.text(f"INSERT INTO {name} VALUES (:code, :enrolled, :attendance, :inspected, :toilet, :updated)"),
            [
                {"code": f"2407{i:07d}", "enrolled": 100 + i, "attendance": f"{80 + i}.50",
                 "inspected": date(2026, 11, i + 1), "toilet": i % 2 == 0, "updated": T0 + timedelta(hours=i)}
                for i in range(5)
            ] + [{"code": "2407NULL", "enrolled": None, "attendance": None, "inspected": None, "toilet": None,
                  "updated": T0 - timedelta(days=30)}],
        )
    yield name
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
    engine.dispose()


@pytest.mark.postgres
def test_postgres_rows_as_strings_and_since(pg_table):
    query = f"SELECT * FROM {pg_table} WHERE updated_at > :since ORDER BY udise_code"
    source = SqlConnector({"url": PG_URL, "query": query, "chunk_rows": 2}, name="udise")
    chunks = list(source.read())
    assert [chunk.num_rows for chunk in chunks] == [2, 2, 2]
    rows = [row for chunk in chunks for row in chunk.table.to_pylist()]
    assert rows[0] == {
        "udise_code": "24070000000", "enrolled": "100", "attendance": "80.50", "inspected": "2026-11-01",
        "has_toilet": "true", "updated_at": "2026-11-24 09:00:00", "_source_file": "udise", "_source_row": 1,
    }
    assert rows[-1]["udise_code"] == "2407NULL" and rows[-1]["enrolled"] is None and rows[-1]["has_toilet"] is None
    # Incremental: only the rows changed after `since`.
    recent = [row["udise_code"] for chunk in source.read(T0 + timedelta(hours=2)) for row in chunk.table.to_pylist()]
    assert recent == ["24070000003", "24070000004"]


@pytest.mark.postgres
def test_postgres_query_errors_are_clear(pg_table):
    source = SqlConnector({"url": PG_URL, "query": f"SELECT no_such_column FROM {pg_table}"})
    with pytest.raises(ConnectorError, match=r"postgres@127\.0\.0\.1.*: query failed: .*no_such_column"):
        list(source.read())
    twice = SqlConnector({"url": PG_URL, "query": f"SELECT udise_code, enrolled AS UDISE_CODE FROM {pg_table}"})
    with pytest.raises(SourceDataError, match="repeats the column name"):
        list(twice.read())


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'mis.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE pensions (beneficiary text, amount real, paid_on text, blob_col blob)")
        )
        connection.execute(sa.text("INSERT INTO pensions VALUES ('A', 1000.5, '2026-11-01', x'cafe'), "
                                   "('B', 750, '2026-11-20', NULL)"))
    engine.dispose()
    return url


def test_sqlite_without_since_parameter(sqlite_url):
    source = SqlConnector({"url": sqlite_url, "query": "SELECT * FROM pensions ORDER BY beneficiary"})
    (chunk,) = source.read()
    assert chunk.table.column("amount").to_pylist() == ["1000.5", "750.0"]
    assert chunk.table.column("blob_col").to_pylist() == ["cafe", None]
    assert chunk.table.column("_source_file").to_pylist() == [sqlite_url] * 2


def test_since_is_the_earliest_moment_on_a_first_read(sqlite_url):
    source = SqlConnector({"url": sqlite_url, "query": "SELECT beneficiary FROM pensions WHERE paid_on > :since"})
    assert sum(chunk.num_rows for chunk in source.read()) == 2
    assert sum(chunk.num_rows for chunk in source.read(since=datetime(2026, 11, 10))) == 1


def test_an_empty_result_still_gives_its_columns(sqlite_url):
    (chunk,) = SqlConnector({"url": sqlite_url, "query": "SELECT beneficiary FROM pensions WHERE 0"}).read()
    assert chunk.num_rows == 0 and chunk.data_columns == ["beneficiary"]


def test_settings_and_url_errors(monkeypatch):
    with pytest.raises(ConnectorSettingsError, match="setting 'query': .*the query is empty"):
        SqlConnector({"url": "sqlite://", "query": "  "})
    with pytest.raises(ConnectorSettingsError, match="setting 'url'"):
        SqlConnector({"url": "not a url", "query": "select 1"})
    with pytest.raises(ConnectorSettingsError, match="environment variable MIS_DB_URL, which is not set"):
        SqlConnector({"url": "env:MIS_DB_URL", "query": "select 1"})
    monkeypatch.setenv("MIS_DB_URL", "postgresql+psycopg://ingest:hunter2@db.example/mis")
    source = SqlConnector({"url": "env:MIS_DB_URL", "query": "select 1"})
    assert "hunter2" not in source.describe() and "***" in source.describe()
    with pytest.raises(ConnectorError, match="cannot use database URL"):
        list(SqlConnector({"url": "nosuchdb://x/y", "query": "select 1"}).read())
