"""The demo value simulator on a small hand-built state, and its size on the real Gujarat build."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from govpulse.catalog.io.schema import CatalogFile
from govpulse.core.orgunits import OrgUnitRecord, OrgUnitTree
from govpulse.core.periods import PeriodType, parse_period
from govpulse.demo.simulate import (
    SCHEMA,
    Simulation,
    SimulationPlan,
    census_values,
    estimate_rows,
    simulate,
)

TODAY = date(2026, 11, 24)
PLAN = SimulationPlan(today=TODAY, days=120, seed=7, chunk_rows=10_000)
DEMO_CATALOG = Path(__file__).parents[2] / "src" / "govpulse" / "demo" / "catalog"


# --------------------------------------------------------------------------------------------------
# A small state: 3 districts x 2 talukas x 25 villages, and one ULB with 3 wards per district


def small_tree() -> tuple[OrgUnitTree, pa.Table]:
    rng = np.random.default_rng(0)
    records = [OrgUnitRecord("24", "State", "state", None)]
    census: list[tuple[str, str, float]] = []
    for d in range(1, 4):
        district = f"D{d}"
        records.append(OrgUnitRecord(district, f"District {d}", "district", "24"))
        for t in range(1, 3):
            taluka = f"{district}T{t}"
            records.append(OrgUnitRecord(taluka, f"Taluka {d}.{t}", "taluka", district))
            for v in range(1, 26):
                village = f"{taluka}V{v}"
                records.append(OrgUnitRecord(village, f"Village {d}.{t}.{v}", "village", taluka))
                population = float(rng.integers(800, 6000))
                census += [(village, "census_population", population),
                           (village, "census_households", round(population / 5)),
                           (village, "census_population_0_6", round(population * 0.12)),
                           (village, "census_literates", round(population * rng.uniform(0.55, 0.85)))]
        ulb = f"{district}U"
        records.append(OrgUnitRecord(ulb, f"City {d}", "ulb", district))
        census += [(ulb, "census_population", 60_000.0), (ulb, "census_households", 12_000.0),
                   (ulb, "census_population_0_6", 7_000.0), (ulb, "census_literates", 48_000.0)]
        records += [OrgUnitRecord(f"{ulb}W{w}", f"Ward {w}", "ward", ulb) for w in range(1, 4)]
    tree, problems = OrgUnitTree.build(records)
    assert not problems
    units, elements, values = zip(*census, strict=True)
    table = pa.table({"org_unit": list(units), "data_element": list(elements), "value": list(values)})
    return tree, table


def small_catalog() -> CatalogFile:
    def element(code, department, period="Monthly", at=("village",), **more):
        return {"code": code, "name": more.pop("name", code.replace("_", " ")), "department": department,
                "period_type": period, "reported_at": list(at), **more}

    def indicator(code, department, numerator, denominator="1", **more):
        return {"code": code, "name": code.lower().replace("_", " "), "department": department,
                "numerator": numerator, "denominator": denominator, **more}

    village_daily = {"period": "Daily", "at": ("village", "ward")}
    return CatalogFile.model_validate({
        "departments": [{"code": "HEALTH", "name": "Health"}, {"code": "EDU", "name": "Education"},
                        {"code": "FOOD", "name": "Food and civil supplies"}, {"code": "REV", "name": "Revenue"}],
        "data_elements": [
            element("census_population", "REV", "Yearly", ("village", "ulb")),
            element("hlt_anc_registered", "HEALTH", unit="women", name="Pregnant women registered for ANC"),
            element("hlt_inst_deliveries", "HEALTH", unit="deliveries", name="Institutional deliveries"),
            element("hlt_live_births", "HEALTH", unit="births", name="Live births"),
            element("hlt_infant_deaths", "HEALTH", unit="deaths", name="Infant deaths"),
            element("edu_students_on_roll_days", "EDU", **village_daily, unit="student-days"),
            element("edu_students_present", "EDU", **village_daily, unit="student-days"),
            element("fcs_txn_total", "FOOD", **village_daily, unit="transactions"),
            element("fcs_txn_biometric", "FOOD", **village_daily, unit="transactions"),
            element("fcs_txn_otp", "FOOD", **village_daily, unit="transactions"),
            element("rev_response_time", "REV", "Daily", ("taluka", "ulb"), value_type="NUMBER",
                    aggregation_type="AVERAGE", unit="minutes", min=1, max=600),
            element("rev_grievances", "REV", "Monthly", ("taluka",), unit="grievances"),
            element("hlt_beds_occupied_pct", "HEALTH", "Quarterly", ("district",), value_type="PERCENTAGE",
                    aggregation_type="AVERAGE"),
            element("trn_trips_scheduled", "REV", "Daily", ("taluka",), unit="trips"),
            element("trn_trips_operated", "REV", "Daily", ("taluka",), unit="trips"),
            element("rev_households", "REV", "Yearly", ("village",), aggregation_type="LAST", unit="households"),
            element("rev_households_mutated", "REV", "Monthly", ("village",), aggregation_type="LAST",
                    unit="households", name="Households with land records updated (cumulative)"),
        ],
        "indicators": [
            indicator("INSTITUTIONAL_DELIVERIES", "HEALTH", "#{hlt_inst_deliveries}", "#{hlt_anc_registered}",
                      factor=100, target=95),
            indicator("INFANT_MORTALITY", "HEALTH", "#{hlt_infant_deaths}", "#{hlt_live_births}", factor=1000,
                      target=25, polarity="lower"),
            indicator("ATTENDANCE", "EDU", "#{edu_students_present}", "#{edu_students_on_roll_days}", factor=100,
                      target=90),
            indicator("AUTHENTICATED", "FOOD", "#{fcs_txn_biometric} + #{fcs_txn_otp}", "#{fcs_txn_total}",
                      factor=100, target=97),
            indicator("BIOMETRIC", "FOOD", "#{fcs_txn_biometric}", "#{fcs_txn_total}", factor=100, target=80),
            indicator("RESPONSE_TIME", "REV", "#{rev_response_time}", polarity="lower", target=30),
            indicator("GRIEVANCES_PER_1000", "REV", "#{rev_grievances}", "#{census_population}", factor=1000,
                      target=20, polarity="lower"),
            indicator("BED_OCCUPANCY", "HEALTH", "#{hlt_beds_occupied_pct}", target=80),
            indicator("TRIPS_CANCELLED", "REV", "#{trn_trips_scheduled} - #{trn_trips_operated}",
                      "#{trn_trips_scheduled}", factor=100, target=2, polarity="lower"),
            indicator("LAND_RECORDS_UPDATED", "REV", "#{rev_households_mutated}", "#{rev_households}",
                      factor=100, target=90),
        ],
    })


@pytest.fixture(scope="module")
def state() -> tuple[OrgUnitTree, pa.Table]:
    return small_tree()


@pytest.fixture(scope="module")
def catalog() -> CatalogFile:
    return small_catalog()


@pytest.fixture(scope="module")
def simulation(catalog, state) -> Simulation:
    tree, census = state
    return Simulation(catalog, tree, census, PLAN)


@pytest.fixture(scope="module")
def values(simulation) -> pa.Table:
    return pa.concat_tables(list(simulation.chunks())).combine_chunks()


def rows_of(values: pa.Table, code: str) -> pa.Table:
    return values.filter(pc.equal(values["data_element"], code))


def pivot(values: pa.Table, *codes: str) -> dict[tuple[str, str], list[float]]:
    """(org_unit, period) -> the values of ``codes`` in order, for the cells where all are present."""
    found: dict[tuple[str, str], dict[str, float]] = {}
    for code in codes:
        part = rows_of(values, code)
        for unit, period, value in zip(part["org_unit"].to_pylist(), part["period"].to_pylist(),
                                       part["value"].to_pylist(), strict=True):
            found.setdefault((unit, period), {})[code] = value
    return {key: [cell[c] for c in codes] for key, cell in found.items() if len(cell) == len(codes)}


def without_jumps(values: pa.Table, simulation: Simulation) -> pa.Table:
    """``values`` less the cells of injected jumps (typos and drops)."""
    keys = pc.binary_join_element_wise(values["data_element"], values["org_unit"], values["period"], "|")
    jumps = [f"{j.data_element}|{j.org_unit}|{j.period}" for j in simulation.notes.jumps]
    return values.filter(pc.invert(pc.is_in(keys, pa.array(jumps, pa.string()))))


def injected_cells(simulation: Simulation) -> set[tuple[str, str, str]]:
    notes = simulation.notes
    cells = {(j.data_element, j.org_unit, j.period) for j in notes.jumps}
    for repeat in notes.repeats:
        for day in range((TODAY - repeat.first_day).days + 1):
            period = (repeat.first_day + timedelta(days=day)).strftime("%Y%m%d")
            cells |= {(code, unit, period) for code in repeat.data_elements for unit in repeat.org_units}
    return cells


# --------------------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_values_and_another_seed_does_not(catalog, state, values):
    tree, census = state
    again = pa.concat_tables(list(simulate(catalog, tree, census, PLAN))).combine_chunks()
    assert again.equals(values)
    other = pa.concat_tables(list(simulate(catalog, tree, census, SimulationPlan(
        today=TODAY, days=120, seed=8, chunk_rows=10_000)))).combine_chunks()
    assert other.num_rows > 0 and not other["value"].equals(values["value"])


def test_chunks_have_the_schema_and_are_bounded(simulation):
    sizes = []
    for table in simulation.chunks():
        assert table.schema.equals(SCHEMA)
        sizes.append(table.num_rows)
    assert len(sizes) > 1 and max(sizes) <= 3 * PLAN.chunk_rows


def test_one_value_per_unit_and_period_except_injected_stops(simulation, state, values):
    tree, _ = state
    stopped = {stop.org_unit for stop in simulation.notes.stops}
    stopped |= {d.code for s in simulation.notes.stops for d in tree.descendants(s.org_unit)}
    # Window 28 Jul - 24 Nov 2026. Flows: Jul-Oct (November has not closed). Stocks: also the current period.
    expected = {
        "edu_students_on_roll_days": (PLAN.days, {"village", "ward"}),
        "hlt_live_births": (4, {"village"}),
        "rev_households_mutated": (5, {"village"}),
        "rev_households": (1, {"village"}),
        "rev_response_time": (PLAN.days, {"taluka", "ulb"}),
        "hlt_beds_occupied_pct": (2, {"district"}),
    }
    for code, (periods, kinds) in expected.items():
        part = rows_of(values, code)
        pairs = set(zip(part["org_unit"].to_pylist(), part["period"].to_pylist(), strict=True))
        assert len(pairs) == part.num_rows, f"{code}: a unit reports twice in one period"
        counts = {c["values"]: c["counts"] for c in pc.value_counts(part["org_unit"]).to_pylist()}
        units = {node.code for node in tree.nodes() if node.kind.value in kinds}
        assert set(counts) <= units, code
        assert all(counts.get(unit) == periods for unit in units - stopped), code
        assert all(counts.get(unit, 0) <= periods for unit in units & stopped), code
    assert "census_population" not in set(values["data_element"].to_pylist())


def test_rows_match_the_estimate_when_nothing_is_injected(catalog, state):
    tree, census = state
    plan = SimulationPlan(today=TODAY, days=120, seed=7, anomalies=False)
    rows = sum(table.num_rows for table in simulate(catalog, tree, census, plan))
    assert rows == estimate_rows(catalog, tree, plan) == Simulation(catalog, tree, census, plan).row_count()


def test_periods_are_valid_and_inside_the_window(values):
    stocks = {"rev_households", "rev_households_mutated", "hlt_beds_occupied_pct"}
    for code, period_id in set(zip(values["data_element"].to_pylist(), values["period"].to_pylist(), strict=True)):
        period = parse_period(period_id)
        assert period.start <= TODAY and period.end >= PLAN.first_day, (code, period_id)
        if code not in stocks:
            assert period.end <= TODAY, f"{code} counted in {period_id}, which has not closed"
    daily = {p for p in set(values["period"].to_pylist()) if parse_period(p).type is PeriodType.DAILY}
    assert min(daily) == PLAN.first_day.strftime("%Y%m%d") and max(daily) == TODAY.strftime("%Y%m%d")
    assert {"202611", "2026"} <= set(rows_of(values, "rev_households_mutated")["period"].to_pylist()) | set(
        rows_of(values, "rev_households")["period"].to_pylist())


def test_numerators_never_exceed_denominators(simulation, values):
    skip = injected_cells(simulation)
    pairs = [("hlt_inst_deliveries", "hlt_anc_registered"), ("hlt_infant_deaths", "hlt_live_births"),
             ("edu_students_present", "edu_students_on_roll_days"), ("trn_trips_operated", "trn_trips_scheduled")]
    for numerator, denominator in pairs:
        cells = pivot(values, numerator, denominator)
        assert len(cells) > 100
        bad = [key for key, (n, d) in cells.items() if n > d and (numerator, *key) not in skip]
        assert not bad, f"{numerator} > {denominator} at {bad[:5]}"
    parts = pivot(values, "fcs_txn_biometric", "fcs_txn_otp",
                  "fcs_txn_total")
    bad = [key for key, (a, b, total) in parts.items() if a + b > total
           and ("fcs_txn_biometric", *key) not in skip
           and ("fcs_txn_total", *key) not in skip]
    assert not bad


def test_a_cumulative_count_stays_under_its_yearly_denominator(simulation, values):
    """A monthly stock over a yearly one (another shape) is drawn under it: never above, near the target."""
    households = dict(zip(rows_of(values, "rev_households")["org_unit"].to_pylist(),
                          rows_of(values, "rev_households")["value"].to_pylist(), strict=True))
    mutated = rows_of(values, "rev_households_mutated")
    shares = []
    for unit, period, value in zip(mutated["org_unit"].to_pylist(), mutated["period"].to_pylist(),
                                   mutated["value"].to_pylist(), strict=True):
        if unit in households:
            assert value <= households[unit], (unit, period)
            shares.append(value / max(households[unit], 1))
    assert 0.7 <= np.mean(shares) <= 0.95
    assert np.std(shares) > 0.02  # villages differ


def test_a_share_lost_indicator_is_drawn_from_what_was_kept(values):
    """(scheduled - operated) / scheduled, target 2 % cancelled: operated is drawn from scheduled."""
    scheduled = pc.sum(rows_of(values, "trn_trips_scheduled")["value"]).as_py()
    operated = pc.sum(rows_of(values, "trn_trips_operated")["value"]).as_py()
    assert 0.005 <= (scheduled - operated) / scheduled <= 0.06


def test_wards_share_their_ulb_population(simulation):
    places = simulation.places
    population = dict(zip(places.codes.to_pylist(), places.driver("census_population"), strict=True))
    assert population["D1UW1"] == population["D1UW3"] == 20_000
    assert population["D1"] == sum(population[f"D1T{t}"] for t in (1, 2)) + 60_000


def test_values_are_whole_counts_within_min_and_max(values):
    response = rows_of(values, "rev_response_time")["value"].to_numpy()
    assert response.min() >= 1 and response.max() <= 600
    beds = rows_of(values, "hlt_beds_occupied_pct")["value"].to_numpy()
    assert ((beds >= 0) & (beds <= 100) & (beds == np.round(beds))).all()
    counts = rows_of(values, "hlt_live_births")["value"].to_numpy()
    assert (counts >= 0).all() and (counts == np.round(counts)).all()


def test_rates_sit_near_their_targets(catalog, state):
    """Over a year without injected anomalies, state-wide ratios of sums land near target (usually a little
    short of it, as on most real dashboards)."""
    tree, census = state
    plan = SimulationPlan(today=TODAY, days=365, seed=7, anomalies=False)
    values = pa.concat_tables(list(simulate(catalog, tree, census, plan)))

    def ratio(numerator: str, denominator: str) -> float:
        total = pc.sum(rows_of(values, numerator)["value"]).as_py()
        return total / pc.sum(rows_of(values, denominator)["value"]).as_py()

    assert 0.8 <= ratio("hlt_inst_deliveries", "hlt_anc_registered") <= 0.99
    assert 0.7 <= ratio("edu_students_present", "edu_students_on_roll_days") <= 0.95
    assert 0.0125 <= ratio("hlt_infant_deaths", "hlt_live_births") <= 0.06
    assert 0.65 <= ratio("fcs_txn_biometric", "fcs_txn_total") <= 0.9
    assert 20 <= pc.mean(rows_of(values, "rev_response_time")["value"]).as_py() <= 50
    assert 60 <= pc.mean(rows_of(values, "hlt_beds_occupied_pct")["value"]).as_py() <= 92


def test_counts_follow_population(simulation, values, state):
    _, census = state
    values = without_jumps(values, simulation)
    population = dict(zip(census.filter(pc.equal(census["data_element"], "census_population"))["org_unit"]
                          .to_pylist(), census.filter(pc.equal(census["data_element"], "census_population"))
                          ["value"].to_pylist(), strict=True))
    part = rows_of(values, "hlt_anc_registered")
    reported: dict[str, list[float]] = {}
    for unit, value in zip(part["org_unit"].to_pylist(), part["value"].to_pylist(), strict=True):
        reported.setdefault(unit, []).append(value)
    units = sorted(reported)
    monthly = [np.mean(reported[u]) for u in units]
    assert np.corrcoef([population[u] for u in units], monthly)[0, 1] > 0.7
    # About 19 per 1000 people a year: the birth rate.
    assert 0.012 <= sum(monthly) * 12 / sum(population[u] for u in units) <= 0.026
    # Wards share their ULB's population: a ward counts far more students than a village on average.
    enrolled = rows_of(values, "edu_students_on_roll_days")
    wards = pc.mean(enrolled.filter(pc.match_substring(enrolled["org_unit"], "W"))["value"]).as_py()
    villages = pc.mean(enrolled.filter(pc.match_substring(enrolled["org_unit"], "V"))["value"]).as_py()
    assert wards > 3 * villages


def test_injected_stops_leave_no_rows_after_their_last_day(simulation, state, values):
    tree, _ = state
    notes = simulation.notes
    assert [s.kind for s in notes.stops].count("village") >= 1 and [s.kind for s in notes.stops].count("taluka") >= 1
    departments = {row.code: row.department for row in small_catalog().data_elements}
    for stop in notes.stops:
        units = {stop.org_unit} | {d.code for d in tree.descendants(stop.org_unit)}
        mine = values.filter(pc.is_in(values["org_unit"], pa.array(sorted(units))))
        ends = [parse_period(p).end for p in mine["period"].to_pylist()]
        touched = [departments[c] == stop.department or stop.department is None
                   for c in mine["data_element"].to_pylist()]
        assert any(t and end <= stop.last_day for t, end in zip(touched, ends, strict=True))
        assert not any(t and end > stop.last_day for t, end in zip(touched, ends, strict=True))
        assert stop.last_day >= TODAY - timedelta(days=100)


def test_injected_jumps_stand_out(simulation, values):
    jumps = simulation.notes.jumps
    assert any(j.factor > 1 for j in jumps) and any(j.factor < 1 for j in jumps)
    for jump in jumps:
        part = rows_of(values, jump.data_element)
        part = part.filter(pc.equal(part["org_unit"], jump.org_unit))
        at = dict(zip(part["period"].to_pylist(), part["value"].to_pylist(), strict=True))
        others = np.median([v for p, v in at.items() if p != jump.period])
        if jump.factor > 1:
            assert at[jump.period] >= 10 and at[jump.period] >= 3 * others
        else:
            assert at[jump.period] <= others / 2 or others == 0


def test_injected_repeat_freezes_values(simulation, values):
    (repeat,) = simulation.notes.repeats
    assert repeat.org_units
    for code in repeat.data_elements:
        part = rows_of(values, code)
        for unit in repeat.org_units:
            mine = part.filter(pc.equal(part["org_unit"], unit))
            days = {parse_period(p).start: v for p, v in zip(mine["period"].to_pylist(), mine["value"].to_pylist(),
                                                            strict=True)}
            frozen = [v for day, v in days.items() if day >= repeat.first_day]
            assert len(frozen) >= 30 and len(set(frozen)) == 1, (code, unit)


def test_injected_deterioration_worsens_one_district(simulation, values):
    (worse,) = simulation.notes.deteriorations
    assert "INSTITUTIONAL_DELIVERIES" in worse.indicators
    cells = pivot(without_jumps(values, simulation), "hlt_inst_deliveries", "hlt_anc_registered")

    def rate(district_match: bool, months: set[str]) -> float:
        num = den = 0.0
        for (unit, period), (n, d) in cells.items():
            if unit.startswith(worse.district) == district_match and period in months:
                num, den = num + n, den + d
        return num / den

    before, last = {"202608"}, {"202610"}
    drop_here = rate(True, before) - rate(True, last)
    drop_elsewhere = rate(False, before) - rate(False, last)
    assert drop_here > drop_elsewhere + 0.05


def test_census_values_are_period_2011_rows(state):
    _, census = state
    table = census_values(census)
    assert table.schema.equals(SCHEMA) and table.num_rows == census.num_rows
    assert set(table["period"].to_pylist()) == {"2011"}


# --------------------------------------------------------------------------------------------------
# The real demo state


def _real_inputs():
    try:
        from govpulse.demo.catalog import load_demo_catalog
        from govpulse.demo.geography import load_geography
    except ImportError as error:
        pytest.skip(f"the demo geography or catalogue is not there yet: {error}")
    if not any(DEMO_CATALOG.glob("*.yaml")):
        pytest.skip("the demo catalogue (src/govpulse/demo/catalog/*.yaml) is not there yet")
    geography = load_geography("gujarat")
    tree, _ = OrgUnitTree.build(geography.records)
    return load_demo_catalog(), tree, geography.census


def test_gujarat_demo_size_is_tens_of_millions_of_values():
    """The default demo (shipped catalogue, Gujarat, 400 days) holds 20-40 million leaf values; a week of it
    generates what the estimate says, less the injected stops."""
    catalog, tree, census = _real_inputs()
    rows = estimate_rows(catalog, tree, SimulationPlan(today=TODAY, days=400))
    week = SimulationPlan(today=TODAY, days=7)
    sample = sum(t.num_rows for t in simulate(catalog, tree, census, week))
    assert 0.99 * estimate_rows(catalog, tree, week) <= sample <= estimate_rows(catalog, tree, week)
    assert 20_000_000 <= rows <= 60_000_000, f"{rows:,} rows for 400 days"
