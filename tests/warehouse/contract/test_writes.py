"""Writing leaf values: idempotent upserts, corrections with history, lineage, and refusals that name rows."""

from __future__ import annotations

import pyarrow as pa
import pytest

from govpulse.warehouse import HasLineage, Warehouse
from govpulse.warehouse.errors import DuplicateKeys, InvalidInput, InvalidPeriods, UnknownCodes

from ..conftest import by_key, elements_table, tree_table, values_table

TREE = {"S": None, "D1": "S", "D2": "S", "V1": "D1", "V2": "D1", "V3": "D2"}


@pytest.fixture
def wh(warehouse: Warehouse) -> Warehouse:
    warehouse.sync_org_units(tree_table(TREE))
    warehouse.sync_data_elements(
        elements_table([("cases", "SUM", "Daily"), ("stock", "LAST", "Daily"), ("enrolled", "SUM", "Monthly")])
    )
    return warehouse


FIRST_BATCH = [("cases", "V1", "20260401", 4), ("cases", "V2", "20260401", 6), ("cases", "V3", "20260402", 1),
               ("stock", "V1", "20260401", 50)]


def test_writing_the_same_batch_twice_changes_nothing(wh: Warehouse) -> None:
    first = wh.write("b1", values_table(FIRST_BATCH))
    assert (first.inserted, first.updated, first.unchanged) == (4, 0, 0)
    assert first.touched.num_rows == 4
    wh.rollup()
    before = wh.data_values(["cases", "stock"], ["S", "D1", "V1"], ["20260401", "202604"])
    again = wh.write("b1", values_table(FIRST_BATCH))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert again.touched.num_rows == 0
    assert wh.pending() == 0
    wh.rollup()
    assert wh.data_values(["cases", "stock"], ["S", "D1", "V1"], ["20260401", "202604"]).equals(before)


def test_a_correction_replaces_the_value_and_keeps_the_old_one_in_history(wh: Warehouse) -> None:
    wh.write("b1", values_table(FIRST_BATCH))
    wh.rollup()
    fixed = wh.write("b2", values_table([("cases", "V2", "20260401", 16), ("cases", "V1", "20260401", 4)]))
    assert (fixed.inserted, fixed.updated, fixed.unchanged) == (0, 1, 1)
    assert fixed.touched.to_pylist() == [{"data_element": "cases", "org_unit": "V2", "period": "20260401"}]
    assert wh.pending() == 1
    wh.rollup()
    got = by_key(wh.data_values(["cases"], ["S", "D1", "D2"], ["20260401", "202604"]), "org_unit", "period")
    assert got[("D1", "20260401")]["value"] == 20
    assert got[("S", "202604")]["value"] == 21
    assert got[("D2", "202604")]["value"] == 1
    if wh.supports(HasLineage):
        history = wh.history("cases", "S", "202604").to_pylist()
        assert [(h["org_unit"], h["value"], h["batch_id"], h["replaced_by_batch"]) for h in history] == [
            ("V2", 6.0, "b1", "b2")
        ]


def test_lineage_names_the_batches_and_rows_behind_a_value(wh: Warehouse) -> None:
    if not wh.supports(HasLineage):
        pytest.skip(f"{type(wh).__name__} has no lineage")
    wh.write("b1", values_table(FIRST_BATCH))
    wh.write("b2", values_table([("cases", "V2", "20260401", 16), ("cases", "V1", "20260402", 3)]))
    lineage = wh.lineage("cases", "D1", "202604")
    assert lineage.total_rows == 3
    assert {(b["batch_id"], b["values"]) for b in lineage.batches.to_pylist()} == {("b1", 1), ("b2", 2)}
    rows = {(r["org_unit"], r["period"]): (r["batch_id"], r["source_row"]) for r in lineage.rows.to_pylist()}
    assert rows == {("V1", "20260401"): ("b1", 0), ("V2", "20260401"): ("b2", 0), ("V1", "20260402"): ("b2", 1)}
    assert wh.lineage("cases", "D2", "202604", scope_paths=["/S/D1/"]).total_rows == 0


def test_rollups_follow_writes_made_between_them(wh: Warehouse) -> None:
    wh.write("b1", values_table(FIRST_BATCH))
    wh.rollup()
    wh.write("b2", values_table([("cases", "V1", "20260403", 5), ("stock", "V1", "20260405", 40)]))
    wh.write("b3", values_table([("cases", "V3", "20260501", 2), ("enrolled", "V3", "202604", 30)]))
    wh.rollup()
    got = by_key(wh.data_values(["cases", "stock", "enrolled"], ["S"], ["202604", "2026Q2"]),
                 "data_element", "period")
    assert got[("cases", "202604")]["value"] == 16
    assert got[("cases", "2026Q2")]["value"] == 18
    assert got[("stock", "202604")]["value"] == 40
    assert got[("enrolled", "202604")]["value"] == 30
    assert got[("enrolled", "2026Q2")]["value"] == 30


def test_stored_at_and_source_rows_are_kept_when_given(wh: Warehouse) -> None:
    table = values_table(FIRST_BATCH[:1]).append_column("source_row", pa.array([41], pa.int64()))
    stamp = pa.array([pa.scalar(1_700_000_000_000_000, pa.timestamp("us")).as_py()], pa.timestamp("us"))
    wh.write("b1", table.append_column("stored_at", stamp))
    wh.rollup()
    (row,) = wh.data_values(["cases"], ["V1"], ["202604"]).to_pylist()
    assert row["stored_at"] == stamp[0].as_py()
    if wh.supports(HasLineage):
        assert wh.lineage("cases", "V1", "20260401").rows.to_pylist()[0]["source_row"] == 41


