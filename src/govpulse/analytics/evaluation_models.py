"""Result models of performance management: scorecards, department summaries, headline KPIs, rankings, red
flags, flag runs and root causes. The same objects leave through the API, the pages and the CLI; the numbers
(status, score, rank, trend) are computed in analytics, never in a template."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from govpulse.analytics.models import IndicatorRef, OrgUnitRef, PeriodRef
from govpulse.core.enums import Rag, Severity

__all__ = [
    "CellOut",
    "Contribution",
    "DepartmentRef",
    "DepartmentSummary",
    "FlagOut",
    "FlagRunSummary",
    "GapLevel",
    "KpiTile",
    "PeerGroup",
    "RagCounts",
    "Ranking",
    "RankingRow",
    "RootCause",
    "Scorecard",
    "ScorecardRow",
    "SeverityOut",
    "SparkPoint",
    "StatusOut",
    "Trend",
]


class DepartmentRef(BaseModel):
    code: str
    name: str
    names: dict[str, str] = Field(default_factory=dict)


class StatusOut(BaseModel):
    """A RAG status with what shows it: label, colour and a symbol, so status is never colour alone."""

    code: str = Field(description="green, amber, red, no_data or stale.")
    label: str
    colour: str
    text_colour: str
    symbol: str

    @classmethod
    def of(cls, rag: Rag) -> StatusOut:
        return cls(code=rag.value, label=rag.label, colour=rag.colour, text_colour=rag.text_colour, symbol=rag.symbol)


class SeverityOut(BaseModel):
    code: str = Field(description="info, low, medium, high or critical.")
    label: str
    colour: str
    text_colour: str
    rank: int = Field(description="Higher is more urgent (info 0 ... critical 4).")

    @classmethod
    def of(cls, severity: Severity) -> SeverityOut:
        return cls(code=severity.value, label=severity.label, colour=severity.colour,
                   text_colour=severity.text_colour, rank=severity.rank)


class Trend(BaseModel):
    """The change against the previous period of the same type."""

    previous_period: PeriodRef
    previous_value: float | None = None
    change: float | None = Field(None, description="value - previous value, in the indicator's unit.")
    change_percent: float | None = Field(None, description="change in % of the previous value (None if it is 0).")
    direction: Literal["up", "down", "flat"] | None = None
    good: bool | None = Field(None, description="True when the change is an improvement given the polarity, "
                                                "False when it is a deterioration, None when flat or neutral.")


class CellOut(BaseModel):
    """One indicator at one org unit: value, target, status, score, trend, coverage and freshness."""

    indicator: str
    org_unit: str
    period: str = Field(description="The period evaluated (the indicator's own type; see ScorecardRow.period).")
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    target: float | None = None
    target_origin: str | None = Field(None, description="catalogue, or the rule that derived the target.")
    status: StatusOut | None = Field(None, description="None: the indicator is not rated (no bands, neutral).")
    score: float | None = Field(None, description="Progress to target, 0-100 (core.evaluation.target_score).")
    trend: Trend | None = None
    reporting: int = 0
    expected: int = 0
    coverage: float | None = Field(None, description="reporting / expected, in %.")
    stale: bool = False
    stored_at: datetime | None = None
    applicable: bool = Field(True, description="False where nothing in the unit's subtree reports the indicator "
                                               "(a taluka-level feed in a city's column), or where the reader "
                                               "does not see the indicator's department: no status at all.")


class RagCounts(BaseModel):
    green: int = 0
    amber: int = 0
    red: int = 0
    no_data: int = 0
    stale: int = 0
    unrated: int = Field(0, description="Indicators with no bands (or neutral ones): not rated at all.")

    def add(self, cell: CellOut) -> None:
        """Count ``cell``'s status (cells where the indicator does not apply are not counted)."""
        if not cell.applicable:
            return
        name = cell.status.code if cell.status is not None else "unrated"
        setattr(self, name, getattr(self, name) + 1)


class ScorecardRow(BaseModel):
    indicator: IndicatorRef
    theme: str = ""
    weight: float = 1.0
    period: PeriodRef = Field(description="The period evaluated for this indicator: the one asked for, or the "
                                          "period of the indicator's own type that contains it (a yearly "
                                          "indicator in a monthly scorecard shows its year).")
    parent: CellOut = Field(description="The indicator at the scorecard's org unit itself.")
    cells: list[CellOut] = Field(description="One per column, in the order of Scorecard.columns.")
    counts: RagCounts = Field(description="Statuses over the columns.")


class Scorecard(BaseModel):
    description: str
    org_unit: OrgUnitRef
    period: PeriodRef
    department: DepartmentRef | None = None
    today: date
    columns: list[OrgUnitRef] = Field(description="The children of org_unit in scope.")
    rows: list[ScorecardRow]
    staleness_rule: str = Field(description="When a cell is called stale, in words.")


