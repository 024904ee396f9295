"""Analytics results as ``Table``s: the same table for the page, the CSV and the Excel file.

One function per table; each takes the result exactly as analytics returned it and the reader's language
(for column headings), and copies numbers across without changing them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from govpulse.analytics.evaluation_models import FlagOut, GapLevel, Ranking, RootCause, Scorecard
from govpulse.analytics.models import IndicatorRef, Series
from govpulse.core.enums import Polarity, Rag, Severity
from govpulse.core.periods import InvalidPeriod, parse_period
from govpulse.web.ui import urls
from govpulse.web.ui.display import PERCENT_UNITS
from govpulse.web.ui.periods import period_label
from govpulse.web.ui.i18n import translate
from govpulse.web.ui.tables import STATUS_ORDER, Cell, Column, Row, Table


def _name(thing, lang: str) -> str:
    return (thing.names or {}).get(lang) or thing.name


def worst_first(indicator: IndicatorRef) -> str:
    """The order that puts the worst value first: ascending when higher is better."""
    return "desc" if indicator.polarity == Polarity.LOWER_IS_BETTER.value else "asc"


def value_column(indicator: IndicatorRef, lang: str) -> Column:
    return Column("value", translate(lang, "measure.value"), "value", decimals=indicator.decimals,
                  unit=indicator.unit)


def drilldown_table(ranking: Ranking, lang: str, *, highlight: Collection[str] = ()) -> Table:
    """The children of the drill-down, in name order: area, kind, rank, value, target, status, numerator,
    denominator, coverage, reporting. A neutral indicator (no better direction) is not ranked or rated, so its
    rank, target and status columns are left out, not shown empty."""
    t = lambda key: translate(lang, key)  # noqa: E731
    indicator = ranking.indicator
    rated = indicator.polarity != Polarity.NEUTRAL.value
    columns = [Column("area", t("measure.area"), "text"), Column("kind", t("common.kind"), "text")]
    if rated:
        columns.append(Column("rank", t("measure.rank"), "count"))
    columns.append(value_column(indicator, lang))
    if rated:
        columns += [Column("target", t("measure.target"), "value", decimals=indicator.decimals, unit=indicator.unit),
                    Column("status", t("measure.status"), "status")]
    columns += [Column("numerator", t("measure.numerator"), "number"),
                Column("denominator", t("measure.denominator"), "number"),
                Column("coverage", t("measure.coverage"), "percent", decimals=1),
                Column("reporting", t("measure.reporting"), "count", sortable=False)]
    rows = []
    newest = None
    # Name order (as the catalogue lists children), so that sorting by a column breaks ties by name.
    for child in sorted(ranking.rows, key=lambda r: r.org_unit.name):
        unit = child.org_unit
        if child.stored_at is not None:
            newest = max(newest, child.stored_at) if newest else child.stored_at
        status = _rag(child.status) if rated else None
        has_row = child.expected > 0 or child.value is not None or child.stored_at is not None
        cells = {
            "area": Cell(_name(unit, lang), url=urls.drilldown(indicator.code, unit.code, period=ranking.period.id)),
            "kind": Cell(translate(lang, f"kind.{unit.kind}")),
            "value": Cell(child.value, status=status),
            "numerator": Cell(child.numerator),
            "denominator": Cell(child.denominator),
            "coverage": Cell(child.coverage),
            "reporting": Cell(f"{child.reporting}/{child.expected}" if has_row else None),
        }
        if rated:
            cells["rank"] = Cell(child.rank)
            cells["target"] = Cell(child.target)
            cells["status"] = Cell(status, status=status)
        rows.append(Row(cells, key=unit.code, highlight=unit.code in highlight))
    parent = _name(ranking.org_unit, lang)
    return Table(name="drilldown", title=translate(lang, "drill.table_title", area=parent),
                 description=ranking.description, columns=tuple(columns), rows=tuple(rows), data_as_of=newest)


def series_table(series: Series, lang: str, period_labels: Mapping[str, str]) -> Table:
    """The trend as a table: period, value, numerator, denominator, coverage."""
    t = lambda key: translate(lang, key)  # noqa: E731
    columns = (Column("period", t("time.period"), "text", sortable=False), value_column(series.indicator, lang),
               Column("numerator", t("measure.numerator"), "number"),
               Column("denominator", t("measure.denominator"), "number"),
               Column("coverage", t("measure.coverage"), "percent", decimals=1))
    rows = []
    for point in series.points:
        value = point.value
        rows.append(Row({"period": Cell(period_labels.get(point.period.id, point.period.label)),
                         "value": Cell(value.value if value else None),
                         "numerator": Cell(value.numerator if value else None),
                         "denominator": Cell(value.denominator if value else None),
                         "coverage": Cell(value.coverage if value else None)}, key=point.period.id))
    return Table(name="series", title=translate(lang, "drill.trend_title", area=_name(series.org_unit, lang)),
                 description=series.description, columns=columns, rows=tuple(rows))


def _rag(status) -> Rag | None:
    return None if status is None else Rag.parse(status.code)


def scorecard_table(card: Scorecard, lang: str) -> Table:
    """Indicators x areas: how many areas are off track, need attention, are on track; the value at the
    scorecard's own org unit; then each child's value coloured by its status. A child's column sorts by
    status (worst first), then by progress to target."""
    t = lambda key: translate(lang, key)  # noqa: E731
    parent = _name(card.org_unit, lang)
    columns = [Column("indicator", t("measure.indicator"), "text"),
               Column("red", f"{Rag.RED.symbol} {t('status.red')}", "count"),
               Column("amber", f"{Rag.AMBER.symbol} {t('status.amber')}", "count"),
               Column("green", f"{Rag.GREEN.symbol} {t('status.green')}", "count"),
               Column(card.org_unit.code, parent, "value")]
    columns += [Column(c.code, _name(c, lang), "value") for c in card.columns]
    rows = []
    for row in card.rows:
        indicator = row.indicator
        # The unit is said once, under the indicator's name; the cells keep just the number (and a % sign).
        cell_unit = indicator.unit if indicator.unit.strip() in PERCENT_UNITS else ""
        note = "" if cell_unit else indicator.unit
        if row.period.id != card.period.id:  # a yearly indicator in a monthly scorecard shows its year
            when = period_label(row.period.id, lang)
            note = f"{note} · {when}" if note else when
        cells = {"indicator": Cell(_name(indicator, lang), note=note,
                                   url=urls.indicator(indicator.code, org_unit=card.org_unit.code,
                                                      period=row.period.id)),
                 "red": Cell(row.counts.red), "amber": Cell(row.counts.amber), "green": Cell(row.counts.green)}
        for cell in (row.parent, *row.cells):
            status = _rag(cell.status)
            order = STATUS_ORDER.get(status, len(STATUS_ORDER)) if status else len(STATUS_ORDER)
            cells[cell.org_unit] = Cell(cell.value, status=status, unit=cell_unit, decimals=indicator.decimals,
                                        url=urls.drilldown(indicator.code, cell.org_unit, period=row.period.id),
                                        sort=None if cell.value is None else (order, cell.score or 0.0))
        rows.append(Row(cells, key=indicator.code))
    return Table(name="scorecard", title=translate(lang, "scorecard.table_title", area=parent),
                 description=card.description, columns=tuple(columns), rows=tuple(rows),
                 data_as_of=max((c.stored_at for r in card.rows for c in (r.parent, *r.cells) if c.stored_at),
                                default=None))


def flags_table(flags: Sequence[FlagOut], lang: str) -> Table:
    """The inbox: severity, what (indicator), where, when (period), value against expected, since when, status."""
    t = lambda key: translate(lang, key)  # noqa: E731
    columns = (Column("severity", t("flag.severity"), "severity"), Column("indicator", t("measure.indicator"), "text"),
               Column("area", t("measure.area"), "text"), Column("period", t("time.period"), "text"),
               Column("value", t("measure.value"), "value"), Column("expected", t("flags.expected"), "value"),
               Column("first_seen", t("flags.raised"), "datetime"), Column("status", t("measure.status"), "text"),
               Column("act", t("flags.act"), "link", sortable=False))
    rows = []
    for flag in flags:
        cells = {"severity": Cell(Severity(flag.severity.code), url=urls.flag(flag.id)),
                 "indicator": Cell(flag.indicator_name, url=urls.flag(flag.id), note=flag.message),
                 "area": Cell(flag.org_unit_name, note=translate(lang, f"kind.{flag.org_unit_kind}")
                              if flag.org_unit_kind else ""),
                 "period": Cell(period_label(flag.period, lang) if _is_period(flag.period) else flag.period),
                 "value": Cell(flag.value, unit=flag.unit, decimals=flag.decimals),
                 "expected": Cell(flag.expected, unit=flag.unit, decimals=flag.decimals),
                 "first_seen": Cell(flag.first_seen),
                 "status": Cell(translate(lang, f"flags.status_{flag.status}")),
                 "act": Cell(translate(lang, "flags.start_action"), url=urls.new_action(flag.id))}
        rows.append(Row(cells, key=str(flag.id)))
    return Table(name="flags", title=translate(lang, "nav.red_flags"), description="", columns=columns,
                 rows=tuple(rows))


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except InvalidPeriod:
        return False
    return True


def root_cause_table(cause: RootCause, level: GapLevel, lang: str) -> Table:
    """One level of a root cause: each child's value, its part of the gap and its share, largest first."""
    t = lambda key: translate(lang, key)  # noqa: E731
    indicator = cause.indicator
    value_unit = indicator.unit if cause.basis == "target" else "%"
    columns = (Column("rank", t("measure.rank"), "count"), Column("area", t("measure.area"), "text"),
               Column("value", t("measure.value") if cause.basis == "target" else t("flags.now_vs_then"), "value",
                      decimals=indicator.decimals, unit=value_unit),
               Column("gap", t("flags.gap"), "number"), Column("share", t("flags.share"), "percent", decimals=1))
    rows = []
    for item in level.contributions:
        cells = {"rank": Cell(item.rank), "area": Cell(_name(item.org_unit, lang),
                                                       url=urls.drilldown(indicator.code, item.org_unit.code,
                                                                          period=cause.period.id)),
                 "value": Cell(item.value), "gap": Cell(item.gap), "share": Cell(item.share_percent)}
        rows.append(Row(cells, key=item.org_unit.code))
    return Table(name="root_cause", title=translate(lang, "flags.level_title", area=_name(level.parent, lang)),
                 description=cause.description, columns=columns, rows=tuple(rows))


