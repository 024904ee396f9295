"""A batch killed with SIGKILL half-way leaves nothing half-written, and running it again gives exactly the values.

The ingest runs in a child process on a file of 100,000 rows (200,000 values). The test waits until the child
has recorded the batch as running (the last step before the warehouse write), then kills it with SIGKILL after
0, 60, 120 or 200 ms: before, inside or after the write transaction or in the rollup, depending on the
machine. After every kill the warehouse holds all of the batch's values or none of them, and at least one kill
must have caught the batch before its write committed. Finally the batch is run again, to the end, and the
warehouse holds exactly the file's values, once, under one batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import select

from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import Batch
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.ingest.sources import parse_definition, register_source
from govpulse.ingest.warehouse_sync import sync_dimensions
from govpulse.warehouse import connect
from tests.ingest.ingest_world import NOW, TREE, csv_source, seed_catalog

VILLAGES = [f"V{n:04d}" for n in range(1000)]
DAYS = [date(2026, 8, 18) + timedelta(days=n) for n in range(100)]
MONTHS = ["202608", "202609", "202610", "202611"]
CHILD = """
import sys
from datetime import datetime
from govpulse.catalog.db import make_engine, make_session_factory
from govpulse.ingest.batches import IngestStores, run_source
from govpulse.ingest.sources import parse_definition, register_source
from govpulse.ingest.warehouse_sync import sync_dimensions
from govpulse.warehouse import connect
warehouse = connect(sys.argv[2])
report = run_source(IngestStores(make_session_factory(make_engine(sys.argv[1])), warehouse), "big",
                    since=None, now=datetime.fromisoformat(sys.argv[3]), triggered_by=sys.argv[4])
warehouse.close()
print(report.status, report.error)
"""


def big_tree() -> list[dict]:
    extra = [{"code": code, "name": f"Village {code}", "kind": "village", "level": 4,
              "path": f"/24/449/3700/{code}/", "parent_code": "3700"} for code in VILLAGES]
    return TREE + extra


def write_big_file(folder: Path) -> tuple[float, int]:
    """100,000 rows: every village, every day; returns the sum and number of births values."""
    folder.mkdir()
    rng = np.random.default_rng(7)
    n = len(VILLAGES) * len(DAYS)
    births = rng.integers(0, 50, n)
    table = pa.table({
        "village": np.repeat(VILLAGES, len(DAYS)),
        "date": np.tile([d.strftime("%d-%m-%Y") for d in DAYS], len(VILLAGES)),
        "births": births,
        "rain": rng.integers(0, 300, n),
    })
    pacsv.write_csv(table, folder / "big.csv")
    return float(births.sum()), n


def stored_births(warehouse_url: str) -> tuple[float, int]:
    """(sum, count) of the stored births over the four months, after finishing any pending rollup."""
    warehouse = connect(warehouse_url)
    try:
        if warehouse.pending():
            warehouse.rollup()
        rows = warehouse.data_values(["births"], ["24"], MONTHS).to_pylist()
        return sum(r["sum"] for r in rows), sum(r["count"] for r in rows)
    finally:
        warehouse.close()


def start_child(catalog_url: str, warehouse_url: str, name: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-c", CHILD, catalog_url, warehouse_url, NOW.isoformat(), name],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)


def batch_state(factory) -> tuple[str, str] | None:
    """(status, triggered_by) of the one batch, or None before it exists."""
    with factory() as session:
        row = session.execute(select(Batch.status, Batch.triggered_by)).first()
        return None if row is None else tuple(row)


def test_sigkill_half_way_then_rerun_gives_exactly_the_values(tmp_path):
    catalog_url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    warehouse_url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    engine = make_engine(catalog_url)
    migrate(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        seed_catalog(session)
        OrgUnitRepository(session).replace_all(big_tree())
        session.commit()
        with connect(warehouse_url) as warehouse:
            sync_dimensions(session, warehouse)
    expected = write_big_file(tmp_path / "drop")
    with factory() as session:
        register_source(session, parse_definition(csv_source(
            "big", tmp_path / "drop", {"org_unit": "village", "period": {"date_column": "date"},
                                       "values": {"births": "births", "rain": "rainfall_mm"}})))
        session.commit()

    outcomes = []
    for attempt, delay in enumerate((0.0, 0.06, 0.12, 0.2)):
        name = f"attempt {attempt}"
        child = start_child(catalog_url, warehouse_url, name)
        deadline = time.monotonic() + 60
        while batch_state(factory) != ("running", name) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)  # until this child has recorded the batch: the warehouse write comes next
        time.sleep(delay)
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
        stored = stored_births(warehouse_url)
        assert stored in ((0.0, 0), expected), f"after a kill {delay} s into the write: {stored} of {expected}"
        outcomes.append((batch_state(factory)[0], stored == expected))
        if outcomes[-1][0] == "succeeded":
            break  # the child finished before the kill: longer delays cannot do better
    assert ("running", False) in outcomes, f"no kill caught the batch before its write committed: {outcomes}"

    child = start_child(catalog_url, warehouse_url, "the rerun")
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    finished_before = outcomes[-1][0] == "succeeded"
    assert out.startswith("already loaded" if finished_before else "succeeded"), (out, outcomes)
    assert stored_births(warehouse_url) == expected
    with factory() as session:
        batches = session.scalars(select(Batch)).all()
        assert [(b.status, b.rows_read, b.rows_rejected) for b in batches] == [("succeeded", 100_000, 0)]
    warehouse = connect(warehouse_url)
    try:
        sample = warehouse.data_values(["rainfall_mm"], ["V0000"], ["20260818"]).to_pylist()
        assert len(sample) == 1 and sample[0]["count"] == 1
    finally:
        warehouse.close()
    engine.dispose()