def test_unknown_codes_are_refused_by_name_and_row(wh: Warehouse) -> None:
    rows = [*FIRST_BATCH, ("cases", "V9", "20260401", 1), ("nope", "V1", "20260401", 1)]
    with pytest.raises(UnknownCodes, match=r"unknown org unit code: 'V9' \(row 4\)"):
        wh.write("bad", values_table(rows[:5]))
    with pytest.raises(UnknownCodes, match=r"unknown data element code: 'nope' \(row 4\)"):
        wh.write("bad", values_table([*FIRST_BATCH, rows[5]]))
    assert wh.pending() == 0


def test_bad_periods_and_wrong_period_types_are_refused(wh: Warehouse) -> None:
    with pytest.raises(InvalidPeriods, match=r"'20261332' \(row 1\)"):
        wh.write("bad", values_table([FIRST_BATCH[0], ("cases", "V1", "20261332", 1)]))
    with pytest.raises(InvalidPeriods, match=r"'cases' is reported Daily, not Monthly"):
        wh.write("bad", values_table([("cases", "V1", "202604", 1)]))


def test_duplicate_keys_in_one_batch_are_refused(wh: Warehouse) -> None:
    with pytest.raises(DuplicateKeys, match=r"cases/V1/20260401/total \(rows 0, 2\)"):
        wh.write("bad", values_table([FIRST_BATCH[0], FIRST_BATCH[1], ("cases", "V1", "20260401", 9)]))


def test_empty_and_non_finite_values_are_refused(wh: Warehouse) -> None:
    table = pa.table({"data_element": ["cases", "cases"], "org_unit": ["V1", "V2"],
                      "period": ["20260401", "20260401"], "value": [1.0, float("nan")]})
    with pytest.raises(InvalidInput, match=r"not a finite number in row 1"):
        wh.write("bad", table)
    with pytest.raises(InvalidInput, match=r"lacks column value"):
        wh.write("bad", table.drop_columns(["value"]))
    with pytest.raises(InvalidInput, match=r"column org_unit is empty in row 0"):
        wh.write("bad", table.set_column(1, "org_unit", pa.array([None, "V2"], pa.string())))


def test_disaggregations_roll_up_as_the_data_element_total(wh: Warehouse) -> None:
    rows = [("cases", "V1", "20260401", 3, "female"), ("cases", "V1", "20260401", 4, "male"),
            ("cases", "V1", "20260402", 5, "female"), ("stock", "V1", "20260401", 7, "a"),
            ("stock", "V1", "20260402", 2, "b"), ("stock", "V2", "20260401", 1, "a")]
    wh.write("b1", values_table(rows, disaggregation=True))
    wh.rollup()
    got = by_key(wh.data_values(["cases", "stock"], ["D1", "V1"], ["20260401", "202604"]),
                 "data_element", "org_unit", "period")
    assert got[("cases", "V1", "20260401")]["value"] == 7
    assert got[("cases", "D1", "202604")]["value"] == 12
    assert got[("cases", "D1", "202604")]["reporting"] == 1
    # LAST per (org unit, disaggregation) series: V1 a=7 (1 Apr), b=2 (2 Apr); V2 a=1
    assert got[("stock", "D1", "202604")]["value"] == 10
    assert got[("stock", "D1", "20260401")]["reporting"] == 2


def test_freshness_per_data_element(wh: Warehouse) -> None:
    wh.write("b1", values_table(FIRST_BATCH))
    wh.write("b2", values_table([("enrolled", "V1", "202605", 9)]))
    fresh = by_key(wh.freshness(), "data_element")
    assert set(fresh) == {"cases", "stock", "enrolled"}
    assert fresh["cases"]["values"] == 3
    assert str(fresh["cases"]["last_period_end"]) == "2026-04-02"
    assert str(fresh["enrolled"]["last_period_end"]) == "2026-05-31"
    assert wh.freshness(["stock"], scope_paths=["/S/D2/"]).num_rows == 0


def test_a_data_elements_period_type_cannot_change_once_it_has_values(wh: Warehouse) -> None:
    wh.write("b1", values_table(FIRST_BATCH))
    with pytest.raises(InvalidInput, match="'cases' has stored values"):
        wh.sync_data_elements(elements_table([("cases", "SUM", "Monthly")]))
    wh.sync_data_elements(elements_table([("cases", "AVERAGE", "Daily")]))  # the rule may change: read-time
    wh.rollup()
    assert wh.data_values(["cases"], ["D1"], ["20260401"]).to_pylist()[0]["value"] == 5


class RecordingProgress:
    """A ``core.progress.Progress`` that remembers what it was told (the CLI draws the same as bars)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float | None, float]] = []

    def step(self, description: str, total: float | None = None):
        from contextlib import contextmanager

        @contextmanager
        def running():
            record = [description, total, 0.0]

            class Step:
                def advance(self, amount: float = 1) -> None:
                    record[2] += amount

            yield Step()
            self.steps.append(tuple(record))

        return running()


def test_rollups_report_progress(wh: Warehouse) -> None:
    wh.write("b1", values_table(FIRST_BATCH))
    progress = RecordingProgress()
    assert wh.rollup(progress=progress).full
    assert progress.steps and all(done == total for _, total, done in progress.steps if total)
    wh.write("b2", values_table([("cases", "V1", "20260405", 1)]))
    later = RecordingProgress()
    assert not wh.rollup(progress=later).full
    assert later.steps
