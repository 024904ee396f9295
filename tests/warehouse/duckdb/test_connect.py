"""DuckDB-only: URLs and options understood by ``connect``."""

from __future__ import annotations

from pathlib import Path

import pytest

from govpulse.warehouse import HasLineage, CanCompact, backends, connect
from govpulse.warehouse.duckdb import DuckDBWarehouse
from govpulse.warehouse.errors import UnsupportedUrl


def test_duckdb_urls_open_files_or_memory(tmp_path: Path) -> None:
    assert "duckdb" in backends()
    with connect(f"duckdb://{tmp_path / 'a.duckdb'}?threads=1&memory_limit=512MB") as wh:
        assert isinstance(wh, DuckDBWarehouse) and wh.path == str(tmp_path / "a.duckdb")
        assert wh.supports(HasLineage) and wh.supports(CanCompact)
    assert (tmp_path / "a.duckdb").exists()
    with connect("duckdb:///:memory:") as memory:
        assert memory.path == ":memory:"


def test_bad_urls_are_refused_by_name() -> None:
    with pytest.raises(UnsupportedUrl, match="no warehouse backend for 'clickhouse://x'"):
        connect("clickhouse://x")
    with pytest.raises(UnsupportedUrl, match="unknown duckdb option"):
        connect("duckdb:///:memory:?colour=blue")
    with pytest.raises(UnsupportedUrl, match="period_types"):
        connect("duckdb:///:memory:?period_types=Fortnightly")
