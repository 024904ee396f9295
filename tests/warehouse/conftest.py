"""Shared warehouse fixtures: a warehouse for every registered backend, and a small hand-made tree.

``warehouse`` is parametrised over ``govpulse.warehouse.backends()``: every test under ``contract/`` runs
against each backend. A backend that cannot do something a contract test needs marks the test with
``pytest.mark.xfail(reason=...)`` naming itself and the gap (none yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from govpulse.warehouse import Warehouse, backends, connect

# How to open a fresh, file-backed warehouse of each backend in a test's temporary folder.
BACKEND_URLS: dict[str, Callable[[Path], str]] = {
    "duckdb": lambda folder: f"duckdb://{folder / 'warehouse.duckdb'}?threads=2&memory_limit=1GB",
}


def tree_table(parents: dict[str, str | None], kinds: dict[str, str] | None = None) -> pa.Table:
    """An org-unit table from {code: parent code}; parents must come before their children."""
    paths: dict[str, str] = {}
    levels: dict[str, int] = {}
    for code, parent in parents.items():
        paths[code] = f"{paths[parent] if parent else '/'}{code}/"
        levels[code] = levels[parent] + 1 if parent else 1
    has_children = {p for p in parents.values() if p}
    return pa.table(
        {
            "code": list(parents),
            "parent_code": list(parents.values()),
            "path": [paths[c] for c in parents],
            "level": [levels[c] for c in parents],
            "kind": [(kinds or {}).get(c, "district" if c in has_children else "village") for c in parents],
        }
    )


def elements_table(rows: list[tuple[str, str, str]], reported_at: list[str] | None = None) -> pa.Table:
    """A data-element table from (code, aggregation type, period type) rows."""
    return pa.table(
        {
            "code": [r[0] for r in rows],
            "aggregation_type": [r[1] for r in rows],
            "period_type": [r[2] for r in rows],
            "reported_at": [reported_at if reported_at is not None else ["village"] for _ in rows],
        }
    )


def values_table(rows: list[tuple], disaggregation: bool = False) -> pa.Table:
    """A values table from (data_element, org_unit, period, value[, disaggregation]) rows."""
    columns = {
        "data_element": [r[0] for r in rows],
        "org_unit": [r[1] for r in rows],
        "period": [r[2] for r in rows],
        "value": [float(r[3]) for r in rows],
    }
    if disaggregation:
        columns["disaggregation"] = [r[4] for r in rows]
    return pa.table(columns)


def by_key(table: pa.Table, *keys: str) -> dict[tuple, dict]:
    """Rows of a result table keyed by one column, or by a tuple of several."""
    if len(keys) == 1:
        return {row[keys[0]]: row for row in table.to_pylist()}
    return {tuple(row[k] for k in keys): row for row in table.to_pylist()}


@pytest.fixture(params=backends())
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return BACKEND_URLS[request.param](tmp_path)


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    with connect(warehouse_url) as opened:
        yield opened
