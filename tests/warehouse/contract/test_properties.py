"""Random trees and random sequences of writes (new values, corrections, disaggregations, values at non-leaf
org units) with incremental rollups in between must agree with a naive recomputation from scratch
(``govpulse.core.aggregation``) for every data element, org unit and period."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govpulse.core.aggregation import Observation, naive_value, summarize
from govpulse.core.enums import AggregationType
from govpulse.core.periods import Period, PeriodType, coarser_types, parse_period, period_of, periods_between
from govpulse.warehouse import backends, connect

from ..conftest import BACKEND_URLS, elements_table, tree_table, values_table

FIRST_DAY = date(2026, 3, 20)  # 60 days cross a month, a quarter, a half-year and the financial year
DAYS = 60
NATIVES = [PeriodType.DAILY, PeriodType.MONTHLY]
SERIES = ["total", "a", "b"]  # disaggregations of the elements that have them


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str | None]:
    size = draw(st.integers(2, 9))
    parents: dict[str, str | None] = {"N0": None}
    for i in range(1, size):
        parents[f"N{i}"] = f"N{draw(st.integers(0, i - 1))}"
    return parents


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    tree = draw(trees())
    elements = [
        (f"de{i}", draw(st.sampled_from(list(AggregationType))).value, draw(st.sampled_from(NATIVES)).value)
        for i in range(draw(st.integers(1, 3)))
    ]
    disaggregated = {code for code, _, _ in elements if draw(st.integers(0, 3)) == 0}
    units = list(tree)
    steps = []
    for _ in range(draw(st.integers(1, 5))):
        batch = {}
        for _ in range(draw(st.integers(1, 12))):
            code, _, native = draw(st.sampled_from(elements))
            day = FIRST_DAY + timedelta(days=draw(st.integers(0, DAYS - 1)))
            period = period_of(day, PeriodType(native)).id
            series = draw(st.sampled_from(SERIES)) if code in disaggregated else "total"
            key = (code, draw(st.sampled_from(units)), period, series)
            batch[key] = draw(st.integers(-5, 20))
        steps.append(("write", batch))
        if draw(st.booleans()):
            steps.append(("rollup", None))
    return {"tree": tree, "elements": elements, "steps": steps, "full": draw(st.booleans())}


def _periods_to_check(native: PeriodType, kept: frozenset[PeriodType]) -> list[Period]:
    first, last = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1)
    types = [native, *[t for t in coarser_types(native) if t in kept]]
    return [p for t in types for p in periods_between(first, last, t)]


def _expected(scenario: dict, stored: dict) -> Iterator[tuple[tuple[str, str, str], dict]]:
    """What the naive reference says for every (element, org unit, period) with data."""
    tree = scenario["tree"]
    paths = {code: row["path"] for code, row in zip(tree, tree_table(tree).to_pylist())}
    kept = frozenset(PeriodType)
    for code, aggregation, native_text in scenario["elements"]:
        native = PeriodType(native_text)
        mine = [(ou, parse_period(pe), series, v) for (de, ou, pe, series), v in stored.items() if de == code]
        for unit in tree:
            below = [m for m in mine if paths[m[0]].startswith(paths[unit])]
            for period in _periods_to_check(native, kept):
                inside = [Observation(ou, p.start, v, series) for ou, p, series, v in below if period.contains(p)]
                summary = summarize(inside)
                if summary is None:
                    continue
                combined = not (period.type == native and len(inside) == 1 and inside[0].org_unit == unit)
                agg = AggregationType(aggregation)
                yield (code, unit, period.id), {
                    "summary": summary,
                    "value": naive_value(inside, agg, combined=combined),
                }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
@pytest.mark.parametrize("backend", backends())
def test_incremental_rollups_agree_with_a_naive_recomputation(backend: str, scenario: dict) -> None:
    with tempfile.TemporaryDirectory() as folder, connect(BACKEND_URLS[backend](Path(folder))) as wh:
        wh.sync_org_units(tree_table(scenario["tree"]))
        wh.sync_data_elements(elements_table(scenario["elements"], reported_at=[]))
        stored: dict[tuple[str, str, str, str], int] = {}
        for number, (kind, batch) in enumerate(scenario["steps"]):
            if kind == "rollup":
                wh.rollup()
                continue
            rows = [(de, ou, pe, v, series) for (de, ou, pe, series), v in batch.items()]
            result = wh.write(f"batch-{number}", values_table(rows, disaggregation=True))
            changed = sum(1 for key, v in batch.items() if stored.get(key) != v)
            assert result.changed == changed
            stored.update(batch)
        wh.rollup(full=scenario["full"])
        assert wh.pending() == 0

        expected = dict(_expected(scenario, stored))
        elements = [code for code, _, _ in scenario["elements"]]
        periods = sorted({p.id for _, _, n in scenario["elements"] for p in _periods_to_check(PeriodType(n), frozenset(PeriodType))})
        got = {
            (r["data_element"], r["org_unit"], r["period"]): r
            for r in wh.data_values(elements, list(scenario["tree"]), periods).to_pylist()
        }
        assert set(got) == set(expected)
        for key, want in expected.items():
            row, summary = got[key], want["summary"]
            actual = (row["sum"], row["count"], row["min"], row["max"], row["last"], row["first"], row["avg_sum"],
                      row["reporting"])
            wanted = (summary.sum, summary.count, summary.min, summary.max, summary.last, summary.first,
                      summary.avg_sum, summary.reporting)
            assert actual == pytest.approx(wanted), key
            if want["value"] is None:
                assert row["value"] is None, key
            else:
                assert row["value"] == pytest.approx(want["value"]), key
