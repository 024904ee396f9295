"""DuckDB-only: what lands in the file. One transaction per write and per rollup (a killed process leaves
all or nothing), a late correction rewrites only the corrected org unit's rows, files reopen as they were."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from govpulse.warehouse import connect
from govpulse.warehouse.duckdb import DuckDBWarehouse

from ..conftest import elements_table, tree_table, values_table

TREE = {"S": None, "D1": "S", "D2": "S", "V1": "D1", "V2": "D1", "V3": "D2"}


def url(folder: Path, extra: str = "") -> str:
    return f"duckdb://{folder / 'wh.duckdb'}?threads=2&memory_limit=1GB{extra}"


def open_small(folder: Path, extra: str = "") -> DuckDBWarehouse:
    wh = connect(url(folder, extra))
    wh.sync_org_units(tree_table(TREE))
    wh.sync_data_elements(elements_table([("cases", "SUM", "Daily"), ("stock", "LAST", "Daily")]))
    return wh


def test_a_late_correction_rewrites_only_the_corrected_org_units_rows(tmp_path: Path) -> None:
    wh = open_small(tmp_path)
    days = [f"202604{d:02d}" for d in range(1, 11)]
    wh.write("b1", values_table([(de, ou, day, 1) for de in ("cases", "stock") for ou in ("V1", "V2", "V3")
                                 for day in days]))
    first = wh.rollup()
    assert first.full
    wh.write("late", values_table([("cases", "V2", "20260405", 100)]))
    second = wh.rollup()
    assert not second.full and second.leaf_values == 1
    rewritten = wh.query("SELECT DISTINCT de, ou, ptype FROM rollup WHERE run = 2").to_pylist()
    v2, cases = wh._dims.org_units["V2"], wh._dims.data_elements["cases"].id  # ids of what was corrected
    assert {(r["de"], r["ou"]) for r in rewritten} == {(cases, v2)}
    assert len(rewritten) == 2  # its week and its month; the quarter and the year are read from the month
    (row,) = wh.data_values(["cases"], ["S"], ["2026April"]).to_pylist()
    assert row["value"] == 29 + 100
    wh.close()


def test_a_reopened_file_has_everything_and_rolls_up_incrementally(tmp_path: Path) -> None:
    wh = open_small(tmp_path)
    wh.write("b1", values_table([("cases", "V1", "20260401", 3)]))
    wh.rollup()
    wh.write("b2", values_table([("cases", "V3", "20260402", 4)]))
    wh.close()
    again = connect(url(tmp_path))
    assert again.pending() == 1
    assert not again.rollup().full
    assert again.data_values(["cases"], ["S"], ["202604"]).to_pylist()[0]["value"] == 7
    again.close()


def test_a_changed_tree_or_period_types_force_a_full_rollup(tmp_path: Path) -> None:
    wh = open_small(tmp_path)
    wh.write("b1", values_table([("cases", "V1", "20260401", 3), ("cases", "V3", "20260401", 4)]))
    wh.rollup()
    moved = dict(TREE, V3="D1")  # V3 moves to D1
    wh.sync_org_units(tree_table(moved))
    assert wh.pending() == 2
    assert wh.rollup().full
    assert wh.children_values(["cases"], "S", ["202604"]).to_pylist()[0]["value"] == 7
    wh.close()
    fewer = connect(url(tmp_path, "&period_types=Monthly"))
    assert fewer.period_types == frozenset({"Monthly"})
    assert fewer.rollup().full
    assert fewer.data_values(["cases"], ["S"], ["2026W14"]).num_rows == 0
    assert fewer.data_values(["cases"], ["S"], ["202604"]).num_rows == 1
    fewer.close()


def test_removing_an_org_unit_that_has_values_is_refused(tmp_path: Path) -> None:
    from govpulse.warehouse.errors import TreeConflict

    wh = open_small(tmp_path)
    wh.write("b1", values_table([("cases", "V3", "20260401", 3)]))
    without = {k: v for k, v in TREE.items() if k != "V3"}
    with pytest.raises(TreeConflict, match="'V3' have stored values"):
        wh.sync_org_units(tree_table(without))
    wh.sync_org_units(tree_table({k: v for k, v in TREE.items() if k != "V2"}))  # V2 has none: fine
    wh.close()


_WRITER = textwrap.dedent(
    """
    import sys, numpy as np, pyarrow as pa
    sys.path.insert(0, {src!r})
    from govpulse.warehouse import connect
    wh = connect({url!r})
    n = 3_000_000
    batch = pa.table({{
        "data_element": pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), pa.array(["cases"])),
        "org_unit": pa.DictionaryArray.from_arrays((np.arange(n) % 3).astype(np.int32), pa.array(["V1", "V2", "V3"])),
        "period": pa.DictionaryArray.from_arrays((np.arange(n) // 3 % 10000).astype(np.int32),
            pa.array([f"{{y}}{{m:02d}}{{d:02d}}" for y in range(2000, 2030) for m in range(1, 13) for d in range(1, 29)][:10000])),
        "disaggregation": pa.DictionaryArray.from_arrays((np.arange(n) // 30000).astype(np.int32), pa.array([f"x{{i}}" for i in range(100)])),
        "value": np.ones(n),
    }})
    print("writing", flush=True)
    wh.{action}
    print("done", flush=True)
    """
)


@pytest.mark.parametrize("action", ['write("big", batch)', 'rollup(full=True)'])
def test_a_process_killed_mid_write_leaves_all_or_nothing(tmp_path: Path, action: str) -> None:
    wh = open_small(tmp_path)
    wh.write("first", values_table([("cases", "V1", "20260401", 3)]))
    wh.rollup()
    if action.startswith("rollup"):
        wh.write("second", values_table([("cases", "V2", "20260401", 4)]))
    before = wh.stats()
    wh.close()
    src = str(Path(__file__).resolve().parents[3] / "src")
    script = _WRITER.format(src=src, url=url(tmp_path), action=action)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    time.sleep(0.3)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    after = connect(url(tmp_path))
    stats = after.stats()
    assert stats["value"] in (before["value"], before["value"] + 3_000_000)
    assert stats["write_log"] - before["write_log"] == (stats["value"] - before["value"]) // 3_000_000
    if action.startswith("rollup"):
        assert after.pending() in (0, 1)
        assert after.rollup().leaf_values >= 0
    (row,) = after.data_values(["cases"], ["S"], ["20260401"]).to_pylist()
    assert row["value"] == (3 if action.startswith("write") else 7)
    after.close()


def test_compacting_keeps_every_value(tmp_path: Path) -> None:
    wh = open_small(tmp_path)
    wh.write("b1", values_table([("cases", ou, f"2026040{d}", d) for ou in ("V3", "V1") for d in range(1, 8)]))
    wh.rollup()
    wh.write("b2", values_table([("cases", "V2", "20260403", 5)]))
    wh.rollup()
    before = wh.data_values(["cases"], ["S", "D1", "V1"], ["20260403", "202604", "2026April"])
    wh.compact()
    assert wh.data_values(["cases"], ["S", "D1", "V1"], ["20260403", "202604", "2026April"]).equals(before)
    order = wh.query("SELECT pstart, de, ou FROM value").to_pylist()
    assert order == sorted(order, key=lambda r: (r["pstart"], r["de"], r["ou"]))
    wh.close()
