"""The flag engine: evaluate the flag rules on the warehouse's numbers, reconcile with the open flags (raise once,
keep open, escalate, auto-resolve) and store Flag and FlagRun rows.

One run, for ``today``:

1. read the catalogue (indicators, targets, org units), each data element's first day of data, and how fresh
   the sources feeding each indicator are (``indicator_sources``, once per run: at ``now``, or at the end of
   ``today`` when the run looks at an earlier day);
2. for each lane (``flag_series.DEFAULT_LANES``) read the warehouse in bulk and build one ``FlagInput`` per
   (indicator, org unit), then evaluate every rule whose selector accepts it. Rules of an *event* kind
   (``EVENT_KINDS``: a day far out of line) are also judged on each of the lane's ``lookback`` periods before
   the newest, so a typing error of ten days ago stays flagged until it is corrected or leaves the window,
   and a run repeated on the same day finds the same flags;
3. one candidate per (rule, indicator, org unit): the most severe, then the newest period;
4. ``core.flag_lifecycle.reconcile`` with the open flags, counting a key as evaluated when its rule accepted
   its input in this run (flags of rules, indicators or units not looked at stay as they are). A flag somebody
   dismissed is followed like an open one but keeps its status: it is not raised again while its condition
   holds, and is resolved when the condition ends;
5. write: new flags, updated ones, resolved ones (every change audited), and a FlagRun row.
"""

from __future__ import annotations

import json
import math
import time as clock
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from govpulse.analytics.evaluation_models import FlagRunSummary
from govpulse.analytics.flag_rule_config import default_flag_rules
from govpulse.analytics.flag_series import DEFAULT_LANES, Lane, LaneInputs, lane_inputs, load_units
from govpulse.analytics.indicator_catalogue import EvalIndicator, load_indicators
from govpulse.analytics.indicator_sources import indicator_sources
from govpulse.analytics.targets import TargetBook
from govpulse.catalog.models import Flag, FlagRun
from govpulse.catalog.models.flags import OPEN, RESOLVED
from govpulse.catalog.repositories.flags import FlagRepository
from govpulse.core.enums import Severity
from govpulse.core.flag_lifecycle import FlagState, reconcile
from govpulse.core.flag_rules import FlagCandidate, FlagInput, FlagKey, FlagRule
from govpulse.core.orgunits import path_codes
from govpulse.core.progress import NullProgress, Progress
from govpulse.core.scope import Scope
from govpulse.warehouse import Warehouse

__all__ = ["EVENT_KINDS", "EngineOptions", "run_flag_engine"]

EVENT_KINDS = frozenset({"anomaly"})
"""Rule kinds that describe an event (one period out of line) rather than a state (below target, stale,
frozen): these are judged on every period of a lane's look-back, the others on the newest period only."""

COVERED_FROM_ABOVE = frozenset({"threshold", "deterioration"})
"""Performance kinds: a unit's flag is left out when an ancestor raises a flag of the same kind on the same
indicator. The district (or the state) answers for it, and its root cause drills down to the units below, so a
state-wide shortfall is one flag rather than one per taluka."""

EXPLAINED_FROM_BELOW = frozenset({"anomaly", "missing_reporting"})
"""Data kinds: an ancestor's flag is left out when a unit below it raises one of the same kind on the same
indicator. A typing error or a silent taluka shows in its district's totals too, but happened where it was
typed; the lowest unit is where someone can fix it. One exception: a unit from which nothing came at all
(coverage 0 %) covers the silent units below it, since the feed stopped there (a taluka's feed, not each of
its villages)."""

ONE_PER_DEPARTMENT = frozenset({"missing_reporting", "stale"})
"""Kinds about data that did not come: a source that goes quiet silences every indicator it feeds, so a unit
gets one flag per rule and department (on its heaviest indicator), listing the other indicators affected.
Candidates that name the sources behind them (``evidence["sources"]``) are grouped per set of sources too:
two sources of a department that stopped are two flags, each resolved when its own source delivers again."""


@dataclass(frozen=True)
class EngineOptions:
    lanes: tuple[Lane, ...] = DEFAULT_LANES
    now: datetime | None = None
    """The time stamped on flags and the run (default: the clock); evaluation itself uses ``today`` only."""


