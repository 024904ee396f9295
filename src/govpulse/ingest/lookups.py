"""The catalogue as lookup tables for mapping: org units by code, census code or name; data elements by code.

Loaded once per batch into Arrow arrays, so turning a million source cells into codes is a hash lookup per
*distinct* cell (``pc.index_in``), never a Python loop over rows. Source texts and catalogue keys are normalised
the same way before comparing:

* codes (LGD, census): surrounding spaces removed, and leading zeros of an all-digit code ("0438" = "438");
* names: case and accents of letters kept apart from everything else: lower case, every run of characters that
  are not letters or digits made one space ("Rampur (East)" = "rampur east").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govpulse.catalog.models import DataElement, OrgUnit

__all__ = [
    "CatalogLookups",
    "ElementIndex",
    "KeyIndex",
    "OrgUnitIndex",
    "normalise_codes",
    "normalise_names",
]

_NULL = pa.scalar(None, pa.string())


def normalise_codes(cells: pa.Array) -> pa.Array:
    """Trim, and drop leading zeros from all-digit codes (keeping one zero for "000")."""
    trimmed = pc.utf8_trim_whitespace(pc.cast(cells, pa.string()))
    digits = pc.fill_null(pc.match_substring_regex(trimmed, r"^[0-9]+$"), False)
    stripped = pc.replace_substring_regex(trimmed, pattern=r"^0+([0-9])", replacement=r"\1")
    result = pc.if_else(digits, stripped, trimmed)
    return pc.if_else(pc.fill_null(pc.equal(result, ""), False), _NULL, result)


def normalise_names(cells: pa.Array) -> pa.Array:
    """Lower case; runs of anything but letters and digits become one space; trimmed; empty becomes null."""
    lowered = pc.utf8_lower(pc.cast(cells, pa.string()))
    spaced = pc.replace_substring_regex(lowered, pattern=r"[^\p{L}\p{N}\p{M}]+", replacement=" ")
    result = pc.utf8_trim_whitespace(spaced)
    return pc.if_else(pc.fill_null(pc.equal(result, ""), False), _NULL, result)


@dataclass(frozen=True)
class KeyIndex:
    """Unique keys and the org-unit code each stands for; ``ambiguous`` keys stand for several (listed)."""

    keys: pa.Array
    codes: pa.Array
    ambiguous: dict[str, list[str]] = field(default_factory=dict)

    def lookup(self, keys: pa.Array) -> pa.Array:
        """The code for each key (null where the key is unknown or ambiguous)."""
        return pc.take(self.codes, pc.index_in(keys, value_set=self.keys))


@dataclass(frozen=True)
class OrgUnitIndex:
    """Every org unit: code, census code, normalised name and kind, as parallel Arrow arrays."""

    codes: pa.Array
    census_codes: pa.Array
    names: pa.Array
    kinds: pa.Array
    _built: dict = field(default_factory=dict, compare=False, repr=False)

    def keys(self, by: str, kind: str | None = None) -> KeyIndex:
        """A ``KeyIndex`` over ``by`` ("code", "census_code" or "name"), limited to org units of ``kind``
        (built once per index: every batch of every source on the same catalogue shares it)."""
        if (by, kind) not in self._built:
            self._built[(by, kind)] = self._keys(by, kind)
        return self._built[(by, kind)]

    def _keys(self, by: str, kind: str | None) -> KeyIndex:
        table = pa.table({"code": self.codes, "kind": self.kinds, "key": self._key_column(by)})
        if kind is not None:
            table = table.filter(pc.equal(table["kind"], kind))
        table = table.filter(pc.is_valid(table["key"]))
        grouped = table.group_by("key").aggregate([("code", "list")])
        lists = grouped["code_list"]
        single = pc.equal(pc.list_value_length(lists), 1)
        unique = grouped.filter(single)
        several = grouped.filter(pc.invert(single))
        ambiguous = {key: sorted(codes) for key, codes in
                     zip(several["key"].to_pylist(), several["code_list"].to_pylist(), strict=True)}
        return KeyIndex(
            keys=unique["key"].combine_chunks(),
            codes=pc.list_flatten(unique["code_list"]).combine_chunks(),
            ambiguous=ambiguous,
        )

    def _key_column(self, by: str) -> pa.Array:
        if by == "code":
            return normalise_codes(self.codes)
        if by == "census_code":
            return normalise_codes(self.census_codes)
        if by == "name":
            return self.names
        raise ValueError(f"cannot look org units up by {by!r}")

    def exists(self, codes: pa.Array) -> pa.Array:
        """Whether each code is an org unit code (exactly)."""
        return pc.is_in(codes, value_set=self.codes)


@dataclass(frozen=True)
class ElementIndex:
    """Every data element with what validation needs: code, name, period_type, value_type, min_value,
    max_value (a table, one row per element)."""

    table: pa.Table

    @property
    def codes(self) -> pa.Array:
        return self.table["code"].combine_chunks()

    def positions(self, codes: pa.Array) -> pa.Array:
        """Row of each code in ``table`` (null where unknown)."""
        return pc.index_in(codes, value_set=self.codes)

    def column(self, name: str, positions: pa.Array) -> pa.Array:
        """Attribute ``name`` of the elements at ``positions``."""
        return pc.take(self.table[name].combine_chunks(), positions)


@dataclass(frozen=True)
class CatalogLookups:
    """What mapping and validation need from the catalogue, plus a ``fingerprint`` that changes when it does
    (part of every batch key, so a batch re-read after the catalogue changed is a new batch)."""

    org_units: OrgUnitIndex
    elements: ElementIndex
    fingerprint: str

    @classmethod
    def load(cls, session: Session) -> CatalogLookups:
        """The lookups of the session's catalogue; the last ones built are reused while the fingerprint holds
        (a scheduler running twenty sources of a morning reads 20,000 org units once, not twenty times)."""
        fingerprint = _fingerprint(session)
        key = (str(session.get_bind().url), fingerprint)
        cached = _LAST_LOADED.get(key)
        if cached is None:
            cached = cls._build(session, fingerprint)
            _LAST_LOADED.clear()
            _LAST_LOADED[key] = cached
        return cached

    @classmethod
    def _build(cls, session: Session, fingerprint: str) -> CatalogLookups:
        units = session.execute(
            select(OrgUnit.code, OrgUnit.census_code, OrgUnit.name, OrgUnit.kind).order_by(OrgUnit.id)
        ).all()
        columns = list(zip(*units, strict=True)) if units else [(), (), (), ()]
        org_units = OrgUnitIndex(
            codes=pa.array(columns[0], pa.string()),
            census_codes=pa.array(columns[1], pa.string()),
            names=normalise_names(pa.array(columns[2], pa.string())),
            kinds=pa.array(columns[3], pa.string()),
        )
        elements = session.execute(
            select(DataElement.code, DataElement.name, DataElement.period_type, DataElement.value_type,
                   DataElement.min_value, DataElement.max_value).order_by(DataElement.code)
        ).all()
        names = ("code", "name", "period_type", "value_type", "min_value", "max_value")
        types = (pa.string(),) * 4 + (pa.float64(),) * 2
        element_columns = list(zip(*elements, strict=True)) if elements else [()] * len(names)
        table = pa.table({n: pa.array(c, t) for n, c, t in zip(names, element_columns, types, strict=True)})
        return cls(org_units, ElementIndex(table), fingerprint)


_LAST_LOADED: dict[tuple[str, str], CatalogLookups] = {}
"""The lookups last built, by (catalogue URL, fingerprint); one entry, replaced when the catalogue changes."""


def _fingerprint(session: Session) -> str:
    facts = []
    for model in (OrgUnit, DataElement):
        count, newest = session.execute(select(func.count(), func.max(model.updated_at)).select_from(model)).one()
        facts.append(f"{model.__tablename__}:{count}:{newest}")
    # Element attributes matter to validation even when only one of them changed in place.
    limits = session.execute(select(func.count(), func.sum(DataElement.max_value), func.sum(DataElement.min_value))
                             ).one()
    facts.append(f"limits:{limits}")
    return hashlib.sha256("|".join(facts).encode()).hexdigest()[:16]
