"""Dashboard page and fragment response times on the demo data (p50 / p95 / max per kind of request).

Requests go through the whole app in-process (FastAPI, sign-in by bearer token, scope, analytics, warehouse,
Jinja), without a network in between, as CMO staff (the whole state: the largest pages). Each kind of request
is sampled over many indicators and org units chosen with a fixed seed:

    drill (state/district/taluka/ULB)   /drill/{indicator}/{org_unit}: map + table of the children
    drill table (htmx)                  the same with HX-Target: drill-table (a sort)
    trend (htmx)                        /drill/{indicator}/{org_unit}/trend: 13 months of the parent
    map layer                           /maps/{org_unit}.geojson (the browser caches it for an hour)
    export CSV / Excel                  /export/drilldown.csv|xlsx
    wall view                           /wall/views/drill:{indicator}
    overview page, its department tiles and KPIs (htmx), department scorecards, indicator pages, the flag inbox,
    opening a flag (root cause, then a redirect to the drill-down), the wall's overview view
    the department tiles as the Collector of Ahmadabad (438), and GET /api/v1/overview for the state

``--warm`` first runs ``analytics.warming.warm_department_summaries`` in the app's process (what follows each
rollup), so the tiles are timed as every reader after a warm-up meets them; ``--only WORDS`` times only the
kinds whose name contains WORDS (repeatable).

Each request kind is warmed up once first (Jinja compiles templates, the map layers load) and not timed.

    .venv/bin/govpulse --home /tmp/gp-demo demo --no-serve      # once: the Gujarat demo (about a minute)
    .venv/bin/python bench/pages_bench.py --home /tmp/gp-demo            # prints one JSON object
    .venv/bin/python bench/pages_bench.py --home /tmp/gp-demo --record   # and appends a section to RESULTS.md
    .venv/bin/python bench/pages_bench.py --home /tmp/gp-demo --warm --only overview --only scorecard
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

from govpulse.catalog.audit import Actor, set_actor  # noqa: E402
from govpulse.catalog.models import Flag, Indicator, OrgUnit  # noqa: E402
from govpulse.catalog.repositories.credentials import TokenRepository  # noqa: E402
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository  # noqa: E402
from govpulse.core.periods import PeriodType, period_of  # noqa: E402
from govpulse.core.scope import Scope  # noqa: E402
from govpulse.settings import Settings  # noqa: E402
from govpulse.web.app import create_app  # noqa: E402
from govpulse.web.ui.dashboard import install_page_problems  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
BENCH_USER = "bench.pages"
BENCH_COLLECTOR = "bench.pages.collector"  # Collector of Ahmadabad
BUDGET_MS = 300


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _token(app, username: str = BENCH_USER, role: str = "cmo", org_unit: str = "24") -> str:
    with app.state.session_factory() as session:
        set_actor(session, Actor.system("pages benchmark"))
        users = UserRepository(session)
        user = users.for_sign_in(username) or users.create(
            Scope.system(), username=username, assignments=[AssignmentSpec(role=role, org_unit=org_unit)])
        _token, secret = TokenRepository(session).create(user, Scope.system(), name="pages benchmark")
        session.commit()
    return secret


def _sample_units(app, rng: random.Random) -> dict[str, list[str]]:
    with app.state.session_factory() as session:
        rows = session.execute(select(OrgUnit.code, OrgUnit.kind)).all()
        indicators = list(session.scalars(select(Indicator.code)))
        flags = [str(i) for i in session.scalars(select(Flag.id).where(Flag.status == "open"))]
    by_kind: dict[str, list[str]] = {}
    for code, kind in rows:
        by_kind.setdefault(kind, []).append(code)
    state = by_kind["state"]
    return {"state": state, "district": by_kind.get("district", state), "taluka": by_kind.get("taluka", state),
            "ulb": [c for c in by_kind.get("ulb", []) if c in {"251096", "251209"}] or by_kind.get("ulb", state),
            "village": by_kind.get("village", state), "indicator": indicators, "flag": flags or ["1"]}


def request_kinds(units: dict[str, list[str]]) -> dict[str, Callable[[random.Random], tuple]]:
    """Request kind -> a function giving (path, extra headers) for a random sample."""
    pick = random.Random.choice

    def drill(kind):
        return lambda rng: (f"/drill/{pick(rng, units['indicator'])}/{pick(rng, units[kind])}", {})

    kinds = {
        "drill page: state (33 districts)": drill("state"),
        "drill page: district (talukas, ULBs)": drill("district"),
        "drill page: taluka (villages)": drill("taluka"),
        "drill page: city (wards)": drill("ulb"),
        "drill page: village": drill("village"),
        "drill table fragment (sort)": lambda rng: (
            f"/drill/{pick(rng, units['indicator'])}/{pick(rng, units['district'])}?sort=value&order=desc",
            {"HX-Request": "true", "HX-Target": "drill-table"}),
        "trend fragment (13 months)": lambda rng: (
            f"/drill/{pick(rng, units['indicator'])}/{pick(rng, units['district'] + units['taluka'])}/trend",
            {"HX-Request": "true"}),
        "map layer (GeoJSON)": lambda rng: (f"/maps/{pick(rng, units['state'] + units['district'] + units['taluka'])}"
                                           ".geojson", {}),
        "export CSV (district)": lambda rng: (
            f"/export/drilldown.csv?indicator={pick(rng, units['indicator'])}&org_unit={pick(rng, units['district'])}",
            {}),
        "export Excel (taluka)": lambda rng: (
            f"/export/drilldown.xlsx?indicator={pick(rng, units['indicator'])}&org_unit={pick(rng, units['taluka'])}",
            {}),
        "wall view (state map)": lambda rng: (f"/wall/views/drill:{pick(rng, units['indicator'])}", {}),
    }
    departments = ["HEALTH", "EDUCATION", "REVENUE", "AGRICULTURE", "URBAN"]
    kinds.update({
        "overview page (KPIs, flags, freshness)": lambda rng: ("/", {}),
        "overview: department tiles (htmx)": lambda rng: ("/overview/departments", {"HX-Request": "true"}),
        "overview: headline KPIs (htmx)": lambda rng: ("/overview/kpis", {"HX-Request": "true"}),
        "department scorecard (state x 33 districts)": lambda rng: (f"/departments/{pick(rng, departments)}", {}),
        "department scorecard (district x talukas)": lambda rng: (
            f"/departments/{pick(rng, departments)}?org_unit={pick(rng, units['district'])}", {}),
        "indicator page (ranking, distribution)": lambda rng: (f"/indicators/{pick(rng, units['indicator'])}", {}),
        "flag inbox": lambda rng: (f"/flags?severity={pick(rng, ['critical', 'high', 'medium', ''])}", {}),
        "open a flag (root cause, redirect)": lambda rng: (f"/flags/{pick(rng, units['flag'])}", {}),
        "wall view: overview": lambda rng: ("/wall/views/overview", {"HX-Request": "true"}),
    })
    return kinds


def overview_kinds(collector_token: str, period: str) -> dict[str, Callable[[random.Random], tuple]]:
    """The overview's department tiles as a Collector (his district), and their JSON twin for the state."""
    as_collector = {"HX-Request": "true", "Authorization": f"Bearer {collector_token}"}
    return {
        "overview: department tiles (htmx), Collector of Ahmadabad": lambda rng: ("/overview/departments",
                                                                                 as_collector),
        "API /api/v1/overview (state, every department)": lambda rng: (
            f"/api/v1/overview?org_unit=24&period={period}", {}),
    }


