"""Errors the warehouse raises. Each names what was wrong: the column, the codes, the rows (0-based)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "WarehouseError",
    "InvalidInput",
    "UnknownCodes",
    "InvalidPeriods",
    "DuplicateKeys",
    "TreeConflict",
    "UnsupportedUrl",
    "UnsupportedQuery",
]


def _rows(rows: Sequence[int], shown: int = 5) -> str:
    listed = ", ".join(str(r) for r in rows[:shown])
    return f"row {listed}" if len(rows) == 1 else f"rows {listed}{', ...' if len(rows) > shown else ''}"


class WarehouseError(Exception):
    """Base of every warehouse error."""


class InvalidInput(WarehouseError, ValueError):
    """A table handed to the warehouse is malformed: a missing column, an empty or non-finite value, ..."""


class UnknownCodes(InvalidInput):
    """Codes the warehouse has never been told about (``kind`` is "org unit" or "data element")."""

    def __init__(self, kind: str, examples: dict[str, list[int]], total: int):
        self.kind = kind
        self.codes = list(examples)
        self.total = total
        shown = "; ".join(f"{code!r}" + (f" ({_rows(rows)})" if rows else "") for code, rows in examples.items())
        more = f" and {total - len(examples)} more" if total > len(examples) else ""
        super().__init__(f"unknown {kind} code{'s' if total > 1 else ''}: {shown}{more}")


class InvalidPeriods(InvalidInput):
    """Period identifiers that do not parse, or that are not the data element's own period type."""

    def __init__(self, problems: dict[str, tuple[str, list[int]]], total: int):
        self.periods = list(problems)
        shown = "; ".join(f"{pid!r} ({_rows(rows)}): {why}" for pid, (why, rows) in problems.items())
        more = f" and {total - len(problems)} more" if total > len(problems) else ""
        super().__init__(f"invalid period{'s' if total > 1 else ''}: {shown}{more}")


class DuplicateKeys(InvalidInput):
    """The same (data element, org unit, period, disaggregation) more than once in one batch."""

    def __init__(self, examples: list[tuple[str, str, str, str, list[int]]], total: int):
        self.keys = [example[:4] for example in examples]
        shown = "; ".join(f"{de}/{ou}/{pe}/{dis} ({_rows(rows)})" for de, ou, pe, dis, rows in examples)
        more = f" and {total - len(examples)} more" if total > len(examples) else ""
        super().__init__(f"the same value key appears more than once in the batch: {shown}{more}")


class TreeConflict(WarehouseError):
    """A new org-unit tree would orphan stored values, or is not a tree."""


class UnsupportedUrl(WarehouseError, ValueError):
    """``connect`` was given a URL no registered backend understands."""


class UnsupportedQuery(WarehouseError, ValueError):
    """A query this warehouse cannot answer (say, a disaggregated reference in an indicator)."""
