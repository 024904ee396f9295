"""One indicator: the ranking of the areas under an org unit, their distribution, the trend against the target,
and the indicator's definition, source and freshness.

``/indicators/{code}?org_unit=&period=`` shows ``analytics.rankings.rankings`` (compared with the period
before: change and rank change) beside the indicator's value at the org unit itself
(``analytics.values.drilldown``, which also says how fresh it is). The trend is the drill-down's trend
fragment; the definition is the catalogue's own record of the indicator and its data elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from govpulse.analytics import values
from govpulse.analytics.evaluation_models import Ranking
from govpulse.analytics.rankings import rankings
from govpulse.analytics.values import InvalidQuery, NotFound
from govpulse.catalog.models import DataElement, Indicator
from govpulse.catalog.repositories.indicators import DataElementRepository, DepartmentRepository, IndicatorRepository
from govpulse.core.enums import Rag
from govpulse.core.expressions import parse_expression
from govpulse.core.scope import Scope
from govpulse.web.deps import SessionDep, WarehouseDep
from govpulse.web.ui import periods, urls
from govpulse.web.ui.chart_specs import Mark, ranking_spec, strip_spec
from govpulse.web.ui.display import value_text
from govpulse.web.ui.pages import Reader, ReaderDep, answer, home_unit, render
from govpulse.web.ui.table_builders import ranking_table

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Definition:
    """The catalogue's record of an indicator, with the data elements its expressions name."""

    indicator: Indicator
    department: object
    numerator_elements: list[DataElement]
    denominator_elements: list[DataElement]


def definition(session, scope: Scope, code: str) -> Definition:
    """The indicator ``code`` as the catalogue defines it (``NotFound`` when absent or out of scope)."""
    row = IndicatorRepository(session).get(code, scope)
    if row is None:
        raise NotFound(f"no indicator with code {code!r}")
    elements = DataElementRepository(session)
    departments = {d.id: d for d in DepartmentRepository(session).list(Scope.system())}

    def named(expression: str) -> list[DataElement]:
        codes = sorted(parse_expression(expression).data_elements())
        return [e for e in (elements.get(c, Scope.system()) for c in codes) if e is not None]

    return Definition(row, departments.get(row.department_id), named(row.numerator), named(row.denominator))


def ranked(session, warehouse, reader: Reader, code: str, org_unit: str) -> Ranking | None:
    """The children ranked, compared with the period before; None for an indicator that cannot be ranked."""
    try:
        return rankings(session, warehouse, reader.scope, indicator=code, org_unit=org_unit,
                        period=reader.period.id, compare_to=reader.period.previous().id, today=reader.today)
    except InvalidQuery:
        return None


def _name(thing, lang: str) -> str:
    return (thing.names or {}).get(lang) or thing.name


def ranking_marks(ranking: Ranking, reader: Reader) -> list[Mark]:
    indicator = ranking.indicator
    return [Mark(key=row.org_unit.code, label=_name(row.org_unit, reader.lang), value=row.value,
                 display=value_text(row.value, unit=indicator.unit, decimals=indicator.decimals, lang=reader.lang),
                 status=None if row.status is None else Rag.parse(row.status.code),
                 url=urls.drilldown(indicator.code, row.org_unit.code, period=ranking.period.id))
            for row in ranking.rows]


def common_target(ranking: Ranking) -> float | None:
    """The target line of the ranking chart: drawn only when every ranked area has the same target."""
    targets = {row.target for row in ranking.rows if row.value is not None}
    return targets.pop() if len(targets) == 1 else None


@router.get("/indicators/{code}", response_class=HTMLResponse)
def indicator_page(request: Request, code: str, session: SessionDep, warehouse: WarehouseDep, reader: ReaderDep,
                   org_unit: Annotated[str | None, Query(max_length=64)] = None):
    """The indicator ``code`` at ``org_unit`` (default: the reader's top org unit) for the period."""
    unit = answer(lambda: home_unit(session, reader.scope, org_unit))
    about = answer(lambda: definition(session, reader.scope, code))
    drill = answer(lambda: values.drilldown(session, warehouse, reader.scope, indicator=code, org_unit=unit.code,
                                            period=reader.period.id))
    ranking = ranked(session, warehouse, reader, code, unit.code) if drill.children else None
    lang, period = reader.lang, reader.period.id
    context = {
        "reader": reader, "nav_current": "overview", "about": about, "drill": drill, "ranking": ranking,
        "indicator_name": _name(drill.indicator, lang), "unit_name": _name(drill.parent, lang),
        "data_as_of": drill.parent_value.stored_at if drill.parent_value else None,
        "period_choices": periods.period_choices(reader.today, period, lang),
        "breadcrumb": [{"label": _name(u, lang), "url": urls.indicator(code, org_unit=u.code, period=period)}
                       for u in drill.breadcrumb],
    }
    if ranking is not None:
        marks = ranking_marks(ranking, reader)
        target = common_target(ranking)
        target_label = (f"{reader.text('measure.target')} "
                        f"{value_text(target, unit=drill.indicator.unit, decimals=drill.indicator.decimals, lang=lang)}"
                        if target is not None else "")
        context.update({
            "ranking_spec": ranking_spec([m for m in marks if m.value is not None], target=target,
                                         target_label=target_label, dots=True),
            "strip_spec": strip_spec(marks, target=target, target_label=target_label),
            "table": ranking_table(ranking, lang),
            "export_params": {"indicator": code, "org_unit": unit.code, "period": period},
        })
    return render(request, "indicators/page.html", context)
