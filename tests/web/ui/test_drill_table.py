"""The drill-down's table from the one ``Ranking`` the page gets: every child in name order with its figures, and
rank, target and status only for an indicator that has a better direction."""

from __future__ import annotations

from datetime import date

from govpulse.analytics.evaluation_models import Ranking, RankingRow, StatusOut
from govpulse.analytics.models import IndicatorRef, OrgUnitRef, PeriodRef
from govpulse.core.enums import Rag
from govpulse.web.ui.table_builders import drilldown_table

PERIOD = PeriodRef(id="202610", label="Oct 2026", type="Monthly", start=date(2026, 10, 1), end=date(2026, 10, 31))


def _unit(code: str, name: str) -> OrgUnitRef:
    return OrgUnitRef(code=code, name=name, kind="district", level=2, path=f"/24/{code}/")


def _ranking(polarity: str) -> Ranking:
    indicator = IndicatorRef(code="X", name="X", department="HEALTH", unit="%", polarity=polarity)
    rows = [RankingRow(org_unit=_unit("459", "Surat"), value=75.0, numerator=300, denominator=400, reporting=1,
                       expected=1, coverage=100.0, rank=1 if polarity != "neutral" else None, target=85.0,
                       status=StatusOut.of(Rag.RED) if polarity != "neutral" else None),
            RankingRow(org_unit=_unit("449", "Kachchh"))]
    return Ranking(description="X; Gujarat by districts; Oct 2026", indicator=indicator,
                   org_unit=OrgUnitRef(code="24", name="Gujarat", kind="state", level=1, path="/24/"),
                   period=PERIOD, rows=rows)


def test_a_ranked_indicator_has_rank_target_and_status_columns():
    table = drilldown_table(_ranking("higher"), "en", highlight={"459"})
    assert [c.key for c in table.columns] == ["area", "kind", "rank", "value", "target", "status", "numerator",
                                              "denominator", "coverage", "reporting"]
    assert [r.key for r in table.rows] == ["449", "459"]  # name order: Kachchh, Surat
    kachchh, surat = table.rows
    assert (surat.cells["value"].value, surat.cells["value"].status, surat.cells["rank"].value) == (75.0, Rag.RED, 1)
    assert (surat.cells["coverage"].value, surat.cells["reporting"].value, surat.highlight) == (100.0, "1/1", True)
    assert surat.cells["area"].url == "/drill/X/459?period=202610"
    # A child with no data at all: nothing reported, not "0/0".
    assert (kachchh.cells["value"].value, kachchh.cells["reporting"].value, kachchh.highlight) == (None, None, False)


def test_a_neutral_indicator_leaves_rank_target_and_status_out():
    table = drilldown_table(_ranking("neutral"), "en")
    assert [c.key for c in table.columns] == ["area", "kind", "value", "numerator", "denominator", "coverage",
                                              "reporting"]
    assert all(row.cells["value"].status is None for row in table.rows)
