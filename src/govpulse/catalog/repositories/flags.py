"""Red flags and flag runs, read within a scope; written only by the flag engine (``analytics.flag_engine``).

Who sees a flag: everyone whose scope covers its org unit *and* its department in one grant (a Collector of
Surat sees Surat's flags of every department; a Secretary of Health sees Health's flags everywhere). Anything
else answers None (404 at the API), so a flag outside one's scope looks exactly like one that does not exist.
Lists come most urgent first: severity, then the most recently seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from govpulse.catalog.models import Flag, FlagRun, OrgUnit
from govpulse.catalog.models.flags import DISMISSED, OPEN
from govpulse.catalog.repositories.paging import Page, PageRequest, paginate
from govpulse.catalog.scoping import grant_filter, subtree
from govpulse.core.access import VIEW
from govpulse.core.enums import Severity
from govpulse.core.scope import Scope

__all__ = ["FlagFilter", "FlagRepository", "SEVERITY_RANK"]

SEVERITY_RANK = case({s.value: s.rank for s in Severity}, value=Flag.severity, else_=-1)
"""Severity as a number in SQL, so that lists sort by urgency rather than by the name's spelling."""


@dataclass(frozen=True)
class FlagFilter:
    """Query parameters for listing flags (shared by the API, the pages and the CLI). ``org_unit`` means that
    org unit and its whole subtree; ``severity`` lists the severities wanted exactly, ``min_severity`` keeps
    that one and the more urgent; ``since`` keeps flags seen (still true) on or after it;
    ``first_seen_before`` keeps flags first raised before it (a day: before that day began, UTC), i.e. open
    for longer than the time since then; ``status`` None means any status."""

    department: str | None = None
    org_unit: str | None = None
    severity: tuple[str, ...] = ()
    min_severity: str | None = None
    status: str | None = None
    kind: str | None = None
    rule: str | None = None
    indicator: str | None = None
    since: datetime | date | None = None
    first_seen_before: datetime | date | None = None


def _moment(when: datetime | date) -> datetime:
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return datetime.combine(when, time.min, tzinfo=timezone.utc)


class FlagRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- reads --------------------------------------------------------------------------------------------

    @staticmethod
    def visible(scope: Scope) -> ColumnElement[bool]:
        """The one condition for "this reader may see this flag": a grant with ``view`` covering both the
        flag's org unit and its department."""
        readable = Scope.from_grants([g for g in scope.grants if g.allows_action(VIEW)], reason=scope.reason)
        return grant_filter(readable, path_column=Flag.org_unit_path, department_column=Flag.department)

    def get(self, flag_id: int, scope: Scope) -> Flag | None:
        """The flag, or None when it does not exist or lies outside the reader's scope."""
        return self.session.scalar(select(Flag).where(Flag.id == flag_id, self.visible(scope)))

    def list(self, filters: FlagFilter, scope: Scope, page: PageRequest) -> Page[Flag]:
        """One page of matching flags, most severe first, then the most recently seen."""
        stmt = self._select(filters, scope).order_by(SEVERITY_RANK.desc(), Flag.last_seen.desc(), Flag.id.desc())
        return paginate(self.session, stmt, page)

    def _select(self, filters: FlagFilter, scope: Scope) -> Select:
        stmt = select(Flag).where(self.visible(scope))
        if filters.org_unit:
            path = self.session.scalar(select(OrgUnit.path).where(OrgUnit.code == filters.org_unit))
            stmt = stmt.where(subtree(Flag.org_unit_path, path) if path else Flag.id == -1)
        for column, value in ((Flag.department, filters.department), (Flag.status, filters.status),
                              (Flag.kind, filters.kind), (Flag.rule, filters.rule),
                              (Flag.indicator, filters.indicator)):
            if value:
                stmt = stmt.where(column == value)
        if filters.severity:
            stmt = stmt.where(Flag.severity.in_([Severity.parse(s).value for s in filters.severity]))
        if filters.min_severity:
            floor = Severity.parse(filters.min_severity).rank
            stmt = stmt.where(Flag.severity.in_([s.value for s in Severity if s.rank >= floor]))
        if filters.since is not None:
            stmt = stmt.where(Flag.last_seen >= _moment(filters.since))
        if filters.first_seen_before is not None:
            stmt = stmt.where(Flag.first_seen < _moment(filters.first_seen_before))
        return stmt

    def counts(self, scope: Scope, *, within: str | None = None, status: str = OPEN) -> dict[str, int]:
        """Flags of ``status`` by severity (every severity listed, most urgent first), under the org-unit path
        ``within`` when given."""
        stmt = select(Flag.severity, func.count()).where(self.visible(scope), Flag.status == status)
        if within:
            stmt = stmt.where(subtree(Flag.org_unit_path, within))
        found = dict(self.session.execute(stmt.group_by(Flag.severity)).all())
        return {s.value: int(found.get(s.value, 0)) for s in sorted(Severity, key=lambda s: -s.rank)}

    def open_counts_by_department(self, scope: Scope, *, within: str | None = None) -> dict[str, dict[str, int]]:
        """Open flags by department, then by severity (only severities with flags)."""
        stmt = (select(Flag.department, Flag.severity, func.count())
                .where(self.visible(scope), Flag.status == OPEN))
        if within:
            stmt = stmt.where(subtree(Flag.org_unit_path, within))
        counts: dict[str, dict[str, int]] = {}
        for department, severity, n in self.session.execute(stmt.group_by(Flag.department, Flag.severity)):
            counts.setdefault(department, {})[severity] = int(n)
        return counts

    # --- for the engine (system scope: the engine sees every flag) ------------------------------------------

    def live_flags(self) -> list[Flag]:
        """Flags whose condition the engine still follows: open ones and dismissed ones (a dismissed flag is not
        raised again while its condition holds)."""
        stmt = select(Flag).where(Flag.status.in_([OPEN, DISMISSED])).order_by(Flag.id)
        return list(self.session.scalars(stmt))

    def by_ids(self, ids: Sequence[int]) -> dict[int, Flag]:
        found: dict[int, Flag] = {}
        wanted = list(ids)
        for start in range(0, len(wanted), 900):
            stmt = select(Flag).where(Flag.id.in_(wanted[start:start + 900]))
            found.update({f.id: f for f in self.session.scalars(stmt)})
        return found

    def last_run(self) -> FlagRun | None:
        return self.session.scalar(select(FlagRun).order_by(FlagRun.started_at.desc()).limit(1))

    def add(self, *rows: Flag | FlagRun) -> None:
        self.session.add_all(rows)
        self.session.flush()
