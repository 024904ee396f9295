"""Application services behind the CLI: one installation = a home folder, a catalogue and a warehouse.

These functions open the stores named by ``Settings`` and call into the layers; the CLI only parses arguments
and prints.
"""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy.orm import Session, sessionmaker

from govpulse.catalog.audit import Actor, install_audit, set_actor
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings


def initialise(settings: Settings) -> None:
    """Create the home folder and bring the catalogue schema up to date (idempotent)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()


@contextmanager
def catalog_sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """A session factory on a migrated catalogue, audited (for work that opens its own sessions: ingest)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        factory = make_session_factory(engine)
        install_audit(factory)
        yield factory
    finally:
        engine.dispose()


@contextmanager
def catalog_session(settings: Settings) -> Iterator[Session]:
    """A session on a migrated catalogue; commits on success, rolls back on error."""
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        with make_session_factory(engine)() as session:
            set_actor(session, Actor(username=f"cli:{getpass.getuser()}", via="cli"))
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        engine.dispose()


def _org_unit_dict(unit) -> dict:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind, "level": unit.level, "path": unit.path,
            "census_code": unit.census_code, "names": unit.names}


def describe_org_unit(settings: Settings, code: str | None) -> tuple[dict | None, list[dict]]:
    with catalog_session(settings) as session:
        repo = OrgUnitRepository(session)
        if code is None:
            roots = repo.roots(Scope.system())
            unit = roots[0] if roots else None
        else:
            unit = repo.get(code, Scope.system())
        if unit is None:
            return None, []
        return _org_unit_dict(unit), [_org_unit_dict(c) for c in repo.children(unit.code, Scope.system())]


def import_catalog_path(settings: Settings, path: Path):
    from govpulse.catalog.io.importer import import_catalog, read_catalog

    catalog = read_catalog(path)
    with catalog_session(settings) as session:
        return import_catalog(session, catalog)


def export_catalog_path(settings: Settings, path: Path) -> None:
    from govpulse.catalog.io.importer import export_catalog, write_catalog

    with catalog_session(settings) as session:
        catalog = export_catalog(session)
    write_catalog(catalog, path)


@contextmanager
def open_stores(settings: Settings) -> Iterator[tuple[Session, "Warehouse"]]:
    """A catalogue session and the warehouse, for commands that read or write both."""
    from govpulse.warehouse import connect

    with catalog_session(settings) as session:
        warehouse = connect(settings.warehouse_url)
        try:
            yield session, warehouse
        finally:
            warehouse.close()
