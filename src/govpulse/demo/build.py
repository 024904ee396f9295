"""``govpulse demo``: a real state (org units from LGD and Census 2011) with its catalogue and simulated KPIs.

Each step is a function of its own so tests and benchmarks can run the parts they need.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa

from govpulse.catalog.io import schema
from govpulse.catalog.io.importer import import_catalog
from govpulse.catalog.orgunit_loader import replace_tree
from govpulse.core.orgunits import OrgUnitTree, TreeProblem
from govpulse.core.progress import NullProgress, Progress
from govpulse.demo.geography import Geography, load_geography
from govpulse.analytics.flag_engine import run_flag_engine
from govpulse.demo.actions import seed_demo_actions
from govpulse.demo.users import describe, make_demo_users
from govpulse.demo.deliveries import DELIVERY_DAYS, DeliveryPlan, deliver
from govpulse.demo.feed_server import DemoFeedServer
from govpulse.demo.simulate import SCHEMA, Simulation, SimulationPlan, census_values
from govpulse.demo.department_feeds import department_source_definitions
from govpulse.demo.source_feeds import demo_source_definitions, register_demo_sources, source_elements
from govpulse.ingest.batches import IngestStores
from govpulse.ingest.sources import SourceDefinition
from govpulse.ingest.warehouse_sync import sync_dimensions
from govpulse.installation import catalog_session, catalog_sessions, initialise
from govpulse.settings import Settings
from govpulse.warehouse import Warehouse, connect

STATES = ("gujarat", "kerala")


@dataclass
class DemoSummary:
    state_name: str
    counts_by_level: list[tuple[int, str, int]]
    org_units: int
    departments: int
    data_elements: int
    indicators: int
    leaf_values: int = 0
    rollup_rows: int = 0
    seconds: float = 0.0
    problems: list[TreeProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [
            f"{self.org_units:,} org units; {self.departments} departments, {self.data_elements:,} data elements, "
            f"{self.indicators:,} indicators",
            f"{self.leaf_values:,} leaf values in the warehouse, {self.rollup_rows:,} rolled-up rows",
            *self.notes,
        ]
        if self.problems:
            lines.append(f"{len(self.problems)} problems in the source data (kept out of the tree):")
            lines += [f"  {p.kind}: {p.code}: {p.detail}" for p in self.problems[:20]]
        lines.append(f"built in {self.seconds:.1f} s")
        return [*lines, *self.accounts]


def demo_catalog(indicators: int | None = None) -> schema.CatalogFile:
    """The shipped demo catalogue, scaled to ``indicators`` when given."""
    catalog = schema.load_catalog_dir(Path(str(resources.files("govpulse.demo") / "catalog")))
    if indicators is not None:
        from govpulse.demo.catalog.scale import scale_catalog

        full, catalog = catalog, scale_catalog(catalog, indicators)
        # The Census 2011 counts are loaded whatever the catalogue's size, so their data elements always stay.
        kept = {e.code for e in catalog.data_elements}
        census = [e for e in full.data_elements if e.code.startswith("census_") and e.code not in kept]
        catalog = catalog.model_copy(update={"data_elements": [*catalog.data_elements, *census]})
    return catalog


def build_tree(geography: Geography) -> tuple[OrgUnitTree, list[TreeProblem]]:
    tree, problems = OrgUnitTree.build(geography.records)
    return tree, [*geography.problems, *problems]


def counts_by_level(tree: OrgUnitTree) -> list[tuple[int, str, int]]:
    counts: dict[tuple[int, str], int] = {}
    for node in tree.nodes():
        counts[(node.level, node.kind)] = counts.get((node.level, node.kind), 0) + 1
    return sorted((level, kind, n) for (level, kind), n in counts.items())


def build_demo(
    settings: Settings,
    *,
    state: str = "gujarat",
    indicators: int | None = None,
    days: int = 400,
    today: date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Build the demo into ``settings.home`` (replacing the org units; the catalogue is created or updated)."""
    if state not in STATES:
        raise ValueError(f"unknown demo state {state!r}; choose one of {', '.join(STATES)}")
    progress = progress or NullProgress()
    started = time.perf_counter()
    initialise(settings)
    with progress.step(f"Reading {state.title()} from LGD and Census 2011", total=None):
        geography = load_geography(state)
        tree, problems = build_tree(geography)
    with progress.step("Reading the demo catalogue", total=None):
        catalog = demo_catalog(indicators)
    today = today or date.today()
    fresh_warehouse(settings.warehouse_url)
    fresh_feeds(settings.home)
    with progress.step("Writing org units and catalogue", total=None), catalog_session(settings) as session:
        written = replace_tree(session, tree)
        import_catalog(session, catalog)
        session.flush()
        users = make_demo_users(session, tree, geography.census)
        warehouse = connect(settings.warehouse_url)
        sync_dimensions(session, warehouse)
    with warehouse, DemoFeedServer(settings.home).start() as feeds:
        definitions = demo_sources(settings.home, feeds.url, catalog, tree)
        plan = DeliveryPlan.for_sources(definitions, today, days=max(1, min(DELIVERY_DAYS, days - 1)))
        simulation = Simulation(catalog, tree, geography.census, SimulationPlan(today=today, days=days))
        leaf_values, held = load_values(warehouse, geography, simulation, plan, progress)
        rollup = warehouse.rollup(full=True, progress=progress)
        with catalog_session(settings) as session:
            register_demo_sources(session, settings.home, feeds.url, definitions)
        with catalog_sessions(settings) as factory:
            deliveries = deliver(IngestStores(factory, warehouse), settings.home, definitions, held, plan,
                                 now=min(datetime.now(UTC), end_of_day(today)), progress=progress)
        with progress.step("Raising red flags", total=None), catalog_session(settings) as session:
            flags = run_flag_engine(session, warehouse, today=today)
        with progress.step("Recording a few weeks of actions", total=None), catalog_session(settings) as session:
            actions = seed_demo_actions(session, warehouse, today, notes=simulation.notes)
    write_demo_marker(settings.home, state=state, today=today)
    root = tree.roots()[0]
    return DemoSummary(
        state_name=root.name,
        counts_by_level=counts_by_level(tree),
        org_units=written,
        departments=len(catalog.departments),
        data_elements=len(catalog.data_elements),
        indicators=len(catalog.indicators),
        seconds=time.perf_counter() - started,
        leaf_values=leaf_values + sum(r.values_inserted for r in deliveries.reports),
        rollup_rows=rollup.rows_written,
        problems=problems,
        notes=[*geography.notes, *simulation.notes.lines(), *deliveries.lines(), flag_summary(flags),
               *actions.lines],
        accounts=describe(users, tree),
    )


