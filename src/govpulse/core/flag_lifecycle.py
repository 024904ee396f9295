"""What a run of the flag rules does to the flags already open: raise new ones, keep, escalate, resolve.

A flag is identified by (rule, indicator, org unit), not by period: "Surat's institutional deliveries are
below the amber band" is one flag that stays open month after month while it holds, not a new flag every month,
so the officer who answers it sees one thread. On each run:

* a candidate with no open flag of its key is **raised** (first_seen = last_seen = now);
* a candidate whose key is open **keeps it open**: last_seen, period, value, expected, message and evidence
  are the newest; severity rises to the candidate's when that is higher (escalated) and never falls while
  the flag is open, so an escalation is not quietly undone by one slightly better month;
* an open flag whose key was evaluated in this run and raised no candidate is **resolved**: the condition no
  longer holds. Keys the run did not look at (another department, an indicator with no data this run) stay
  open untouched: pass ``evaluated`` to say which keys the run covered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from govpulse.core.enums import Severity
from govpulse.core.flag_rules import FlagCandidate, FlagKey

__all__ = ["FlagState", "Reconciliation", "reconcile"]


@dataclass(frozen=True)
class FlagState:
    """An open flag as the store keeps it (``id`` is the store's, None before it is saved)."""

    rule: str
    indicator: str
    org_unit: str
    severity: Severity
    period: str
    first_seen: datetime
    last_seen: datetime
    value: float | None = None
    expected: float | None = None
    message: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None

    @property
    def key(self) -> FlagKey:
        return (self.rule, self.indicator, self.org_unit)

    @classmethod
    def raised(cls, candidate: FlagCandidate, now: datetime) -> FlagState:
        """A new open flag from ``candidate``, first and last seen ``now``."""
        return cls(candidate.rule, candidate.indicator, candidate.org_unit, candidate.severity, candidate.period,
                   now, now, candidate.value, candidate.expected, candidate.message, dict(candidate.evidence))

    def seen_again(self, candidate: FlagCandidate, now: datetime) -> FlagState:
        """This flag updated with ``candidate``'s findings; severity only ever rises."""
        severity = candidate.severity if candidate.severity.rank > self.severity.rank else self.severity
        return replace(self, severity=severity, period=candidate.period, last_seen=now, value=candidate.value,
                       expected=candidate.expected, message=candidate.message, evidence=dict(candidate.evidence))


@dataclass(frozen=True)
class Reconciliation:
    """The outcome of one run: flags to create, flags to update (``escalated`` is the subset of ``kept_open``
    whose severity rose, for notifications) and flags to close as resolved (as they were; the store records
    the time of resolution)."""

    raised: tuple[FlagState, ...]
    kept_open: tuple[FlagState, ...]
    resolved: tuple[FlagState, ...]
    escalated: tuple[FlagState, ...] = ()


def reconcile(
    open_flags: Iterable[FlagState],
    candidates: Iterable[FlagCandidate],
    now: datetime,
    *,
    evaluated: Callable[[FlagKey], bool] | None = None,
) -> Reconciliation:
    """Compare this run's ``candidates`` with the ``open_flags`` (see the module docstring).

    ``evaluated(key)`` says whether the run looked at that (rule, indicator, org unit); None means the run
    covered everything. Two candidates with the same key (two runs' output merged) keep the more severe.
    Two open flags with the same key are a store error and raise ``ValueError``.
    """
    newest = _strongest_by_key(candidates)
    open_by_key: dict[FlagKey, FlagState] = {}
    for flag in open_flags:
        if flag.key in open_by_key:
            raise ValueError(f"two open flags for rule {flag.rule!r}, indicator {flag.indicator!r}, "
                             f"org unit {flag.org_unit!r}")
        open_by_key[flag.key] = flag
    raised = tuple(FlagState.raised(c, now) for key, c in newest.items() if key not in open_by_key)
    kept, escalated, resolved = [], [], []
    for key, flag in open_by_key.items():
        if key in newest:
            updated = flag.seen_again(newest[key], now)
            kept.append(updated)
            if updated.severity.rank > flag.severity.rank:
                escalated.append(updated)
        elif evaluated is None or evaluated(key):
            resolved.append(flag)  # last_seen stays: when the condition was last seen; the store stamps now
        # else: not looked at in this run; nothing changes.
    return Reconciliation(raised, tuple(kept), tuple(resolved), tuple(escalated))


def _strongest_by_key(candidates: Iterable[FlagCandidate]) -> dict[FlagKey, FlagCandidate]:
    by_key: dict[FlagKey, FlagCandidate] = {}
    for candidate in candidates:
        held = by_key.get(candidate.key)
        if held is None or candidate.severity.rank > held.severity.rank:
            by_key[candidate.key] = candidate
    return by_key
