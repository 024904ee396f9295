"""What one reader may see and do: grants of org-unit subtrees x departments (x sources), and actions.

A ``Scope`` is built once per request from the reader's role assignments (``core/access.py``) and handed to
every read. The stores apply it in one place each (``catalog/scoping.py`` for SQL, the warehouse's
``scope_paths``), so every door filters the same way. Background jobs pass ``Scope.system()`` explicitly.

A user may hold several role assignments, and their union is not always a rectangle: a Secretary of Health
for the whole state who is also Collector of Surat sees Health everywhere and every department in Surat, but
not Roads in Kutch. So a scope is a list of ``Grant`` rectangles. ``paths``, ``departments`` and ``sources``
are the projections of that union on one dimension each, exact for rows that carry only that dimension (an
org unit, a department, an indicator); rows that carry both a path and a department (values, flags) must be
filtered grant by grant (``allows`` here, ``catalog.scoping.restrict`` with both columns in SQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Grant:
    """One rectangle of access. ``None`` on a dimension means "every": every org unit, department, source,
    or action. ``path`` is a materialised-path prefix such as ``/24/459/``."""

    path: str | None = None
    departments: frozenset[str] | None = None
    sources: frozenset[str] | None = None
    actions: frozenset[str] | None = None
    reason: str = ""

    def covers(self, path: str | None = None, department: str | None = None, source: str | None = None) -> bool:
        """Whether a row at ``path`` of ``department`` fed by ``source`` lies inside this grant; a dimension
        passed as None is one the row does not carry and does not restrict."""
        return (
            (path is None or self.path is None or path.startswith(self.path))
            and (department is None or self.departments is None or department in self.departments)
            and (source is None or self.sources is None or source in self.sources)
        )

    def allows_action(self, action: str) -> bool:
        return self.actions is None or action in self.actions


@dataclass(frozen=True)
class Decision:
    """An access decision and the sentence that explains it (shown on the debug endpoint and in 403s)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


class PermissionDenied(Exception):
    """The reader's roles do not include ``action`` (answered 403; out-of-scope objects answer 404 instead)."""

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(reason)
        self.action = action
        self.reason = reason


@dataclass(frozen=True)
class Scope:
    """Either give ``paths``/``departments`` (one rectangle per path: the original form, still used by
    background jobs and tests) or build from ``grants`` with ``Scope.from_grants``; the projections are then
    derived. ``None`` means every org unit / department / source / action."""

    paths: tuple[str, ...] | None = None
    departments: frozenset[str] | None = None
    reason: str = ""
    grants: tuple[Grant, ...] | None = None
    actions: frozenset[str] | None = field(default=None)
    sources: frozenset[str] | None = field(default=None)

    def __post_init__(self) -> None:
        if self.grants is None:
            object.__setattr__(self, "grants", _rectangle_grants(self))
            return
        grants = tuple(self.grants)
        object.__setattr__(self, "grants", grants)
        object.__setattr__(self, "paths", _union_paths(g.path for g in grants))
        object.__setattr__(self, "departments", _union_sets(g.departments for g in grants))
        object.__setattr__(self, "sources", _union_sets(g.sources for g in grants))
        object.__setattr__(self, "actions", _union_sets(g.actions for g in grants))

    @classmethod
    def system(cls) -> Scope:
        """Everything: for background jobs and the command line run by the installation's owner."""
        return cls.from_grants([Grant(reason="system")], reason="system")

    @classmethod
    def nothing(cls, reason: str = "no role") -> Scope:
        return cls.from_grants([], reason=reason)

    @classmethod
    def for_paths(cls, paths: Iterable[str], departments: Iterable[str] | None = None, reason: str = "") -> Scope:
        return cls(
            paths=_minimal_prefixes(paths),
            departments=None if departments is None else frozenset(departments),
            reason=reason,
        )

    @classmethod
    def from_grants(cls, grants: Iterable[Grant], reason: str = "") -> Scope:
        return cls(grants=tuple(grants), reason=reason)

    @property
    def is_unrestricted(self) -> bool:
        """Sees every org unit of every department (some single grant is unlimited on both)."""
        return any(g.path is None and g.departments is None and g.sources is None for g in self.grants)

    def allows_path(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(prefix) for prefix in self.paths)

    def allows_department(self, department_code: str | None) -> bool:
        return self.departments is None or department_code in self.departments

    def allows_source(self, source_code: str | None) -> bool:
        return self.sources is None or source_code in self.sources

    def allows(self, path: str | None = None, department: str | None = None, source: str | None = None) -> bool:
        """Exact check for a row carrying several dimensions: some one grant must cover them all."""
        return any(g.covers(path, department, source) for g in self.grants)

    def paths_for_department(self, department: str) -> tuple[str, ...] | None:
        """The org-unit subtrees where the reader sees ``department``'s data (None: every org unit): what a
        store that filters only by path, such as the warehouse, needs for one department's rows."""
        return _union_paths(
            g.path for g in self.grants if g.departments is None or department in g.departments
        )

    def can(self, action: str, *, path: str | None = None, department: str | None = None) -> Decision:
        """May the reader do ``action`` (at ``path``, on ``department`` when given)? With the reason."""
        for grant in self.grants:
            if grant.allows_action(action) and grant.covers(path, department):
                return Decision(True, f"{action!r} allowed by {grant.reason or 'a grant'}")
        where = "".join(f" {label} {value}" for label, value in (("at", path), ("for", department)) if value)
        held = ", ".join(g.reason for g in self.grants if g.reason) or "no role"
        return Decision(False, f"{action!r}{where} is not allowed to {held}")

    def require(self, action: str, *, path: str | None = None, department: str | None = None) -> None:
        """Raise ``PermissionDenied`` unless ``can`` allows it: the check every write makes first."""
        decision = self.can(action, path=path, department=department)
        if not decision:
            raise PermissionDenied(action, decision.reason)


def _rectangle_grants(scope: Scope) -> tuple[Grant, ...]:
    """The grants of a scope given as paths x departments (the original constructor)."""
    if scope.paths == () or scope.departments == frozenset() or scope.sources == frozenset():
        return ()
    paths: tuple[str | None, ...] = (None,) if scope.paths is None else scope.paths
    return tuple(Grant(path=p, departments=scope.departments, sources=scope.sources, actions=scope.actions,
                       reason=scope.reason) for p in paths)


def _union_paths(paths: Iterable[str | None]) -> tuple[str, ...] | None:
    paths = list(paths)
    return None if any(p is None for p in paths) else _minimal_prefixes(paths)


def _union_sets(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    union: set[str] = set()
    for values in sets:
        if values is None:
            return None
        union |= values
    return frozenset(union)


def _minimal_prefixes(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so filters stay short."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return tuple(sorted(kept))
