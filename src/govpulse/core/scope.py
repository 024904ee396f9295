"""What one reader may see: org-unit subtrees (materialised-path prefixes) and departments.

A ``Scope`` is built once per request from the reader's role assignments and handed to every read. The stores
apply it in one place each (``catalog/scoping.py`` for SQL, the warehouse's ``scope_paths``), so every door
filters the same way. Background jobs pass ``Scope.system()`` explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """``paths=None`` means every org unit; ``departments=None`` means every department."""

    paths: tuple[str, ...] | None = None
    departments: frozenset[str] | None = None
    reason: str = ""

    @classmethod
    def system(cls) -> Scope:
        """Everything: for background jobs and the command line run by the installation's owner."""
        return cls(reason="system")

    @classmethod
    def nothing(cls) -> Scope:
        return cls(paths=(), departments=frozenset(), reason="no role")

    @classmethod
    def for_paths(cls, paths: Iterable[str], departments: Iterable[str] | None = None, reason: str = "") -> Scope:
        return cls(
            paths=_minimal_prefixes(paths),
            departments=None if departments is None else frozenset(departments),
            reason=reason,
        )

    @property
    def is_unrestricted(self) -> bool:
        return self.paths is None and self.departments is None

    def allows_path(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(prefix) for prefix in self.paths)

    def allows_department(self, department_code: str | None) -> bool:
        return self.departments is None or department_code in self.departments


def _minimal_prefixes(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so filters stay short."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return tuple(sorted(kept))