def _warm(app) -> dict:
    """What the lead's post-rollup hook does: fill the read cache for the state and its districts."""
    from govpulse.analytics.warming import warm_department_summaries
    from govpulse.web.deps import warehouse_of
    from govpulse.web.ui.periods import today_in

    with app.state.session_factory() as session:
        warmed = warm_department_summaries(session, warehouse_of(app), today=today_in(app.state.settings.timezone))
    return {"org_units": warmed.org_units, "kept": warmed.kept, "seconds": warmed.seconds}


def run(home: Path, samples: int, seed: int, only: list[str] | None = None, warm: bool = False) -> dict:
    os.environ.setdefault("GOVPULSE_SESSION_COOKIE_SECURE", "false")
    app = create_app(Settings(home=home, token_rate_limit_per_minute=0))
    install_page_problems(app)
    token = _token(app)
    collector = _token(app, BENCH_COLLECTOR, "collector", "438")
    rng = random.Random(seed)
    units = _sample_units(app, rng)
    kinds = request_kinds(units)
    kinds.update(overview_kinds(collector, period_of(date.today(), PeriodType.MONTHLY).previous().id))
    if only:
        kinds = {name: make for name, make in kinds.items() if any(words in name for words in only)}
    results: dict[str, dict] = {}
    load_start = os.getloadavg()[0]
    warmed = None
    with TestClient(app, base_url="https://bench", headers={"Authorization": f"Bearer {token}"},
                    raise_server_exceptions=False) as client:
        if warm:
            warmed = _warm(app)
        for name, make in kinds.items():
            path, headers = make(rng)
            client.get(path, headers=headers, follow_redirects=False)  # warm-up: templates compile, map layers load
            times, statuses, sizes = [], {}, []
            for _ in range(samples):
                path, headers = make(rng)
                started = time.perf_counter()
                response = client.get(path, headers=headers, follow_redirects=False)
                times.append((time.perf_counter() - started) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                sizes.append(len(response.content))
            results[name] = {"n": samples, "p50_ms": round(statistics.median(times), 1),
                             "p95_ms": round(percentile(times, 0.95), 1), "max_ms": round(max(times), 1),
                             "kb_median": round(statistics.median(sizes) / 1024, 1), "statuses": statuses}
    return {"date": date.today().isoformat(), "home": str(home), "samples_per_kind": samples, "seed": seed,
            "load_avg_start": round(load_start, 2), "load_avg_end": round(os.getloadavg()[0], 2),
            "budget_ms": BUDGET_MS, "warmed": warmed, "requests": results}


def record(result: dict) -> None:
    lines = ["", f"## Dashboard pages and fragments: response times on the Gujarat demo ({result['date']})", "",
             "`.venv/bin/python bench/pages_bench.py --home <demo home>` (2 cores): the full demo (20,448 org units, "
             "322 indicators, 52M leaf values up to today), in-process requests through the whole app as CMO staff "
             f"(the whole state), {result['samples_per_kind']} random indicators and org units per kind (seed "
             f"{result['seed']}), after one warm-up request per kind. Load average {result['load_avg_start']} at "
             f"start, {result['load_avg_end']} at the end. Budget per drill-down step: {result['budget_ms']} ms."
             + (f" Read cache warmed first ({result['warmed']['org_units']} org units, "
                f"{result['warmed']['kept']:,} answers kept, {result['warmed']['seconds']} s)."
                if result.get("warmed") else ""), "",
             "| request | p50 ms | p95 ms | max ms | median size (KB) | answers |", "|---|---|---|---|---|---|"]
    for name, row in result["requests"].items():
        answers = ", ".join(f"{count} x {status}" for status, count in sorted(row["statuses"].items()))
        lines.append(f"| {name} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} | {row['kb_median']} | "
                     f"{answers} |")
    lines.append("")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True, help="A home built with `govpulse demo --no-serve`.")
    parser.add_argument("--samples", type=int, default=60, help="Requests per kind (default 60).")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--record", action="store_true", help="Append the result to bench/RESULTS.md.")
    parser.add_argument("--only", action="append", help="Time only kinds whose name contains this (repeatable).")
    parser.add_argument("--warm", action="store_true", help="Warm the overview's read cache first (after rollup).")
    args = parser.parse_args()
    result = run(args.home, args.samples, args.seed, args.only, args.warm)
    print(json.dumps(result, indent=2))
    if args.record:
        record(result)


if __name__ == "__main__":
    main()
