"""DuckDB-only: the compiled rollup and read SQL, kept as snapshot files so every change to it is reviewed.

Regenerate after an intended change: ``GOVPULSE_UPDATE_SNAPSHOTS=1 pytest tests/warehouse/duckdb``.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from govpulse.core.enums import AggregationType
from govpulse.core.periods import PeriodType
from govpulse.warehouse import sql
from govpulse.warehouse.duckdb.dialect import DuckDBDialect
from govpulse.warehouse.plan import Tier, stored_tiers
from govpulse.warehouse.queries import Part, value_sql

SNAPSHOTS = Path(__file__).parent / "snapshots"
D = DuckDBDialect()
MONTH = Tier(PeriodType.DAILY, PeriodType.MONTHLY, PeriodType.DAILY)
RESTRICT = "(SELECT de, ou, ptype, pstart FROM aff WHERE mode = 0 AND ptype = 3)"

STATEMENTS = {
    "full_month_from_values": sql.insert_rollup(sql.own_from_values(D, MONTH, 1, series=False)),
    "full_month_with_disaggregations": sql.insert_rollup(sql.own_from_values(D, MONTH, 1, series=True)),
    "affected_groups": sql.affected_groups(D, stored_tiers(PeriodType.DAILY), "chg"),
    "delta_merge_month": sql.delta_merge(D, MONTH, 2, watermark=7, restrict=RESTRICT),
    "delta_merge_month_new_keys_only": sql.delta_merge(
        D, MONTH, 2, watermark=7, restrict=None, days=(date(2026, 11, 1), date(2026, 11, 1))
    ),
    "recompute_month": sql.recomputed(D, MONTH, 2, where="TRUE", restrict=RESTRICT),
    "apply_fresh": ";\n".join(sql.apply_fresh("fresh", "rollup.ptype = 3")),
    "read_day_month_and_year": value_sql(
        D,
        {1: AggregationType.SUM, 2: AggregationType.LAST},
        [10, 11],
        [
            Part((1, 2), 1, (date(2026, 11, 24),), 1, True),
            Part((1, 2), 3, (date(2026, 11, 1),), 3, False),
            Part((1, 2), 7, (date(2026, 4, 1),), 3, False),
            Part((2,), 7, (date(2026, 4, 1),), 1, True, True),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_compiled_sql_matches_its_snapshot(name: str) -> None:
    path = SNAPSHOTS / f"{name}.sql"
    text = STATEMENTS[name].strip() + "\n"
    if os.environ.get("GOVPULSE_UPDATE_SNAPSHOTS"):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no snapshot {path.name}; run with GOVPULSE_UPDATE_SNAPSHOTS=1 to create it"
    assert text == path.read_text(), f"{name} changed; review it and update the snapshot"


def test_snapshot_sql_parses_in_duckdb() -> None:
    import duckdb

    con = duckdb.connect()
    from govpulse.warehouse.duckdb.schema import create_schema

    create_schema(con)
    con.execute("CREATE TEMP TABLE aff (de INTEGER, ou INTEGER, ptype UTINYINT, pstart DATE, mode UTINYINT)")
    con.execute("CREATE TEMP TABLE chg (de INTEGER, ou INTEGER, ptype UTINYINT, pstart DATE, corrected BOOLEAN)")
    con.execute(f"CREATE TEMP TABLE fresh AS {STATEMENTS['recompute_month']}")
    for name, statement in STATEMENTS.items():
        for part in statement.split(";\n"):
            con.execute(f"EXPLAIN {part}")