def run_flag_engine(session: Session, warehouse: Warehouse, *, today: date, progress: Progress | None = None,
                    rules: Sequence[FlagRule] | None = None, options: EngineOptions | None = None) -> FlagRunSummary:
    """Evaluate ``rules`` (default: ``analytics/flag_rules.yaml``) as of ``today``, reconcile with the open flags
    and write the changes. The caller commits the session."""
    options = options or EngineOptions()
    progress = progress or NullProgress()
    rules = list(default_flag_rules() if rules is None else rules)
    started, now = clock.perf_counter(), options.now or datetime.now(UTC)
    timings: dict[str, float] = {}
    indicators = load_indicators(session, Scope.system())
    targets = TargetBook.load(session, indicators)
    first_days = _first_days(warehouse, indicators)
    sources = indicator_sources(session, indicators, _sources_judged_at(today, now))
    timings["catalogue"] = clock.perf_counter() - started
    candidates: list[FlagCandidate] = []
    evaluated: set[FlagKey] = set()
    places: dict[str, tuple[str, str]] = {}
    inputs = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="flag-engine-read") as reader:
        for lane in options.lanes:
            lane_rules = [r for r in rules if _lane_may_match(r, lane)]
            if not lane_rules:
                continue
            began = clock.perf_counter()
            with progress.step(f"Reading the {lane.name} lane", total=None):
                units = load_units(session, lane.kinds)
                read = lane_inputs(lane, warehouse, indicators, units, targets, first_days, today, reader,
                                   sources)
            timings[f"{lane.name}:read"] = clock.perf_counter() - began
            began = clock.perf_counter()
            with progress.step(f"Evaluating the {lane.name} lane", total=len(read.inputs)) as step:
                for data in read.inputs:
                    candidates.extend(_evaluate(lane_rules, data, read, evaluated))
                    step.advance()
            inputs += len(read.inputs)
            places.update({code: (unit.path, unit.kind) for code, unit in read.units.items()})
            timings[f"{lane.name}:evaluate"] = clock.perf_counter() - began
    began = clock.perf_counter()
    with progress.step("Reconciling with the open flags", total=None):
        kinds = {rule.name: rule.kind for rule in rules}
        chosen = _one_per_department(_prune(_strongest(candidates), kinds, places), kinds, indicators)
        summary = _store(session, rules, indicators, places, chosen, evaluated, now)
    timings["store"] = clock.perf_counter() - began
    run = FlagRun(started_at=now, finished_at=datetime.now(UTC), evaluated=inputs, raised=summary["raised"],
                  kept_open=summary["kept_open"], resolved=summary["resolved"])
    seconds = clock.perf_counter() - started
    timings = {k: round(v, 2) for k, v in timings.items()}
    run.detail = json.dumps({"today": today.isoformat(), "seconds": round(seconds, 2), "timings": timings,
                             "raised_by_rule": summary["raised_by_rule"]})
    FlagRepository(session).add(run)
    return FlagRunSummary(run_id=run.id, today=today, started_at=now, finished_at=run.finished_at,
                          seconds=round(seconds, 2), evaluated=inputs, timings=timings, **summary)


def _lane_may_match(rule: FlagRule, lane: Lane) -> bool:
    where = rule.where
    return ((not where.period_types or lane.period_type in where.period_types)
            and (not where.org_unit_kinds or bool(where.org_unit_kinds & lane.kinds)))


def _sources_judged_at(today: date, now: datetime) -> datetime:
    """The moment sources are judged at: ``now``, unless the run looks at an earlier day (a re-evaluation of
    the past), then the end of that day (UTC), counting only what had been delivered by then."""
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return min(now, datetime.combine(today + timedelta(days=1), time.min, tzinfo=UTC))


def _first_days(warehouse: Warehouse, indicators: Iterable[EvalIndicator]) -> dict[str, date]:
    """Per indicator, the first day its data covers: the latest first period start among its data elements."""
    table = warehouse.freshness()
    starts = dict(zip(table.column("data_element").to_pylist(), table.column("first_period_start").to_pylist()))
    first: dict[str, date] = {}
    for indicator in indicators:
        days = [starts[code] for code in indicator.spec.data_elements() if starts.get(code) is not None]
        if days:
            first[indicator.code] = max(days)
    return first


