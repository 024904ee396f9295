"""A small real dashboard for browser tests and benchmarks: Gujarat's full tree from LGD and Census 2011, a few
departments of the demo catalogue, and simulated daily values since the start of the month before last.

Built in about ten seconds (the whole demo takes a minute): the 20,000 org units and the map layers are the
real ones, so drilling from the state to a village crosses polygons (districts), points (taluka
headquarters) and the grid (villages), as on a real installation.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from govpulse.catalog.io.importer import import_catalog
from govpulse.catalog.io.schema import CatalogFile, referenced_data_elements
from govpulse.catalog.orgunit_loader import replace_tree
from govpulse.core.periods import PeriodType, period_of
from govpulse.core.progress import NullProgress
from govpulse.demo.build import build_tree, demo_catalog, fresh_warehouse, load_values
from govpulse.demo.deliveries import DeliveryPlan
from govpulse.demo.geography import load_geography
from govpulse.demo.simulate import Simulation, SimulationPlan
from govpulse.ingest.warehouse_sync import sync_dimensions
from govpulse.installation import catalog_session, initialise
from govpulse.settings import Settings
from govpulse.warehouse import connect

DEPARTMENTS = ("HEALTH", "EDUCATION", "WCD")


def days_since_last_month_began(today: date) -> int:
    """Days from the first of last month to today, inclusive (the pages open on last month)."""
    start = period_of(today, PeriodType.MONTHLY).previous().start
    return (today - start).days + 1


def small_catalog(departments: tuple[str, ...] = DEPARTMENTS) -> CatalogFile:
    """The demo catalogue limited to the indicators of ``departments`` (every department is kept, so the
    overview still lists all of them) and the data elements they and the census need."""
    full = demo_catalog()
    indicators = [i for i in full.indicators if i.department in departments]
    wanted = referenced_data_elements(indicators) | {d.code for d in full.data_elements if d.code.startswith("census_")}
    return CatalogFile(departments=full.departments, data_elements=[d for d in full.data_elements if d.code in wanted],
                       indicators=indicators, constants=full.constants)


def build_small_demo(home: Path, *, today: date | None = None, departments: tuple[str, ...] = DEPARTMENTS) -> Settings:
    """Build the small dashboard into ``home`` and return its settings."""
    today = today or date.today()
    settings = Settings(home=home, token_rate_limit_per_minute=0)
    initialise(settings)
    geography = load_geography("gujarat")
    tree, _problems = build_tree(geography)
    catalog = small_catalog(departments)
    fresh_warehouse(settings.warehouse_url)
    with catalog_session(settings) as session:
        replace_tree(session, tree)
        import_catalog(session, catalog)
        session.flush()
        warehouse = connect(settings.warehouse_url)
        sync_dimensions(session, warehouse)
    with warehouse:
        plan = SimulationPlan(today=today, days=days_since_last_month_began(today) + 1)
        # Every simulated value goes straight in (no source holds any back for a later delivery).
        nothing_held = DeliveryPlan(today=today, elements=frozenset())
        load_values(warehouse, geography, Simulation(catalog, tree, geography.census, plan), nothing_held,
                    NullProgress())
        warehouse.rollup(full=True)
    return settings
