"""The warehouse contract: a few coarse methods, bulk data in and out as Arrow, optional abilities as mixins.

Every backend (DuckDB now, ClickHouse later) implements ``Warehouse``. What one backend may lack is a small
capability ABC (``HasLineage``, ``CanCompact``); callers ask ``warehouse.supports(HasLineage)`` and never
test for a concrete class. ``tests/warehouse/contract/`` runs the same suite against every backend.

Codes in, codes out: callers speak org-unit codes, data-element codes and DHIS2 period ids; a backend may
keep integer ids inside. Every read takes ``scope_paths`` (org-unit path prefixes the reader may see, None
for everything) and simply leaves out rows whose org unit lies outside them.

Input tables (extra columns are ignored; ``sync_*`` replace the warehouse's copy):

    org units       code, parent_code (null for a root), path ("/24/438/": codes from the root), level
                    (1 = root), kind
    data elements   code, aggregation_type (DHIS2 name), period_type (DHIS2 name of the type it is reported
                    in), reported_at (list of org-unit kinds that report it, for expected coverage)
    values          data_element, org_unit, period (DHIS2 id), value (float); optional disaggregation
                    (default "total"), source_row (row of the batch, for lineage), stored_at (default now)

Output tables have the fixed schemas below, so a screen never depends on the backend.

What every backend must deliver (the contract tests check it against ``core/aggregation.py``): for any data
element, any org unit (its whole subtree, itself included) and any period of the element's own type or of a
kept coarser type, the sum, count, min, max, last, first and per-series average of the stored values, the
number of reporting org units, the newest stored_at, and the DHIS2 ``value`` of the element's aggregation
type; an indicator is computed from those values at the same org unit and period (a ratio of sums).
How a backend gets there is its own business. The SQL backends (``sql.py``) store leaf values and, per org
unit, the first coarser tier (a village's month), clustered by (period, data element); subtree sums and the
coarser tiers (quarter, year) are computed at read time, because measured on 2 cores that reads as fast as
stored rows would and makes rollups several times cheaper (``bench/RESULTS.md``).

Not (yet) supported, and refused or documented rather than approximated: indicator references to a single
disaggregation (``#{de.coc}``, ``UnsupportedQuery``; values are rolled up as data-element totals), and
DHIS2's look-back for LAST (a period without values gives no value, as with LAST_IN_PERIOD).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Self

import pyarrow as pa

from govpulse.core.indicators import IndicatorSpec
from govpulse.core.periods import PeriodType
from govpulse.core.progress import Progress

__all__ = [
    "Warehouse",
    "HasLineage",
    "CanCompact",
    "WriteResult",
    "RollupResult",
    "Lineage",
    "VALUE_SCHEMA",
    "INDICATOR_SCHEMA",
    "FRESHNESS_SCHEMA",
    "LINEAGE_BATCHES_SCHEMA",
    "LINEAGE_ROWS_SCHEMA",
    "HISTORY_SCHEMA",
]

_TS = pa.timestamp("us")

VALUE_SCHEMA = pa.schema(
    [
        ("data_element", pa.string()),
        ("org_unit", pa.string()),
        ("period", pa.string()),
        ("value", pa.float64()),  # DHIS2 meaning, from the data element's aggregation type
        ("sum", pa.float64()),
        ("count", pa.int64()),
        ("min", pa.float64()),
        ("max", pa.float64()),
        ("last", pa.float64()),  # each series' last value in the period, added up
        ("first", pa.float64()),
        ("avg_sum", pa.float64()),  # each series' mean over time, added up
        ("reporting", pa.int64()),  # org units with a value in the subtree and period
        ("expected", pa.int64()),  # org units of the data element's reported_at kinds in the subtree
        ("stored_at", _TS),  # newest stored_at behind the value: freshness
    ]
)
"""One row per (data element, org unit, period) that has data. No data: no row."""

INDICATOR_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("org_unit", pa.string()),
        ("period", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("value", pa.float64()),  # numerator / denominator * factor, rounded; null if any part is missing or 0
        ("reporting", pa.int64()),  # from the numerator's data elements (the largest)
        ("expected", pa.int64()),
        ("stored_at", _TS),  # newest over numerator and denominator
    ]
)
"""One row per (indicator, org unit, period) where at least one of its data elements has data."""

FRESHNESS_SCHEMA = pa.schema(
    [
        ("data_element", pa.string()),
        ("values", pa.int64()),
        ("first_period_start", pa.date32()),
        ("last_period_end", pa.date32()),
        ("stored_at", _TS),
    ]
)

LINEAGE_BATCHES_SCHEMA = pa.schema(
    [
        ("batch_id", pa.string()),
        ("values", pa.int64()),
        ("first_source_row", pa.int64()),
        ("last_source_row", pa.int64()),
        ("stored_at", _TS),
    ]
)

LINEAGE_ROWS_SCHEMA = pa.schema(
    [
        ("org_unit", pa.string()),
        ("period", pa.string()),
        ("disaggregation", pa.string()),
        ("value", pa.float64()),
        ("batch_id", pa.string()),
        ("source_row", pa.int64()),
        ("stored_at", _TS),
    ]
)

HISTORY_SCHEMA = pa.schema(
    [
        ("org_unit", pa.string()),
        ("period", pa.string()),
        ("disaggregation", pa.string()),
        ("value", pa.float64()),
        ("batch_id", pa.string()),
        ("source_row", pa.int64()),
        ("stored_at", _TS),
        ("replaced_at", _TS),
        ("replaced_by_batch", pa.string()),
    ]
)


@dataclass(frozen=True)
class WriteResult:
    """What one ``write`` did. ``touched`` holds the (data_element, org_unit, period) keys it inserted or
    changed; the warehouse also remembers them itself, so ``rollup()`` needs no argument."""

    batch_id: str
    inserted: int
    updated: int
    unchanged: int
    touched: pa.Table = field(repr=False)

    @property
    def changed(self) -> int:
        return self.inserted + self.updated


@dataclass(frozen=True)
class RollupResult:
    """What one ``rollup`` did: whether it recomputed everything, how many stored values it took in, how
    many rolled-up rows it wrote, and how long it took."""

    full: bool
    leaf_values: int
    rows_written: int
    seconds: float


@dataclass(frozen=True)
class Lineage:
    """Where a (possibly rolled-up) value came from: the contributing batches with counts, and up to
    ``limit`` of the stored values themselves (``total_rows`` says how many there are in all)."""

    batches: pa.Table
    rows: pa.Table
    total_rows: int


class Warehouse(ABC):
    """Leaf values, their rollups over the org-unit tree and over time, and reads for screens.

    One writer at a time (``write``, ``rollup``, ``sync_*`` serialise on the instance); reads may run from
    many threads at once and see the last committed state.
    """

    backend_name: str = "abstract"

    # --- metadata ---------------------------------------------------------------------------------------

    @abstractmethod
    def sync_org_units(self, table: pa.Table) -> int:
        """Replace the org-unit tree; returns the number of org units. A changed tree marks every rollup
        for recomputation. Raises ``TreeConflict`` if a unit that has stored values would disappear."""

    @abstractmethod
    def sync_data_elements(self, table: pa.Table) -> int:
        """Add or update data elements (none is removed); returns how many there are. Changing the period
        type of one that has stored values raises ``InvalidInput``; aggregation types and reported_at may
        change freely (values and coverage are derived from stored statistics at read time)."""

    # --- data in ----------------------------------------------------------------------------------------

    @abstractmethod
    def write(self, batch_id: str, values: pa.Table) -> WriteResult:
        """Upsert one batch in one transaction: new keys are inserted, changed values replace the stored
        ones (which go to history with the batch that replaced them), equal values change nothing.

        Raises ``UnknownCodes``, ``InvalidPeriods``, ``DuplicateKeys`` or ``InvalidInput`` before writing
        anything."""

    @abstractmethod
    def rollup(self, *, full: bool = False, progress: Progress | None = None) -> RollupResult:
        """Bring the rollups up to date with everything written so far: only what changed, unless ``full``
        (or the tree, or the kept period types, changed since). The warehouse tracks what each write
        touched inside the write's own transaction, so this takes no list of keys and nothing is lost if
        the process dies between a write and its rollup. One transaction: a rollup killed half-way leaves
        the old rollups and the pending work intact. ``progress`` gets one step per phase (the CLI draws
        them as progress bars)."""

    @abstractmethod
    def pending(self) -> int:
        """Stored values written since the last rollup (0 when rollups are current)."""

    @abstractmethod
    def data_version(self) -> str:
        """An opaque token for the state that reads answer from: it changes with every ``write`` that changed
        something, every ``rollup`` and every ``sync_*`` that changed something (and may change at other
        times too), and a token once replaced is never given again. Two equal tokens from the same warehouse
        object mean every read answers the same, so a reader may keep what it read under the token it asked
        for *before* reading, and use it while the token stays the same. Cheap (about one small query): ask
        on every request. Read-only."""

    # --- reads ------------------------------------------------------------------------------------------

    @abstractmethod
    def data_values(
        self,
        data_elements: Sequence[str],
        org_units: Sequence[str],
        periods: Sequence[str],
        *,
        scope_paths: Sequence[str] | None = None,
    ) -> pa.Table:
        """``VALUE_SCHEMA`` rows for every combination that has data."""

    @abstractmethod
    def children_values(
        self,
        data_elements: Sequence[str],
        parent_org_unit: str,
        periods: Sequence[str],
        *,
        scope_paths: Sequence[str] | None = None,
    ) -> pa.Table:
        """``VALUE_SCHEMA`` rows for each child of ``parent_org_unit``: the drill-down."""

    @abstractmethod
    def series(
        self,
        data_elements: Sequence[str],
        org_unit: str,
        period_type: PeriodType,
        first: date | str,
        last: date | str,
        *,
        scope_paths: Sequence[str] | None = None,
    ) -> pa.Table:
        """``VALUE_SCHEMA`` rows for every ``period_type`` period overlapping ``first``..``last`` (dates, or
        period ids standing for their first and last day), ordered by data element and period."""

    @abstractmethod
    def indicator_values(
        self,
        specs: Sequence[IndicatorSpec],
        periods: Sequence[str],
        *,
        org_units: Sequence[str] | None = None,
        parent_org_unit: str | None = None,
        scope_paths: Sequence[str] | None = None,
    ) -> pa.Table:
        """``INDICATOR_SCHEMA`` rows for ``org_units``, or for the children of ``parent_org_unit`` (give one).

        Computed from the rolled-up data-element values at that org unit and period, so a district's
        percentage is the ratio of the district's sums."""

    @abstractmethod
    def freshness(
        self, data_elements: Sequence[str] | None = None, *, scope_paths: Sequence[str] | None = None
    ) -> pa.Table:
        """``FRESHNESS_SCHEMA``: per data element, how many values, which periods, newest stored_at."""

    @abstractmethod
    def close(self) -> None:
        """Release the store; the object cannot be used afterwards."""

    # --- conveniences -----------------------------------------------------------------------------------

    @property
    @abstractmethod
    def period_types(self) -> frozenset[PeriodType]:
        """Period types that rollups are kept for (besides each data element's own)."""

    def supports(self, capability: type) -> bool:
        """Whether this warehouse has an optional ability, e.g. ``supports(HasLineage)``."""
        return isinstance(self, capability)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class HasLineage(ABC):
    """Can trace a value back to the batches and rows it came from, and show replaced values."""

    @abstractmethod
    def lineage(
        self,
        data_element: str,
        org_unit: str,
        period: str,
        *,
        scope_paths: Sequence[str] | None = None,
        limit: int = 1000,
    ) -> Lineage:
        """The stored values behind (data element, org unit's subtree, period), grouped by batch."""

    @abstractmethod
    def history(
        self,
        data_element: str,
        org_unit: str,
        period: str,
        *,
        scope_paths: Sequence[str] | None = None,
    ) -> pa.Table:
        """``HISTORY_SCHEMA``: values that were replaced by later batches, newest replacement first."""


class CanCompact(ABC):
    """Can rewrite its storage in read-optimal order (after many incremental writes)."""

    @abstractmethod
    def compact(self, progress: Progress | None = None) -> None:
        """Rewrite stored tables sorted for fast reads; values do not change."""
