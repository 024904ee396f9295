"""The one place a ``Scope`` becomes SQL for the catalogue store."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select, true

from govpulse.catalog.models import OrgUnit
from govpulse.core.scope import Grant, Scope


def path_filter(path_column, scope: Scope) -> ColumnElement[bool]:
    """Rows whose materialised path lies in one of the scope's subtrees."""
    if scope.paths is None:
        return true()
    if not scope.paths:
        return false()
    return or_(*(subtree(path_column, prefix) for prefix in scope.paths))


def subtree(path_column, path: str) -> ColumnElement[bool]:
    """``path_column`` is ``path`` or lies under it (prefix match that can use the path index)."""
    return path_column.startswith(path, autoescape=True)


def path_or_whole_tree(path_column) -> ColumnElement[str]:
    """``path_column``, or for a row placed nowhere in the tree (NULL: its org unit could not be read) a path
    that only readers of the whole tree cover: the root's path when the tree has one root (a state-level grant
    covers it, a district's does not), else "/", which only grants unlimited in the tree cover. Such a row could
    belong anywhere, so only someone who sees everywhere may read it."""
    roots = OrgUnit.parent_id.is_(None)
    whole_tree = select(case((func.count() == 1, func.max(OrgUnit.path)), else_=literal("/"))).where(roots)
    return func.coalesce(path_column, whole_tree.scalar_subquery())


def department_filter(department_code_column, scope: Scope) -> ColumnElement[bool]:
    return _in_set(department_code_column, scope.departments)


def source_filter(source_code_column, scope: Scope) -> ColumnElement[bool]:
    """Rows fed by one of the scope's sources (operators are limited to theirs)."""
    return _in_set(source_code_column, scope.sources)


def grant_filter(scope: Scope, *, path_column=None, department_column=None, source_column=None) -> ColumnElement[bool]:
    """Rows inside some one grant on every dimension given: exact for rows carrying several dimensions,
    where filtering each dimension by its projection would let through pairs no grant allows."""
    clauses = [_grant_clause(g, path_column, department_column, source_column) for g in scope.grants]
    if not clauses:
        return false()
    if any(clause is None for clause in clauses):
        return true()
    return or_(*clauses)


def restrict(stmt: Select, scope: Scope, *, path_column=None, department_column=None, source_column=None) -> Select:
    """Apply ``scope`` to a statement: every repository read goes through here."""
    given = [c for c in (path_column, department_column, source_column) if c is not None]
    if len(given) > 1:
        return stmt.where(grant_filter(scope, path_column=path_column, department_column=department_column,
                                       source_column=source_column))
    if path_column is not None:
        stmt = stmt.where(path_filter(path_column, scope))
    if department_column is not None:
        stmt = stmt.where(department_filter(department_column, scope))
    if source_column is not None:
        stmt = stmt.where(source_filter(source_column, scope))
    return stmt


def _in_set(column, values: frozenset[str] | None) -> ColumnElement[bool]:
    if values is None:
        return true()
    if not values:
        return false()
    return column.in_(sorted(values))


def _grant_clause(grant: Grant, path_column, department_column, source_column) -> ColumnElement[bool] | None:
    """The grant as a conjunction over the given columns; None when it limits none of them."""
    parts = []
    if path_column is not None and grant.path is not None:
        parts.append(subtree(path_column, grant.path))
    if department_column is not None and grant.departments is not None:
        parts.append(department_column.in_(sorted(grant.departments)))
    if source_column is not None and grant.sources is not None:
        parts.append(source_column.in_(sorted(grant.sources)))
    return and_(*parts) if parts else None
