"""The one place a ``Scope`` becomes SQL for the catalogue store."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, true

from govpulse.core.scope import Scope


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


def department_filter(department_code_column, scope: Scope) -> ColumnElement[bool]:
    if scope.departments is None:
        return true()
    if not scope.departments:
        return false()
    return department_code_column.in_(sorted(scope.departments))


def restrict(stmt: Select, scope: Scope, *, path_column=None, department_column=None) -> Select:
    """Apply ``scope`` to a statement: every repository read goes through here."""
    if path_column is not None:
        stmt = stmt.where(path_filter(path_column, scope))
    if department_column is not None:
        stmt = stmt.where(department_filter(department_column, scope))
    return stmt
