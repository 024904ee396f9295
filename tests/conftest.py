"""Shared fixtures: catalogue databases on SQLite and on the real PostgreSQL test server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from govpulse.catalog.db import make_engine, make_session_factory, migrate

PG_URL = os.environ.get("GOVPULSE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_problem() -> str | None:
    """None when the PostgreSQL test server answers, else why not."""
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means "no server"
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"


_PG_PROBLEM = _postgres_problem()


def pytest_report_header(config) -> str:
    where = make_url(PG_URL).render_as_string(hide_password=True)
    if _PG_PROBLEM is None:
        return f"PostgreSQL test server: {where} (reachable)"
    verdict = "FAILS under CI=true" if IN_CI else "SKIPPING every PostgreSQL test"
    return f"!!! PostgreSQL test server {where} NOT REACHABLE ({_PG_PROBLEM}): {verdict} !!!"


def require_postgres() -> None:
    if _PG_PROBLEM is not None:
        message = f"PostgreSQL test server not reachable at {PG_URL}: {_PG_PROBLEM}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test process, dropped at the end."""
    require_postgres()
    name = f"govpulse_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request, tmp_path) -> Iterator[str]:
    """The catalogue store on both backends: a SQLite file, and a fresh PostgreSQL schema state."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.sqlite'}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # each test starts from an empty database
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    yield url


@pytest.fixture
def catalog_engine(catalog_url):
    engine = make_engine(catalog_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(catalog_engine):
    factory = make_session_factory(catalog_engine)
    with factory() as session:
        yield session