class DepartmentSummary(BaseModel):
    department: DepartmentRef
    org_unit: OrgUnitRef
    period: PeriodRef
    score: float | None = Field(None, description="Composite 0-100: target scores averaged by indicator weight "
                                                  "within themes, themes averaged with equal weight.")
    grade: str | None = Field(None, description="A >= 75, B >= 60, C >= 45, else D.")
    coverage: float = Field(0.0, description="Share (0-1) of the composite's weight that had a score.")
    themes: dict[str, float | None] = Field(default_factory=dict)
    previous_score: float | None = None
    score_change: float | None = None
    counts: RagCounts
    indicators: int = 0
    open_flags: dict[str, int] = Field(default_factory=dict, description="Open flags by severity code.")


class SparkPoint(BaseModel):
    period: str
    label: str
    value: float | None = None


class KpiTile(BaseModel):
    indicator: IndicatorRef
    department: DepartmentRef
    org_unit: OrgUnitRef
    cell: CellOut
    sparkline: list[SparkPoint] = Field(description="The last 12 periods of the indicator's own type, oldest first.")


class RankingRow(BaseModel):
    org_unit: OrgUnitRef
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    rank: int | None = Field(None, description="1 = best; ties share a rank (1-2-2-4); None without a value.")
    score: float | None = Field(None, description="0 (worst) to 100 (best) among the ranked units.")
    status: StatusOut | None = None
    target: float | None = None
    previous_value: float | None = None
    change: float | None = None
    improvement_rank: int | None = Field(None, description="1 = most improved since compare_to.")
    previous_rank: int | None = None
    rank_change: int | None = Field(None, description="previous rank - rank: positive means the unit climbed.")
    peer_group: str | None = None
    peer_rank: int | None = None
    reporting: int = Field(0, description="Leaf org units that reported.")
    expected: int = Field(0, description="Leaf org units expected to report.")
    coverage: float | None = Field(None, description="reporting / expected, in %.")
    stored_at: datetime | None = Field(None, description="Newest leaf value behind the value: its freshness.")


class PeerGroup(BaseModel):
    name: str
    members: list[str]


class Ranking(BaseModel):
    description: str
    indicator: IndicatorRef
    org_unit: OrgUnitRef
    period: PeriodRef
    compare_to: PeriodRef | None = None
    parent: CellOut | None = Field(None, description="The indicator at org_unit itself, in the same period: value, "
                                                     "target, status and coverage.")
    rows: list[RankingRow] = Field(description="Best first; units without a value last.")
    peer_groups: list[PeerGroup] = Field(default_factory=list)


class FlagOut(BaseModel):
    id: int
    rule: str
    kind: str
    indicator: str
    indicator_name: str = ""
    unit: str = ""
    decimals: int = 1
    department: str
    org_unit: str
    org_unit_name: str = ""
    org_unit_kind: str = ""
    org_unit_path: str
    period: str
    period_label: str = ""
    severity: SeverityOut
    status: str = Field(description="open, resolved or dismissed.")
    value: float | None = None
    expected: float | None = None
    message: str = ""
    evidence: dict[str, Any] = Field(default_factory=dict)
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None = None
    times_seen: int = 1


class FlagRunSummary(BaseModel):
    run_id: int
    today: date
    started_at: datetime
    finished_at: datetime
    seconds: float
    evaluated: int = Field(description="Series (indicator x org unit x period type) looked at.")
    raised: int
    kept_open: int
    resolved: int
    escalated: int = 0
    open_total: int = 0
    raised_by_rule: dict[str, int] = Field(default_factory=dict)
    open_by_kind: dict[str, int] = Field(default_factory=dict)
    open_by_rule: dict[str, int] = Field(default_factory=dict)
    open_by_severity: dict[str, int] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per phase.")


class Contribution(BaseModel):
    org_unit: OrgUnitRef
    numerator: float
    denominator: float
    value: float | None = None
    gap: float = Field(description="This unit's part of the parent's gap, in numerator units (positive: short).")
    share_percent: float | None = Field(None, description="% of the parent's gap; shares add up to 100.")
    rank: int


class GapLevel(BaseModel):
    parent: OrgUnitRef
    parent_value: float | None = None
    gap: float = Field(description="Sum of the contributions below (in numerator units).")
    unattributed: float | None = Field(None, description="Parent's own gap minus the sum: figures reported at "
                                                         "the parent itself or by children without data.")
    contributions: list[Contribution]
    no_data: list[OrgUnitRef] = Field(default_factory=list)


class RootCause(BaseModel):
    description: str
    flag: FlagOut
    indicator: IndicatorRef
    period: PeriodRef
    basis: Literal["target", "change"] = Field(
        description="target: the gap to the target rate (rates); change: the fall since the comparison "
                    "period (counts, or a flag without a target), split over the children.")
    target: float | None = Field(None, description="The target rate (basis target) used for every level.")
    target_origin: str | None = None
    compared_with: PeriodRef | None = Field(None, description="The comparison period (basis change).")
    levels: list[GapLevel] = Field(description="The flag's org unit, then the largest contributor, and so on.")