def _evaluate(rules: Sequence[FlagRule], data: FlagInput, read: LaneInputs,
              evaluated: set[FlagKey]) -> Iterator[FlagCandidate]:
    """Every candidate the rules raise for ``data`` (events also on the look-back), marking what was looked at."""
    for rule in rules:
        if not data.series or not rule.where.matches(data):
            continue
        evaluated.add((rule.name, data.indicator.code, data.org_unit.code))
        found = rule.check(data)
        if found is not None:
            yield found
        if rule.kind in EVENT_KINDS and read.lane.lookback:
            yield from _look_back(rule, data, read)


@dataclass(frozen=True)
class _Prefix(FlagInput):
    """The first points of an input that ``FlagInput`` already sorted and checked: the same object for the
    rules, without sorting and checking again (the look-back builds one for each of its periods; this halves
    the time of the daily lane). It keeps the by-period index ``FlagInput.point`` reads."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_period", {point.period: point for point in self.series})


def _look_back(rule: FlagRule, data: FlagInput, read: LaneInputs) -> Iterator[FlagCandidate]:
    series, owner = data.series, read.units[data.org_unit.code]
    for end in range(len(series) - 1, max(len(series) - 1 - read.lane.lookback, 1), -1):
        point = series[end - 1]
        if point.value is None:
            continue
        peers = read.peers.get((data.indicator.code, owner.parent, owner.kind, point.period.id), {})
        earlier = _Prefix(data.indicator, data.org_unit, series[:end], data.today, peers, data.sources)
        found = rule.check(earlier)
        if found is not None:
            yield found


def _strongest(candidates: Iterable[FlagCandidate]) -> dict[FlagKey, FlagCandidate]:
    """One candidate per key: the most severe, then the one about the newest period."""
    chosen: dict[FlagKey, FlagCandidate] = {}
    for candidate in candidates:
        held = chosen.get(candidate.key)
        if held is None or (candidate.severity.rank, candidate.period) > (held.severity.rank, held.period):
            chosen[candidate.key] = candidate
    return chosen


def _ancestors(path: str) -> list[str]:
    """The paths of every ancestor of the unit at ``path`` ("/24/459/3900/" -> "/24/", "/24/459/")."""
    parts = path_codes(path)
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts))]


def _prune(candidates: dict[FlagKey, FlagCandidate], kinds: Mapping[str, str],
           places: Mapping[str, tuple[str, str]]) -> dict[FlagKey, FlagCandidate]:
    """Candidates without those covered by an ancestor's (``COVERED_FROM_ABOVE``) or explained by a
    descendant's (``EXPLAINED_FROM_BELOW``) of the same kind and indicator."""
    flagged: dict[tuple[str, str], set[str]] = {}
    silent: dict[tuple[str, str], set[str]] = {}
    for (rule, indicator, unit), candidate in candidates.items():
        flagged.setdefault((kinds[rule], indicator), set()).add(places[unit][0])
        if _nothing_came(candidate):
            silent.setdefault((kinds[rule], indicator), set()).add(places[unit][0])
    kept = {}
    for key, candidate in candidates.items():
        rule, indicator, unit = key
        kind, path = kinds[rule], places[unit][0]
        paths, quiet = flagged[(kind, indicator)], silent.get((kind, indicator), set())
        above = _ancestors(path)
        if kind in COVERED_FROM_ABOVE and any(a in paths for a in above):
            continue
        if kind in EXPLAINED_FROM_BELOW and any(a in quiet for a in above):
            continue
        if (kind in EXPLAINED_FROM_BELOW and not _nothing_came(candidate)
                and any(p != path and p.startswith(path) for p in paths)):
            continue
        kept[key] = candidate
    return kept


def _nothing_came(candidate: FlagCandidate) -> bool:
    """A coverage candidate saying that none of the expected org units reported."""
    return candidate.evidence.get("coverage_percent") == 0 and candidate.evidence.get("expected", 0) > 0


