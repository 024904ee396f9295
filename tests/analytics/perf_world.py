"""A small state with warehouse values for the performance-management tests, every number written out here.

Tree: Gujarat 24 > Surat 459 (Choryasi 3900 > villages 525001, 525002; Olpad 3901 > village 525003; ULB 802 >
ward 80201) and Kachchh 449 (Bhuj 3700 > village 515001), and Dang 444 (Ahwa 3600 > village 514001, which
reports nothing).

Indicators (HEALTH unless said):
  HLT_INST    institutional deliveries %: inst / total x 100, higher is better, bands 95 / 85 % of target,
              weight 2, theme Maternal. Targets: state standing 90, state for 202610 92, Kachchh standing 80.
  HLT_DEATHS  infant deaths (a count), lower is better, absolute bands 5 / 10, target 5, theme Mortality.
  HLT_CALLS   ambulance calls (daily, reported by talukas), higher is better, absolute bands 200 / 100; no target.
  RD_KM       road built, km (ROADS, reported by talukas), higher is better, absolute bands 10 / 5, target 10.

Monthly values (Sep 2026 / Oct 2026):
  village   inst/total Sep   inst/total Oct   deaths Sep   deaths Oct
  525001    40/50            45/50            1            2
  525002    45/50            40/50            1            1
  525003    36/40            30/40            1            3
  515001    90/100           51/100           2            12
  => Surat Oct 115/140 = 82.1 %, Sep 121/140 = 86.4 %; Kachchh Oct 51.0 %, Sep 90.0 %;
     state Oct 166/240 = 69.2 %, Sep 211/240 = 87.9 %. Deaths: Surat 6 (Sep 3), Kachchh 12 (Sep 2), state 18 (5).
Roads (Oct): Choryasi 8, Olpad 4, Bhuj 12 km. Calls: Choryasi 10 a day from 1 Oct to 9 Nov; Bhuj 5 a day from
1 Oct to 20 Oct, then nothing (stale as of 10 Nov). Census population 2011: 1,000 per Surat village, 500 in Bhuj's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import DataElement, Department, Indicator, OrgUnit, Target
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.ingest.warehouse_sync import sync_dimensions
from govpulse.warehouse import Warehouse, connect

TODAY = date(2026, 11, 10)

TREE = [
    ("24", "Gujarat", "state", None),
    ("444", "Dang", "district", "24"), ("449", "Kachchh", "district", "24"), ("459", "Surat", "district", "24"),
    ("3600", "Ahwa", "taluka", "444"), ("3700", "Bhuj", "taluka", "449"),
    ("3900", "Choryasi", "taluka", "459"), ("3901", "Olpad", "taluka", "459"),
    ("802", "Surat Municipal Corporation", "ulb", "459"),
    ("514001", "Ahwa village", "village", "3600"), ("515001", "Madhapar", "village", "3700"),
    ("525001", "Bhestan", "village", "3900"), ("525002", "Sachin", "village", "3900"),
    ("525003", "Kim", "village", "3901"), ("80201", "Ward 1", "ward", "802"),
]

MONTHLY = {  # village: (inst Sep, total Sep, inst Oct, total Oct, deaths Sep, deaths Oct)
    "525001": (40, 50, 45, 50, 1, 2),
    "525002": (45, 50, 40, 50, 1, 1),
    "525003": (36, 40, 30, 40, 1, 3),
    "515001": (90, 100, 51, 100, 2, 12),
}


def tree_nodes() -> list[dict]:
    paths: dict[str, str] = {}
    nodes = []
    for code, name, kind, parent in TREE:
        paths[code] = (paths[parent] if parent else "/") + f"{code}/"
        nodes.append({"code": code, "name": name, "kind": kind, "level": paths[code].count("/") - 1,
                      "path": paths[code], "parent_code": parent})
    return nodes


def seed_catalogue(session: Session) -> None:
    set_actor(session, Actor.system("test set-up"))
    OrgUnitRepository(session).replace_all(tree_nodes())
    health, roads = Department(code="HEALTH", name="Health"), Department(code="ROADS", name="Roads")
    session.add_all([health, roads])
    session.flush()

    def element(code, department, period_type="Monthly", reported_at=("village",), aggregation="SUM"):
        return DataElement(code=code, name=code, department_id=department.id, value_type="NUMBER",
                           aggregation_type=aggregation, period_type=period_type, reported_at=list(reported_at))

    session.add_all([
        element("inst", health), element("total", health), element("deaths", health),
        element("calls", health, "Daily", ("taluka",)), element("road_km", roads, reported_at=("taluka",)),
        element("census_population", health, "Yearly", ("village",)),
    ])
    rows = {
        "HLT_INST": Indicator(code="HLT_INST", name="Institutional deliveries", department_id=health.id,
                              theme="Maternal", numerator="#{inst}", denominator="#{total}", factor=100, unit="%",
                              decimals=1, polarity="higher", weight=2, threshold_basis="percent_of_target",
                              threshold_green=95, threshold_amber=85),
        "HLT_DEATHS": Indicator(code="HLT_DEATHS", name="Infant deaths", department_id=health.id,
                                theme="Mortality", numerator="#{deaths}", denominator="1", decimals=0,
                                polarity="lower", threshold_basis="absolute", threshold_green=5, threshold_amber=10),
        "HLT_CALLS": Indicator(code="HLT_CALLS", name="Ambulance calls", department_id=health.id, theme="Emergency",
                               numerator="#{calls}", denominator="1", decimals=0, polarity="higher",
                               threshold_basis="absolute", threshold_green=200, threshold_amber=100),
        "RD_KM": Indicator(code="RD_KM", name="Road built", department_id=roads.id, theme="Roads",
                           numerator="#{road_km}", denominator="1", unit="km", decimals=1, polarity="higher",
                           threshold_basis="absolute", threshold_green=10, threshold_amber=5),
    }
    session.add_all(rows.values())
    session.flush()
    kachchh = session.query(OrgUnit).filter_by(code="449").one()
    session.add_all([
        Target(indicator_id=rows["HLT_INST"].id, value=90),
        Target(indicator_id=rows["HLT_INST"].id, period="202610", value=92),
        Target(indicator_id=rows["HLT_INST"].id, org_unit_id=kachchh.id, value=80),
        Target(indicator_id=rows["HLT_DEATHS"].id, value=5),
        Target(indicator_id=rows["RD_KM"].id, value=10),
    ])
    session.flush()


def values() -> pa.Table:
    rows: list[tuple[str, str, str, float]] = []
    for village, (inst_sep, total_sep, inst_oct, total_oct, deaths_sep, deaths_oct) in MONTHLY.items():
        rows += [("inst", village, "202609", inst_sep), ("total", village, "202609", total_sep),
                 ("inst", village, "202610", inst_oct), ("total", village, "202610", total_oct),
                 ("deaths", village, "202609", deaths_sep), ("deaths", village, "202610", deaths_oct)]
    rows += [("road_km", "3900", "202610", 8), ("road_km", "3901", "202610", 4), ("road_km", "3700", "202610", 12)]
    rows += [("census_population", v, "2011", 1000 if v.startswith("525") else 500) for v in MONTHLY]
    rows += [("calls", "3900", _day(date(2026, 10, 1) + timedelta(n)), 10) for n in range(40)]  # to 9 Nov
    rows += [("calls", "3700", _day(date(2026, 10, 1) + timedelta(n)), 5) for n in range(20)]  # to 20 Oct
    return table(rows)


def table(rows: list[tuple[str, str, str, float]]) -> pa.Table:
    return pa.table({"data_element": [r[0] for r in rows], "org_unit": [r[1] for r in rows],
                     "period": [r[2] for r in rows], "value": [float(r[3]) for r in rows]})


def _day(day: date) -> str:
    return day.strftime("%Y%m%d")


@dataclass
class Stores:
    session: Session
    warehouse: Warehouse

    def write(self, batch: str, rows: list[tuple[str, str, str, float]]) -> None:
        """Write ``rows`` (data element, org unit, period, value) and roll up."""
        self.warehouse.write(batch, table(rows))
        self.warehouse.rollup()


def open_world(tmp_path, url: str | None = None) -> tuple[Stores, object]:
    """The catalogue (SQLite, or the database at ``url``) and an in-memory warehouse with every value above,
    rolled up."""
    engine = make_engine(url or f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    migrate(engine)
    session = make_session_factory(engine)()
    seed_catalogue(session)
    session.commit()
    warehouse = connect("duckdb:///:memory:")
    sync_dimensions(session, warehouse)
    warehouse.write("world", values())
    warehouse.rollup()
    return Stores(session, warehouse), engine


@contextmanager
def opened_world(tmp_path, url: str | None = None) -> Iterator[Stores]:
    """``open_world``, closed again when the block ends (the tests' ``world`` fixtures)."""
    stores, engine = open_world(tmp_path, url)
    try:
        yield stores
    finally:
        stores.session.close()
        stores.warehouse.close()
        engine.dispose()
