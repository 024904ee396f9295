"""The overview's department tiles and the state scorecard as analytics calls, cold and from the read cache.

Four calls on a demo home, each timed ``--runs`` times after one untimed call:

    department_summaries at the state as CMO staff (every department)
    department_summaries at Ahmadabad (438) as its Collector (his district, every department)
    scorecard of Health at the state (indicators x 33 districts) as CMO staff
    warm_department_summaries (the state and its 33 districts, what the lead's post-rollup hook runs)

"cold" drops the warehouse read cache before every call (what the first reader after a write pays without
warming); "kept" leaves it (every later reader, or the first one after warming). Where the source has no read
cache (``--src`` pointing at an older tree) there is one row per call.

    .venv/bin/python bench/overview_bench.py --home /tmp/gp-demo            # prints one JSON object
    .venv/bin/python bench/overview_bench.py --home /tmp/gp-demo --record   # and appends to RESULTS.md
    .venv/bin/python bench/overview_bench.py --home /tmp/gp-demo --src /tmp/old/src   # another source tree
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _time(call: Callable[[], object], runs: int, before: Callable[[], None]) -> dict:
    before()
    call()  # untimed: SQL statements compile, cursors open
    times = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {"n": runs, "p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1)}


def run(home: Path, runs: int, period: str, today: date) -> dict:
    from govpulse.analytics.scorecard import department_summaries, scorecard
    from govpulse.core.access import AssignmentFacts, Placement, build_scope
    from govpulse.installation import open_stores
    from govpulse.settings import Settings

    try:
        from govpulse.analytics import read_cache, warming
    except ImportError:  # a source tree from before the read cache
        read_cache = warming = None

    cmo = build_scope([AssignmentFacts("cmo", Placement("24", "/24/", "state"))])
    collector = build_scope([AssignmentFacts("collector", Placement("438", "/24/438/", "district"))])
    results: dict[str, dict] = {}
    load_start = os.getloadavg()[0]
    with open_stores(Settings(home=home)) as (session, warehouse):
        calls = {
            "department_summaries, state, CMO": lambda: department_summaries(
                session, warehouse, cmo, org_unit="24", period=period, today=today),
            "department_summaries, Ahmadabad (438), Collector": lambda: department_summaries(
                session, warehouse, collector, org_unit="438", period=period, today=today),
            "scorecard, Health, state x 33 districts, CMO": lambda: scorecard(
                session, warehouse, cmo, org_unit="24", period=period, department="HEALTH", today=today),
        }

        def drop() -> None:
            if read_cache is not None:
                read_cache.cache_for(warehouse).clear()

        for name, call in calls.items():
            if read_cache is None:  # nothing is kept: one row says it all
                results[name] = _time(call, runs, drop)
                continue
            results[f"{name} (cold)"] = _time(call, runs, drop)
            results[f"{name} (kept)"] = _time(call, runs, lambda: None)
        if warming is not None:
            results["warm_department_summaries (state + 33 districts, cold)"] = _time(
                lambda: warming.warm_department_summaries(session, warehouse, today=today, period=period),
                max(3, runs // 5), drop)
        counts = warehouse.stats() if hasattr(warehouse, "stats") else {}
    return {"date": date.today().isoformat(), "home": str(home), "period": period, "today": today.isoformat(),
            "runs": runs, "load_avg_start": round(load_start, 2), "load_avg_end": round(os.getloadavg()[0], 2),
            "warehouse": counts, "calls": results}


def record(result: dict, label: str) -> None:
    rows = result["warehouse"]
    lines = ["", f"## Overview tiles and state scorecard as analytics calls{label} ({result['date']})", "",
             "`.venv/bin/python bench/overview_bench.py --home <demo home>` (2 cores, 23 GB): the full demo "
             f"({rows.get('org_unit', '?'):,} org units, 26 departments, 322 indicators, {rows.get('value', 0):,} "
             f"leaf values), period {result['period']}, today {result['today']}, {result['runs']} runs per row after "
             "one untimed call. Cold: the read cache dropped before each call; kept: left as the previous call "
             f"left it. Load average {result['load_avg_start']} at start, {result['load_avg_end']} at the end.", "",
             "| call | p50 ms | p95 ms | max ms |", "|---|---|---|---|"]
    for name, row in result["calls"].items():
        lines.append(f"| {name} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} |")
    lines.append("")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True, help="A home built with `govpulse demo --no-serve`.")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--period", default=None, help="Period id (default: the last complete month).")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parents[1] / "src",
                        help="The source tree to measure (default: this checkout's).")
    parser.add_argument("--record", action="store_true", help="Append the result to bench/RESULTS.md.")
    parser.add_argument("--label", default="", help="Words added to the recorded heading, e.g. ', before'.")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src))
    from govpulse.core.periods import PeriodType, period_of

    period = args.period or period_of(args.today, PeriodType.MONTHLY).previous().id
    result = run(args.home, args.runs, period, args.today)
    print(json.dumps(result, indent=2))
    if args.record:
        record(result, args.label)


if __name__ == "__main__":
    main()