def _one_per_department(candidates: dict[FlagKey, FlagCandidate], kinds: Mapping[str, str],
                        indicators: Sequence[EvalIndicator]) -> dict[FlagKey, FlagCandidate]:
    """For ``ONE_PER_DEPARTMENT`` kinds, one candidate per (rule, org unit, department, sources behind it): the
    most severe, then on the heaviest indicator; its evidence lists every indicator affected."""
    info = {i.code: i for i in indicators}
    groups: dict[tuple[str, str, str, tuple[str, ...]], list[FlagCandidate]] = {}
    kept = {}
    for key, candidate in candidates.items():
        if kinds[candidate.rule] in ONE_PER_DEPARTMENT and candidate.indicator in info:
            department = info[candidate.indicator].department
            behind = tuple(sorted(source["source"] for source in candidate.evidence.get("sources", ())))
            groups.setdefault((candidate.rule, candidate.org_unit, department, behind), []).append(candidate)
        else:
            kept[key] = candidate
    for members in groups.values():
        members.sort(key=lambda c: (-c.severity.rank, -info[c.indicator].weight, c.indicator))
        lead = members[0]
        if len(members) > 1:
            others = len(members) - 1
            lead = replace(lead, message=f"{lead.message}; {others} more indicator{'s' if others > 1 else ''} of "
                                         f"the department affected",
                           evidence={**lead.evidence, "indicators": [c.indicator for c in members]})
        kept[lead.key] = lead
    return kept


# --- store ----------------------------------------------------------------------------------------------


def _state(flag: Flag) -> FlagState:
    return FlagState(flag.rule, flag.indicator, flag.org_unit, Severity(flag.severity), flag.period,
                     flag.first_seen, flag.last_seen, flag.value, flag.expected, flag.message,
                     dict(flag.evidence or {}), flag.id)


def _store(session: Session, rules: Sequence[FlagRule], indicators: Sequence[EvalIndicator],
           places: Mapping[str, tuple[str, str]], candidates: Mapping[FlagKey, FlagCandidate],
           evaluated: set[FlagKey], now: datetime) -> dict[str, Any]:
    repo = FlagRepository(session)
    open_rows = {flag.id: flag for flag in repo.live_flags()}
    outcome = reconcile([_state(f) for f in open_rows.values()], candidates.values(), now,
                        evaluated=evaluated.__contains__)
    kinds = {rule.name: rule.kind for rule in rules}
    departments = {i.code: i.department for i in indicators}
    new_rows = [_new_flag(state, kinds, departments, places, now) for state in outcome.raised]
    for state in outcome.kept_open:
        _update(open_rows[state.id], state, now)
    for state in outcome.resolved:
        row = open_rows[state.id]
        row.status, row.resolved_at = RESOLVED, now
    repo.add(*new_rows)
    open_now = new_rows + [row for row in open_rows.values() if row.status == OPEN]
    return {
        "raised": len(outcome.raised), "kept_open": len(outcome.kept_open), "resolved": len(outcome.resolved),
        "escalated": len(outcome.escalated), "open_total": len(open_now),
        "raised_by_rule": dict(Counter(s.rule for s in outcome.raised).most_common()),
        "open_by_kind": dict(Counter(f.kind for f in open_now).most_common()),
        "open_by_rule": dict(Counter(f.rule for f in open_now).most_common()),
        "open_by_severity": {s.value: n for s in sorted(Severity, key=lambda s: -s.rank)
                             if (n := sum(1 for f in open_now if f.severity == s.value))},
    }


def _new_flag(state: FlagState, kinds: Mapping[str, str], departments: Mapping[str, str],
              places: Mapping[str, tuple[str, str]], now: datetime) -> Flag:
    path, _kind = places[state.org_unit]
    return Flag(rule=state.rule, kind=kinds.get(state.rule, ""), indicator=state.indicator, org_unit=state.org_unit,
                org_unit_path=path, department=departments.get(state.indicator, ""), period=state.period,
                severity=state.severity.value, status=OPEN, value=_finite(state.value),
                expected=_finite(state.expected), message=state.message, evidence=_json_safe(state.evidence),
                first_seen=now, last_seen=now, times_seen=1)


def _update(row: Flag, state: FlagState, now: datetime) -> None:
    row.severity, row.period, row.last_seen = state.severity.value, state.period, now
    row.value, row.expected, row.message = _finite(state.value), _finite(state.expected), state.message
    row.evidence = _json_safe(state.evidence)
    row.times_seen = (row.times_seen or 0) + 1


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def _json_safe(value: Any) -> Any:
    """Evidence as JSON every store accepts: infinite numbers become the text "inf" / "-inf"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value

