"""Warehouse benchmark: load, full rollup, one day's incremental update, drill-down latency, peak memory.

A synthetic Gujarat-shaped tree (1 state, 33 districts, 250 talukas, 18,000 villages: 4 levels), daily data
elements each reported by a fixed random set of villages, one write per day of data (a batch of
data_elements x org_units_per_element values). Rollups kept for month, quarter and April financial year
by default (``--period-types``), as in the design measurement.

    .venv/bin/python bench/warehouse_bench.py --days 5            # 10M leaf values
    .venv/bin/python bench/warehouse_bench.py --days 50           # 100M leaf values
    .venv/bin/python bench/warehouse_bench.py --days 5 --postgres # plus the PostgreSQL GROUP BY comparison

Prints one JSON object with every number (``--json-out`` also writes it to a file).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from govpulse.core.indicators import IndicatorSpec  # noqa: E402
from govpulse.warehouse import connect  # noqa: E402

START = date(2026, 2, 20)  # 50 days cross a month, a quarter and the financial-year boundary
DISTRICTS, TALUKAS, VILLAGES = 33, 250, 18_000
AGGREGATIONS = ["SUM"] * 7 + ["LAST", "AVERAGE_SUM_ORG_UNIT", "MAX"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_tree() -> pa.Table:
    rng = np.random.default_rng(7)
    codes, parents, paths, levels, kinds = ["24"], [None], ["/24/"], [1], ["state"]
    districts = [f"D{d:02d}" for d in range(DISTRICTS)]
    for d in districts:
        codes.append(d), parents.append("24"), paths.append(f"/24/{d}/"), levels.append(2), kinds.append("district")
    taluka_district = np.sort(np.concatenate([np.arange(DISTRICTS), rng.integers(0, DISTRICTS, TALUKAS - DISTRICTS)]))
    talukas = []
    for t, d in enumerate(taluka_district):
        code, parent = f"T{t:03d}", districts[d]
        talukas.append((code, f"/24/{parent}/{code}/"))
        codes.append(code), parents.append(parent), paths.append(talukas[-1][1]), levels.append(3)
        kinds.append("taluka")
    village_taluka = np.sort(np.concatenate([np.arange(TALUKAS), rng.integers(0, TALUKAS, VILLAGES - TALUKAS)]))
    for v, t in enumerate(village_taluka):
        code = f"V{v:05d}"
        codes.append(code), parents.append(talukas[t][0]), paths.append(f"{talukas[t][1]}{code}/")
        levels.append(4), kinds.append("village")
    return pa.table({"code": codes, "parent_code": parents, "path": paths, "level": levels, "kind": kinds})


class Workload:
    """Data elements, who reports each, and one day's batch as Arrow with dictionary-encoded codes."""

    def __init__(self, elements: int, per_element: int, seed: int = 11):
        self.rng = np.random.default_rng(seed)
        self.elements = [f"de{i:04d}" for i in range(elements)]
        self.villages = pa.array([f"V{v:05d}" for v in range(VILLAGES)])
        # Each element's reporting villages: a fixed random sample (spread over the state: the worst case).
        self.reporters = np.concatenate(
            [np.sort(self.rng.choice(VILLAGES, per_element, replace=False)) for _ in range(elements)]
        ).astype(np.int32)
        self.element_index = np.repeat(np.arange(elements, dtype=np.int32), per_element)

    def data_elements(self) -> pa.Table:
        return pa.table(
            {
                "code": self.elements,
                "aggregation_type": [AGGREGATIONS[i % len(AGGREGATIONS)] for i in range(len(self.elements))],
                "period_type": ["Daily"] * len(self.elements),
                "reported_at": [["village"]] * len(self.elements),
            }
        )

    def day(self, day: date) -> pa.Table:
        n = len(self.element_index)
        return pa.table(
            {
                "data_element": pa.DictionaryArray.from_arrays(self.element_index, pa.array(self.elements)),
                "org_unit": pa.DictionaryArray.from_arrays(self.reporters, self.villages),
                "period": pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), pa.array([day.strftime("%Y%m%d")])),
                "value": self.rng.integers(0, 1000, n).astype(np.float64),
            }
        )


def drilldown_latency(wh, workload: Workload, tree: pa.Table, days: int, queries: int) -> dict:
    rng = random.Random(3)
    parents = [c for c, lvl in zip(tree.column("code").to_pylist(), tree.column("level").to_pylist()) if lvl < 4]
    last = START + timedelta(days=days - 1)
    periods = [last.strftime("%Y%m%d"), last.strftime("%Y%m"), f"{last.year}Q{(last.month + 2) // 3}",
               f"{last.year if last.month >= 4 else last.year - 1}April"]
    timings = {"children_values": [], "indicator_children": []}
    for i in range(queries):
        de = rng.choice(workload.elements)
        parent, period = rng.choice(parents), rng.choice(periods)
        began = time.perf_counter()
        wh.children_values([de], parent, [period])
        timings["children_values"].append(time.perf_counter() - began)
        if i % 4 == 0:
            spec = IndicatorSpec.parse("k", f"#{{{de}}}", f"#{{{rng.choice(workload.elements)}}}", 100)
            began = time.perf_counter()
            wh.indicator_values([spec], [period], parent_org_unit=parent)
            timings["indicator_children"].append(time.perf_counter() - began)
    return {
        name: {
            "queries": len(ts),
            "p50_ms": round(statistics.median(ts) * 1000, 2),
            "p95_ms": round(sorted(ts)[int(len(ts) * 0.95) - 1] * 1000, 2),
            "max_ms": round(max(ts) * 1000, 2),
        }
        for name, ts in timings.items()
    }


