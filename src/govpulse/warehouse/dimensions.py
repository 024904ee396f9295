"""The small tables a SQL warehouse keeps in memory: org units and data elements, keyed by code and id.

Built from the store after every sync and replaced whole, so reader threads always see one consistent
version. Reads resolve codes, children and the reader's scope here, turn ids back into codes with one
Arrow ``take``, and count expected org units per kind, so the SQL of a read only touches the big tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govpulse.core.enums import AggregationType
from govpulse.core.periods import PeriodType
from govpulse.warehouse.errors import UnknownCodes
from govpulse.warehouse.plan import CODE_PERIODS

__all__ = ["DataElementInfo", "Dimensions"]


@dataclass(frozen=True)
class DataElementInfo:
    id: int
    code: str
    aggregation_type: AggregationType
    period_type: PeriodType
    reported_at: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dimensions:
    org_units: dict[str, int]
    paths: dict[int, str]
    children: dict[int, list[int]]
    kind_counts: dict[int, dict[str, int]]  # org unit -> kind -> org units of that kind in its subtree
    data_elements: dict[str, DataElementInfo]
    ou_codes: pa.Array  # codes in id order: lookup by code
    ou_ids: pa.Array
    ou_code_by_id: pa.Array  # position = id: id -> code
    de_codes: pa.Array
    de_ids: pa.Array
    de_code_by_id: pa.Array
    native_by_id: pa.Array  # uint8 period code, position = data element id
    disaggregated: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def build(
        cls, org_units: pa.Table, kind_counts: pa.Table, data_elements: pa.Table, kinds: pa.Table
    ) -> Dimensions:
        """From ``org_unit`` (id, code, parent, path), ``ou_kind_count`` (ou, kind, n), ``data_element``
        (id, code, aggregation_type, ptype, has_disaggs) and ``de_kind`` (de, kind)."""
        ou = org_units.to_pydict()
        de = data_elements.to_pydict()
        children: dict[int, list[int]] = defaultdict(list)
        for i, parent in zip(ou["id"], ou["parent"]):
            if parent is not None:
                children[parent].append(i)
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for unit, kind, n in zip(*kind_counts.to_pydict().values()):
            counts[unit][kind] = n
        reported: dict[int, list[str]] = defaultdict(list)
        for element, kind in zip(*kinds.to_pydict().values()):
            reported[element].append(kind)
        infos = {
            code: DataElementInfo(i, code, AggregationType(agg), CODE_PERIODS[p], tuple(reported[i]))
            for i, code, agg, p in zip(de["id"], de["code"], de["aggregation_type"], de["ptype"])
        }
        return cls(
            org_units=dict(zip(ou["code"], ou["id"])),
            paths=dict(zip(ou["id"], ou["path"])),
            children=dict(children),
            kind_counts=dict(counts),
            data_elements=infos,
            ou_codes=pa.array(ou["code"], pa.string()),
            ou_ids=pa.array(ou["id"], pa.int32()),
            ou_code_by_id=_by_id(ou["id"], ou["code"]),
            de_codes=pa.array(de["code"], pa.string()),
            de_ids=pa.array(de["id"], pa.int32()),
            de_code_by_id=_by_id(de["id"], de["code"]),
            native_by_id=pa.array(_native(de["id"], de["ptype"])),
            disaggregated=frozenset(i for i, flag in zip(de["id"], de["has_disaggs"]) if flag),
        )

    def with_disaggregated(self, ids: Iterable[int]) -> Dimensions:
        return replace(self, disaggregated=frozenset(ids))

    # --- lookups ----------------------------------------------------------------------------------------

    def org_unit_ids(self, codes: Iterable[str]) -> list[int]:
        """Ids of org-unit codes, in order; ``UnknownCodes`` names any unknown one."""
        codes = list(codes)
        missing = [c for c in codes if c not in self.org_units]
        if missing:
            raise UnknownCodes("org unit", {c: [] for c in missing[:5]}, len(missing))
        return [self.org_units[c] for c in codes]

    def element(self, code: str) -> DataElementInfo:
        return self.elements([code])[0]

    def elements(self, codes: Sequence[str]) -> list[DataElementInfo]:
        missing = [c for c in codes if c not in self.data_elements]
        if missing:
            raise UnknownCodes("data element", {c: [] for c in missing[:5]}, len(missing))
        return [self.data_elements[c] for c in codes]

    def scoped(self, ids: Iterable[int], scope_paths: Sequence[str] | None) -> list[int]:
        """The org units among ``ids`` whose path lies under one of ``scope_paths`` (None: all)."""
        if scope_paths is None:
            return list(ids)
        prefixes = tuple(scope_paths)
        return [i for i in ids if self.paths[i].startswith(prefixes)] if prefixes else []

    def expected(self, element: DataElementInfo, unit: int) -> int | None:
        """Org units of the element's reported_at kinds in the unit's subtree (None if it names no kinds)."""
        if not element.reported_at:
            return None
        counts = self.kind_counts.get(unit, {})
        return sum(counts.get(kind, 0) for kind in element.reported_at)

    def codes(self, ids: pa.Array, of: str) -> pa.Array:
        """Codes for an array of ids (``of`` is "org unit" or "data element")."""
        table = self.ou_code_by_id if of == "org unit" else self.de_code_by_id
        return pc.take(table, ids)


def _by_id(ids: list[int], codes: list[str]) -> pa.Array:
    slots: list[str | None] = [None] * (max(ids, default=-1) + 1)
    for i, code in zip(ids, codes):
        slots[i] = code
    return pa.array(slots, pa.string())


def _native(ids: list[int], ptypes: list[int]) -> np.ndarray:
    native = np.zeros(max(ids, default=-1) + 1, dtype=np.uint8)
    for i, ptype in zip(ids, ptypes):
        native[i] = ptype
    return native
