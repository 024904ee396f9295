"""Rejected rows keep their org unit, and people read them through their scope like any other data.

A row's org unit is kept when the mapping could read it, whatever else was wrong with the row (a value out of
range, not a number, a duplicate); a row whose org unit could not be read is placed nowhere, and only readers of
the whole tree see it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from govpulse.catalog.models import Batch, Source
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.scope import Grant, Scope
from govpulse.ingest import batch_store
from govpulse.ingest.batches import SUCCEEDED, run_source
from govpulse.ingest.mapping import SourceMapping
from govpulse.ingest.pipeline import process
from tests.ingest.ingest_world import NOW, TREE, csv_source, lookups, make_world
from tests.ingest.test_batches import VILLAGE_MAPPING, empty_postgres, nasty_folder
from tests.ingest.test_mapping import TODAY, chunk

LONG = SourceMapping.model_validate({"org_unit": "village", "period": "period", "data_element": "de", "value": "n"})


def _row(village: str | None, n: str, de: str = "births", period: str = "20261101") -> dict:
    return {"village": village, "period": period, "de": de, "n": n}


def test_a_rejected_row_keeps_the_org_unit_the_mapping_read():
    first = chunk([_row("525001", "1001"),  # above the maximum: found by validation, after mapping
                   _row("0515001", "x"),  # not a number: found by mapping; the code had a leading zero
                   _row("525002", "3")], file="a.csv")  # accepted
    second = chunk([_row("LEGACY-7", "4"),  # no such org unit
                    _row(None, "5"),  # no org unit at all
                    _row("515002", "2", period="20261102"),  # conflicting duplicates, both rejected
                    _row("515002", "6", period="20261102")], file="b.csv")
    processed = process(LONG, lookups(), [first, second], TODAY)
    assert [(r.source_file, r.source_row, r.org_unit) for r in processed.rejected] == [
        ("a.csv", 2, "525001"), ("a.csv", 3, "515001"),
        ("b.csv", 2, None), ("b.csv", 3, None), ("b.csv", 4, "515002"), ("b.csv", 5, "515002")]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ingested(request, tmp_path):
    """The nasty folder run once: rejected are a.csv row 5 (Rampur 515002 of Kachchh, a decimal comma),
    b.csv row 4 (an unknown code) and b.csv row 5 (a ragged line, no cells)."""
    url = f"sqlite:///{tmp_path / 'c.sqlite'}" if request.param == "sqlite" else empty_postgres(request)
    world = make_world(url, tmp_path)
    nasty_folder(tmp_path / "drop")
    world.register(csv_source("villages", tmp_path / "drop", VILLAGE_MAPPING))
    assert run_source(world.stores, "villages", now=NOW).status == SUCCEEDED
    yield world
    world.warehouse.close()


def _seen(session, scope: Scope, **kwargs) -> list[tuple[str, int]]:
    source = session.scalar(select(Source).where(Source.code == "villages"))
    return [(r.source_file.rsplit("/", 1)[-1], r.source_row)
            for r in batch_store.rejected_rows(session, scope, source=source, **kwargs)]


EVERY = [("a.csv", 5), ("b.csv", 4), ("b.csv", 5)]
KACHCHH, SURAT = Scope.for_paths(["/24/449/"]), Scope.for_paths(["/24/459/"])


@pytest.mark.parametrize(("scope", "expected"), [
    (Scope.system(), EVERY),
    (Scope.for_paths(["/24/"]), EVERY),  # the state covers the whole tree, rows placed nowhere included
    (Scope.for_paths(["/24/"], departments=["HEALTH"]), EVERY),
    (KACHCHH, [("a.csv", 5)]),
    (Scope.for_paths(["/24/449/3700/515002/"]), [("a.csv", 5)]),
    (SURAT, []),
    (Scope.for_paths(["/24/"], departments=["ROADS"]), []),  # not the source's department
    (Scope.from_grants([Grant(path="/24/", sources=frozenset({"other"}))]), []),  # an operator of another source
    (Scope.from_grants([Grant(path="/24/459/"), Grant(path="/24/449/", departments=frozenset({"ROADS"}))]), []),
    (Scope.nothing(), []),
])
def test_people_read_the_rejected_rows_of_their_scope(ingested, scope, expected):
    with ingested.session_factory() as session:
        assert _seen(session, scope, pending=True) == expected
        batch = session.scalars(select(Batch)).one()
        assert _seen(session, scope, batch=batch, limit=2) == expected[:2]


def test_in_a_forest_rows_placed_nowhere_are_for_readers_of_every_tree_only(ingested):
    with ingested.session_factory() as session:
        OrgUnitRepository(session).replace_all([*TREE, {"code": "32", "name": "Kerala", "kind": "state", "level": 1,
                                                         "path": "/32/", "parent_code": None}])
        session.commit()
        assert _seen(session, Scope.for_paths(["/24/"])) == [("a.csv", 5)]
        assert _seen(session, Scope.for_paths(["/24/", "/32/"])) == [("a.csv", 5)]  # no one grant covers both
        assert _seen(session, Scope.from_grants([Grant(departments=frozenset({"HEALTH"}))])) == EVERY
