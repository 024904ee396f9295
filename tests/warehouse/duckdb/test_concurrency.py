"""DuckDB-only: reads from many threads (a web server's pool) while the single writer writes and rolls up."""

from __future__ import annotations

import threading
from pathlib import Path

from govpulse.warehouse import connect

from ..conftest import elements_table, tree_table, values_table


def test_reader_threads_see_whole_writes_only(tmp_path: Path) -> None:
    wh = connect(f"duckdb://{tmp_path / 'wh.duckdb'}")
    wh.sync_org_units(tree_table({"S": None, "V1": "S", "V2": "S"}))
    wh.sync_data_elements(elements_table([("cases", "SUM", "Daily")]))
    seen: list[float] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                rows = wh.data_values(["cases"], ["S"], ["20260401"]).to_pylist()
                seen.append(rows[0]["value"] if rows else 0.0)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for i in range(1, 21):
        # each write adds 1 to V1 and 1 to V2, so any committed state is an even total
        wh.write(f"b{i}", values_table([("cases", "V1", "20260401", i), ("cases", "V2", "20260401", i)]))
        wh.rollup()
    done.set()
    for reader in readers:
        reader.join()
    assert not errors
    assert seen and all(value % 2 == 0 for value in seen)
    assert wh.data_values(["cases"], ["S"], ["20260401"]).to_pylist()[0]["value"] == 40
    wh.close()