def run(args: argparse.Namespace) -> dict:
    folder = Path(args.dir or tempfile.mkdtemp(prefix="govpulse-bench-"))
    path = folder / "bench.duckdb"
    for leftover in folder.glob("bench.duckdb*"):
        leftover.unlink()
    url = f"duckdb://{path}?threads={args.threads}&memory_limit={args.memory_limit}&period_types={args.period_types}"
    result: dict = {
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GB",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "url": url,
    }
    tree = build_tree()
    workload = Workload(args.elements, args.per_element)
    wh = connect(url)
    wh.sync_org_units(tree)
    wh.sync_data_elements(workload.data_elements())
    batches = [workload.day(START + timedelta(days=d)) for d in range(min(args.days, 1))]
    load_seconds, generate_seconds, values = 0.0, 0.0, 0
    for d in range(args.days):
        began = time.perf_counter()
        batch = batches[0] if d == 0 else workload.day(START + timedelta(days=d))
        generate_seconds += time.perf_counter() - began
        began = time.perf_counter()
        values += wh.write(f"day-{d}", batch).inserted
        load_seconds += time.perf_counter() - began
        del batch
    batches.clear()
    result["leaf_values"] = values
    result["load_seconds"] = round(load_seconds, 2)
    result["generate_seconds_not_counted"] = round(generate_seconds, 2)
    rolled = wh.rollup(full=True)
    result["full_rollup_seconds"] = round(rolled.seconds, 2)
    result["rollup_rows"] = rolled.rows_written
    result["load_plus_rollup_seconds"] = round(load_seconds + rolled.seconds, 2)
    result["peak_rss_mb_after_load_and_rollup"] = round(peak_rss_mb())
    result["drilldown_after_full_rollup"] = drilldown_latency(wh, workload, tree, args.days, args.queries)
    # One more day, written and rolled up incrementally.
    batch = workload.day(START + timedelta(days=args.days))
    began = time.perf_counter()
    written = wh.write("next-day", batch)
    write_seconds = time.perf_counter() - began
    incremental = wh.rollup()
    result["incremental"] = {
        "values": written.inserted,
        "write_seconds": round(write_seconds, 2),
        "rollup_seconds": round(incremental.seconds, 2),
        "total_seconds": round(write_seconds + incremental.seconds, 2),
        "rollup_rows": incremental.rows_written,
    }
    # A late correction: 1,000 values of an earlier day change.
    old = workload.day(START + timedelta(days=1)).slice(0, 1000)
    began = time.perf_counter()
    wh.write("correction", old)
    corrected = wh.rollup()
    result["correction_1000_values_seconds"] = round(time.perf_counter() - began, 2)
    result["correction_rollup_seconds"] = round(corrected.seconds, 2)
    result["drilldown_after_incremental"] = drilldown_latency(wh, workload, tree, args.days + 1, args.queries)
    result["peak_rss_mb"] = round(peak_rss_mb())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["process_cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 1)
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["file_mb"] = round(path.stat().st_size / 2**20)
    result["tables"] = wh.stats()
    wh.close()
    if args.postgres:
        result["postgres"] = compare_with_postgres(path, folder, args, rolled.seconds)
    if not args.keep:
        for leftover in folder.glob("bench.duckdb*"):
            leftover.unlink()
    return result


CLASSIC_ROLLUP = """CREATE TABLE classic AS
SELECT a.anc, v.de, p.ptype, p.pstart, sum(v.value) AS s, count(*) AS n, min(v.value) AS lo, max(v.value) AS hi
  FROM value v
  JOIN org_ancestor a ON a.ou = v.ou
 CROSS JOIN LATERAL (VALUES (1, v.pstart), (3, CAST(date_trunc('month', v.pstart) AS DATE)),
                            (4, CAST(date_trunc('quarter', v.pstart) AS DATE)),
                            (7, CAST(date_trunc('year', v.pstart - INTERVAL '3 months') + INTERVAL '3 months' AS DATE)))
       AS p(ptype, pstart)
 GROUP BY a.anc, v.de, p.ptype, p.pstart"""
"""The textbook rollup: every leaf value x every ancestor (itself included) x day/month/quarter/FY, grouped.
The same text runs on DuckDB and PostgreSQL."""

OWN_MONTHS_PG = """CREATE TABLE own_months AS
SELECT de, ou, CAST(date_trunc('month', pstart) AS DATE) AS month, sum(value) AS sum_v, count(*) AS count_v,
       min(value) AS min_v, max(value) AS max_v, (array_agg(value ORDER BY pstart DESC))[1] AS last_v,
       max(pstart) AS last_at, (array_agg(value ORDER BY pstart))[1] AS first_v, min(pstart) AS first_at,
       max(stored_at) AS newest
  FROM value GROUP BY 1, 2, 3"""
"""What govpulse's full rollup computes (per org unit and month: sum, count, min, max, last, first), in
PostgreSQL's dialect."""


def compare_with_postgres(path: Path, folder: Path, args: argparse.Namespace, duck_rollup: float) -> dict:
    """The same data in PostgreSQL (schema of our own, dropped after): our rollup and the classic one."""
    import duckdb
    import psycopg

    values_csv, ancestors_csv = folder / "values.csv", folder / "ancestors.csv"
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute(f"COPY (SELECT de, ou, pstart, value, stored_at FROM value) TO '{values_csv}' (HEADER false)")
        con.execute(f"COPY (SELECT ou, anc FROM org_ancestor) TO '{ancestors_csv}' (HEADER false)")
        began = time.perf_counter()
        memory = duckdb.connect(config={"threads": str(args.threads)})
        memory.execute(f"CREATE TABLE value AS SELECT * FROM read_csv('{values_csv}', columns="
                       "{'de': 'INTEGER', 'ou': 'INTEGER', 'pstart': 'DATE', 'value': 'DOUBLE', 'stored_at': 'TIMESTAMP'})")
        memory.execute(f"CREATE TABLE org_ancestor AS SELECT * FROM read_csv('{ancestors_csv}', "
                       "columns={'ou': 'INTEGER', 'anc': 'INTEGER'})")
        began = time.perf_counter()
        memory.execute(CLASSIC_ROLLUP)
        duck_classic = time.perf_counter() - began
        classic_rows = memory.execute("SELECT count(*) FROM classic").fetchall()[0][0]
        memory.close()
    schema = f"govpulse_bench_{os.getpid()}"
    result: dict = {"server": "PostgreSQL at 127.0.0.1:5432, database test", "schema": schema}
    with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True) as pg:
        result["version"] = pg.execute("SHOW server_version").fetchone()[0]
        pg.execute(f"CREATE SCHEMA {schema}")
        try:
            pg.execute(f"SET search_path = {schema}")
            pg.execute("SET work_mem = '512MB'")
            pg.execute("SET max_parallel_workers_per_gather = 2")
            result["settings"] = "work_mem 512MB, max_parallel_workers_per_gather 2, tables UNLOGGED"
            pg.execute("CREATE UNLOGGED TABLE value (de int, ou int, pstart date, value float8, stored_at timestamp)")
            pg.execute("CREATE UNLOGGED TABLE org_ancestor (ou int, anc int)")
            began = time.perf_counter()
            for table, source in (("value", values_csv), ("org_ancestor", ancestors_csv)):
                with pg.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy, open(source, "rb") as f:
                    while chunk := f.read(1 << 22):
                        copy.write(chunk)
            pg.execute("ANALYZE value")
            result["load_seconds"] = round(time.perf_counter() - began, 1)
            began = time.perf_counter()
            pg.execute(OWN_MONTHS_PG)
            result["govpulse_rollup_seconds"] = round(time.perf_counter() - began, 1)
            began = time.perf_counter()
            pg.execute(CLASSIC_ROLLUP)
            result["classic_rollup_seconds"] = round(time.perf_counter() - began, 1)
            result["classic_rows"] = pg.execute("SELECT count(*) FROM classic").fetchone()[0]
        finally:
            pg.execute(f"DROP SCHEMA {schema} CASCADE")
    result["duckdb_govpulse_rollup_seconds"] = round(duck_rollup, 2)
    result["duckdb_classic_rollup_seconds"] = round(duck_classic, 2)
    result["duckdb_classic_rows"] = classic_rows
    result["ratio_govpulse_rollup"] = round(result["govpulse_rollup_seconds"] / duck_rollup, 1)
    result["ratio_classic_rollup"] = round(result["classic_rollup_seconds"] / duck_classic, 1)
    values_csv.unlink()
    ancestors_csv.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=5, help="days of data (2M values a day by default)")
    parser.add_argument("--elements", type=int, default=5000)
    parser.add_argument("--per-element", type=int, default=400, help="villages reporting each data element")
    parser.add_argument("--period-types", default="Monthly,Quarterly,FinancialApril")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--dir", help="folder for the DuckDB file (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the DuckDB file")
    parser.add_argument("--postgres", action="store_true", help="also time PostgreSQL on the same rollup")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    result = run(args)
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.json_out:
        Path(args.json_out).write_text(text)


if __name__ == "__main__":
    main()