def ranking_table(ranking: Ranking, lang: str) -> Table:
    """The ranking, best first: rank, area, value, target, status, change since the comparison period and the
    change of rank (positive: climbed)."""
    t = lambda key: translate(lang, key)  # noqa: E731
    indicator = ranking.indicator
    columns = [Column("rank", t("measure.rank"), "count"), Column("area", t("measure.area"), "text"),
               value_column(indicator, lang),
               Column("target", t("measure.target"), "value", decimals=indicator.decimals, unit=indicator.unit),
               Column("status", t("measure.status"), "status"),
               Column("score", t("measure.score"), "score", decimals=1)]
    if ranking.compare_to is not None:
        since = period_label(ranking.compare_to.id, lang)
        columns += [Column("change", translate(lang, "indicator.change_since", period=since), "change",
                           decimals=indicator.decimals, unit=indicator.unit),
                    Column("rank_change", t("indicator.rank_change"), "change", decimals=0)]
    rows = []
    for row in ranking.rows:
        status = _rag(row.status)
        cells = {"rank": Cell(row.rank), "area": Cell(_name(row.org_unit, lang),
                                                      url=urls.drilldown(indicator.code, row.org_unit.code,
                                                                         period=ranking.period.id)),
                 "value": Cell(row.value, status=status), "target": Cell(row.target),
                 "status": Cell(status, status=status), "score": Cell(row.score),
                 "change": Cell(row.change), "rank_change": Cell(row.rank_change)}
        rows.append(Row(cells, key=row.org_unit.code))
    return Table(name="ranking", title=translate(lang, "indicator.ranking_title", area=_name(ranking.org_unit, lang)),
                 description=ranking.description, columns=tuple(columns), rows=tuple(rows))
