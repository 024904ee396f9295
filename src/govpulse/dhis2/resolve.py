"""Ids in DHIS2 requests -> our catalogue objects, and our objects -> ids in DHIS2 answers, under an ``IdScheme``.

In: UID looks the identifier table up for UIDs, then for DHIS2 codes, then takes the id as our own code; CODE
looks DHIS2's codes up, then ours; NAME matches catalogue names exactly (a name shared by several objects matches
none). Category option combos become disaggregation codes; DHIS2's default combo (``HllvX50cXC0`` or ``default``)
is ``total``, and our own disaggregation codes are accepted as ids too.

Out: UID gives the stored UID, else our code; CODE the stored DHIS2 code, else our code; NAME the name.

Nothing here applies the reader's scope: callers check each object they use (``Scope.allows``), so that an
object out of scope answers exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govpulse.catalog.models import DataElement, Department, Indicator, OrgUnit
from govpulse.dhis2.ids import CODE, DEFAULT_COC_UID, DEFAULT_NAMES, NAME, TOTAL, UID, IdentifierStore, IdScheme

__all__ = ["Catalogued", "Resolver"]

_SCHEME = {IdScheme.UID: UID, IdScheme.CODE: CODE, IdScheme.NAME: NAME}


@dataclass(frozen=True)
class Catalogued:
    """A data element or indicator with the code of its department (what scope checks need)."""

    row: DataElement | Indicator
    department: str

    @property
    def code(self) -> str:
        return self.row.code


class Resolver:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids = IdentifierStore(session)

    # --- in ----------------------------------------------------------------------------------------------

    def _codes(self, entity: str, ids: Iterable[str], scheme: IdScheme, model) -> dict[str, str]:
        """{given id: our code} for the ids that name something (model: the table to match names and codes in)."""
        wanted = [i for i in dict.fromkeys(ids) if i]
        if scheme is IdScheme.NAME:
            return self._by_name(model, wanted)
        found = self.ids.codes_for(entity, _SCHEME[scheme], wanted)
        if scheme is IdScheme.UID:  # DHIS2 clients mix UIDs and codes; codes do not look like UIDs
            found.update(self.ids.codes_for(entity, CODE, [i for i in wanted if i not in found]))
        rest = [i for i in wanted if i not in found]
        for start in range(0, len(rest), 900):
            chunk = rest[start:start + 900]
            found.update({c: c for c in self.session.scalars(select(model.code).where(model.code.in_(chunk)))})
        return found

    def _by_name(self, model, names: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(names), 900):
            chunk = names[start:start + 900]
            rows = self.session.execute(select(model.name, func.min(model.code)).where(model.name.in_(chunk))
                                        .group_by(model.name).having(func.count() == 1)).all()
            found.update(dict(rows))
        return found

    def org_units(self, ids: Iterable[str], scheme: IdScheme = IdScheme.UID) -> dict[str, OrgUnit]:
        codes = self._codes("org_unit", ids, scheme, OrgUnit)
        rows = self._rows(OrgUnit, codes.values())
        return {given: rows[code] for given, code in codes.items() if code in rows}

    def data_elements(self, ids: Iterable[str], scheme: IdScheme = IdScheme.UID) -> dict[str, Catalogued]:
        return self._catalogued("data_element", DataElement, ids, scheme)

    def indicators(self, ids: Iterable[str], scheme: IdScheme = IdScheme.UID) -> dict[str, Catalogued]:
        return self._catalogued("indicator", Indicator, ids, scheme)

    def _catalogued(self, entity: str, model, ids: Iterable[str], scheme: IdScheme) -> dict[str, Catalogued]:
        codes = self._codes(entity, ids, scheme, model)
        rows = self._rows(model, codes.values())
        departments = dict(self.session.execute(select(Department.id, Department.code)).all())
        return {given: Catalogued(rows[code], departments[rows[code].department_id])
                for given, code in codes.items() if code in rows}

    def org_units_by_code(self, codes: Iterable[str]) -> dict[str, OrgUnit]:
        return self._rows(OrgUnit, codes)

    def data_sets(self, ids: Iterable[str]) -> dict[str, list[str]]:
        """{given id: codes of its data elements} for the data sets that exist (named by UID, DHIS2 code or our
        code)."""
        wanted = [i for i in dict.fromkeys(ids) if i]
        codes = self.ids.codes_for("data_set", UID, wanted)
        codes.update(self.ids.codes_for("data_set", CODE, [i for i in wanted if i not in codes]))
        known = set(self.ids.values_for("data_set", UID))
        codes.update({i: i for i in wanted if i not in codes and i in known})
        return {given: self.ids.members(code) for given, code in codes.items()}

    def _rows(self, model, codes: Iterable[str]) -> dict:
        wanted = list(dict.fromkeys(codes))
        rows = {}
        for start in range(0, len(wanted), 900):
            rows.update({r.code: r for r in self.session.scalars(select(model).where(
                model.code.in_(wanted[start:start + 900])))})
        return rows

    def combos(self, ids: Iterable[str], scheme: IdScheme = IdScheme.UID) -> dict[str, str]:
        """{given id: disaggregation code}; the default combo is ``total``."""
        wanted = [i for i in dict.fromkeys(ids) if i]
        found = {i: TOTAL for i in wanted if i in DEFAULT_NAMES}
        rest = [i for i in wanted if i not in found]
        found.update(self.ids.codes_for("category_option_combo", _SCHEME[scheme], rest))
        ours = self.ids.values_for("category_option_combo", UID, [i for i in rest if i not in found])
        found.update({i: i for i in ours})  # our own disaggregation codes are accepted as ids too
        return found

    # --- out ---------------------------------------------------------------------------------------------

    def org_unit_ids(self, units: Iterable[OrgUnit], scheme: IdScheme = IdScheme.UID) -> dict[str, str]:
        """{our code: id in ``scheme``}."""
        return self._out("org_unit", {u.code: u.name for u in units}, scheme)

    def catalogue_ids(self, entity: str, rows: Iterable, scheme: IdScheme = IdScheme.UID) -> dict[str, str]:
        """{our code: id in ``scheme``} for data elements (entity ``data_element``) or indicators."""
        return self._out(entity, {r.code: r.name for r in rows}, scheme)

    def _out(self, entity: str, names: dict[str, str], scheme: IdScheme) -> dict[str, str]:
        if scheme is IdScheme.NAME:
            return dict(names)
        stored = self.ids.values_for(entity, _SCHEME[scheme], names)
        return {code: stored.get(code, code) for code in names}

    def combo_ids(self, codes: Iterable[str], scheme: IdScheme = IdScheme.UID) -> dict[str, str]:
        """{disaggregation code: id in ``scheme``}; ``total`` is the default combo."""
        wanted = list(dict.fromkeys(codes))
        stored = self.ids.values_for("category_option_combo", _SCHEME[scheme], wanted)
        default = {IdScheme.UID: DEFAULT_COC_UID, IdScheme.CODE: "default", IdScheme.NAME: "default"}[scheme]
        return {code: stored.get(code, default if code == TOTAL else code) for code in wanted}