def flag_summary(run) -> str:
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(run.open_by_kind.items(), key=lambda kv: -kv[1]))
    return f"red flags: {run.open_total:,} open ({kinds}) after {run.seconds:.0f} s of rules"


def fresh_warehouse(url: str) -> None:
    """The demo starts from an empty warehouse: remove a DuckDB file (and its WAL) left by an earlier build."""
    if url.startswith("duckdb:///") and ":memory:" not in url:
        path = Path(url.removeprefix("duckdb://").split("?", 1)[0])
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)


def demo_sources(home: Path, feed_url: str, catalog: schema.CatalogFile, tree: OrgUnitTree) -> list[SourceDefinition]:
    """The six showcase sources (one per connector kind), then a daily CSV export for each department with daily
    data elements they do not deliver. Every file source's drop folder exists from the start."""
    showcase = demo_source_definitions(home, feed_url)
    covered = {code for definition in showcase for code in source_elements(definition)}
    kinds = {node.kind for node in tree.nodes()}
    definitions = [*showcase, *department_source_definitions(home, catalog, covered, kinds)]
    for definition in definitions:
        if "folder" in definition.settings:
            Path(definition.settings["folder"]).mkdir(parents=True, exist_ok=True)
    return definitions


def fresh_feeds(home: Path) -> None:
    """The demo's source files start empty too (their folders remember which files were read)."""
    shutil.rmtree(Path(home) / "feeds", ignore_errors=True)


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in India, in UTC: a demo built for a past day delivers all of that day."""
    return datetime.combine(day, clock.max, ZoneInfo("Asia/Kolkata")).astimezone(UTC)


def load_values(warehouse: Warehouse, geography: Geography, simulation: Simulation, plan: DeliveryPlan,
                progress: Progress) -> tuple[int, pa.Table]:
    """Census 2011 counts (period 2011), then the simulated daily history, one batch per chunk; the values the
    sources deliver (``plan``) are held back and returned."""
    written = warehouse.write("census-2011", census_values(geography.census)).changed
    held = []
    with progress.step("Simulating and storing daily values", total=simulation.row_count()) as step:
        for number, chunk in enumerate(simulation.chunks(), start=1):
            direct, kept = plan.split(chunk)
            written += warehouse.write(f"demo-simulation-{number:04d}", direct).changed
            held.append(kept)
            step.advance(chunk.num_rows)
    return written, pa.concat_tables(held) if held else SCHEMA.empty_table()


MARKER = "demo.json"
"""Written into the home folder by a demo build: ``govpulse serve`` then plays the demo's source systems."""


def write_demo_marker(home: Path, *, state: str, today: date) -> None:
    (Path(home) / MARKER).write_text(json.dumps({"state": state, "built_for": today.isoformat()}), encoding="utf-8")


def is_demo_home(home: Path) -> bool:
    return (Path(home) / MARKER).exists()
