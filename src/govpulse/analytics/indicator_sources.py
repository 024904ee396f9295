"""Which registered sources feed each indicator, and how fresh they are: what the stale flag rule judges.

A source feeds an indicator when its mapping delivers a data element that the indicator's numerator or
denominator uses: the wide columns' codes (``mapping.values``) or the long format's code table
(``mapping.data_element.codes``). A long-format source without a code table takes the codes from its rows, so
what it delivers is not known in advance; it feeds nothing here (its indicators fall back to the age of the
stored data). A disabled source is not expected to deliver and feeds nothing either.

Freshness comes from ``ingest.freshness.source_freshness`` at one moment per engine run, turned into the plain
``core.flag_rules.SourceStatus`` records the rules read (core sees no catalogue rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.analytics.indicator_catalogue import EvalIndicator
from govpulse.catalog.models import Source
from govpulse.core.flag_rules import SourceStatus
from govpulse.core.scope import Scope
from govpulse.ingest.freshness import SourceFreshness, source_freshness
from govpulse.ingest.mapping_spec import SourceMapping

__all__ = ["delivered_elements", "indicator_sources"]


def delivered_elements(mapping: Mapping | None) -> frozenset[str]:
    """The data-element codes a source's stored ``mapping`` delivers (empty when it cannot be told)."""
    try:
        spec = SourceMapping.model_validate(mapping or {})
    except ValidationError:
        return frozenset()  # a mapping that no longer validates cannot be read either: it delivers nothing
    return spec.data_elements()


def indicator_sources(session: Session, indicators: Iterable[EvalIndicator], moment: datetime
                      ) -> dict[str, tuple[SourceStatus, ...]]:
    """Per indicator code, the freshness at ``moment`` of the enabled sources that feed it, ordered by source
    code; indicators no source feeds are left out. Batches finished after ``moment`` are not counted."""
    rows = session.execute(select(Source.code, Source.mapping, Source.timezone).where(Source.enabled)).all()
    delivers = {code: delivered_elements(mapping) for code, mapping, _zone in rows}
    delivers = {code: elements for code, elements in delivers.items() if elements}
    if not delivers:
        return {}
    zones = {code: zone or "Asia/Kolkata" for code, _mapping, zone in rows}
    statuses = {f.source: _status(f, zones[f.source])
                for f in source_freshness(session, moment, Scope.system(), codes=sorted(delivers), as_of_now=True)}
    fed: dict[str, tuple[SourceStatus, ...]] = {}
    for indicator in indicators:
        used = indicator.spec.data_elements()
        found = tuple(statuses[code] for code in sorted(statuses) if delivers[code] & used)
        if found:
            fed[indicator.code] = found
    return fed


def _status(freshness: SourceFreshness, zone: str) -> SourceStatus:
    return SourceStatus(freshness.source, freshness.name, freshness.state.value, freshness.promise,
                        freshness.late_by, freshness.last_delivery_at, freshness.due_by, zone)
