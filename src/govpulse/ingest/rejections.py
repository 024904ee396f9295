"""Rejections collected as Arrow columns: which row (``seq``, the row's number in the batch), which field, why.

Mapping and validation add rejections a whole column at a time (a mask over the rows and one reason, or a
reason per row), so rejecting a million rows costs no Python loop. The batch turns them into quarantined rows
naming file, row, field and reason.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["REJECTION_SCHEMA", "Rejections"]

REJECTION_SCHEMA = pa.schema([("seq", pa.int64()), ("field", pa.string()), ("reason", pa.string())])


class Rejections:
    """An append-only list of rejections; ``table()`` gives them as one ``REJECTION_SCHEMA`` table."""

    def __init__(self) -> None:
        self._parts: list[pa.Table] = []

    def add(self, seq: pa.Array, field: str | pa.Array, reason: str | pa.Array) -> None:
        """Reject every row of ``seq`` for ``field`` (one name, or one per row) with ``reason`` (idem)."""
        n = len(seq)
        if n == 0:
            return
        self._parts.append(pa.table({
            "seq": pc.cast(seq, pa.int64()),
            "field": _column(field, n),
            "reason": _column(reason, n),
        }, schema=REJECTION_SCHEMA))

    def add_where(self, mask: pa.Array, seq: pa.Array, field: str | pa.Array, reason: str | pa.Array) -> None:
        """Reject the rows where ``mask`` is true; per-row ``field``/``reason`` arrays line up with ``seq``."""
        mask = pc.fill_null(mask, False)
        if not pc.any(mask).as_py():
            return
        pick = (lambda value: value if isinstance(value, str) else pc.filter(value, mask))
        self.add(pc.filter(seq, mask), pick(field), pick(reason))

    def extend(self, other: Rejections | pa.Table) -> None:
        table = other.table() if isinstance(other, Rejections) else other
        if table.num_rows:
            self._parts.append(table.cast(REJECTION_SCHEMA))

    def table(self) -> pa.Table:
        if not self._parts:
            return REJECTION_SCHEMA.empty_table()
        return pa.concat_tables(self._parts).combine_chunks()

    def __len__(self) -> int:
        return sum(part.num_rows for part in self._parts)


def _column(value: str | pa.Array | pa.ChunkedArray, n: int) -> pa.Array:
    if isinstance(value, str):
        return pa.repeat(pa.scalar(value, pa.string()), n)
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    return pc.cast(value, pa.string())
