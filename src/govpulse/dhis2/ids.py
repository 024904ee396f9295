"""DHIS2 identifiers: UIDs, id schemes, and the identifier table that links them to our codes.

A DHIS2 object has a UID (11 characters, a letter then letters or digits), often a ``code`` and always a name.
Ours have a code. The ``identifier`` table (``catalog.models.identifier``) keeps, per entity, our code and what
DHIS2 calls it under three schemes:

    ``dhis2:uid``   the UID                      ``dhis2:code``  DHIS2's code, when it had one
    ``dhis2:name``  the name (only for things the catalogue has no table for: category option combos)

Reading an id sent by a DHIS2 client (``IdScheme``): UID looks the UID up, then takes it as our own code, so a
client may also send our codes; CODE looks DHIS2's code up, then our code; NAME matches names exactly. Writing
ids out, an object is named by its UID when it has one, else by our code (govpulse's own org units and data
elements have no UID; their code is their id, and it is accepted back as one).

Codes derived from DHIS2 objects (``derive_code``) follow our catalogue's rules: a data element code is small
letters, digits and ``_`` (``TA_GEN_EXT_FUND`` -> ``ta_gen_ext_fund``), an indicator code capitals, an org-unit
code letters, digits, ``_ . -`` (it is part of a materialised path). An object without a code gets one from its
UID (``de_tpz77fcntkx`` for a data element, the UID itself for an org unit); a code already taken by another
object gets the UID appended.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.catalog.models.identifier import Identifier

__all__ = [
    "CODE",
    "DEFAULT_COC_UID",
    "MEMBER",
    "NAME",
    "UID",
    "IdScheme",
    "IdentifierStore",
    "derive_code",
    "is_uid",
    "new_uid",
]

UID, CODE, NAME, MEMBER = "dhis2:uid", "dhis2:code", "dhis2:name", "dhis2:member"

DEFAULT_COC_UID = "HllvX50cXC0"
"""The UID of DHIS2's built-in default category option combo in the demo databases and their offspring (every
DHIS2 has one, created with the database, so metadata payloads refer to it without defining it)."""
DEFAULT_NAMES = frozenset({"default", DEFAULT_COC_UID})
TOTAL = "total"
"""Our disaggregation code for a value without disaggregation: DHIS2's default category option combo."""

_UID = re.compile(r"[A-Za-z][A-Za-z0-9]{10}")
_ALPHABET = string.ascii_letters + string.digits

# Audit every identifier written (the catalogue's audit log lists who linked which UID to which code).


class IdScheme(StrEnum):
    """How ids are written in a request or an answer (DHIS2's ``idScheme`` parameters)."""

    UID = "UID"
    CODE = "CODE"
    NAME = "NAME"

    @classmethod
    def parse(cls, text: str | None, default: IdScheme | None = None) -> IdScheme:
        """``UID`` / ``uid`` / ``CODE`` / ``NAME``; ``ID`` is DHIS2's other word for UID. Raises ValueError."""
        if not text:
            return default or cls.UID
        word = text.strip().upper()
        if word == "ID":
            return cls.UID
        try:
            return cls(word)
        except ValueError:
            raise ValueError(f"unknown id scheme {text!r}; use UID, CODE or NAME "
                             "(ATTRIBUTE:<uid> schemes are not supported)") from None


def is_uid(text: str) -> bool:
    """Whether ``text`` has the form of a DHIS2 UID."""
    return bool(_UID.fullmatch(text or ""))


def new_uid() -> str:
    """A fresh random DHIS2 UID."""
    return secrets.choice(string.ascii_letters) + "".join(secrets.choice(_ALPHABET) for _ in range(10))


_RULES = {
    "data_element": (re.compile(r"[a-z0-9_]+"), str.lower, "de_", 128),
    "indicator": (re.compile(r"[A-Z0-9_]+"), str.upper, "IN_", 128),
    "org_unit": (re.compile(r"[A-Za-z0-9_.-]+"), lambda text: text, "", 64),
    "data_set": (re.compile(r"[a-z0-9_]+"), str.lower, "ds_", 128),
    "category_option_combo": (re.compile(r"[a-z0-9_]+"), str.lower, "coc_", 128),
    "constant": (re.compile(r"[a-z0-9_]+"), str.lower, "c_", 64),
}


def derive_code(entity: str, dhis2_code: object, uid: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """Our code for a DHIS2 object (see the module docstring); ``taken`` holds codes used by other objects."""
    pattern, case, prefix, limit = _RULES[entity]
    code = ""
    dhis2_code = "" if dhis2_code is None else str(dhis2_code)
    if dhis2_code:
        code = case(dhis2_code.strip()) if entity == "org_unit" else case(_slug(dhis2_code))
        if not pattern.fullmatch(code) or len(code) > limit:
            code = case(_slug(dhis2_code)) if entity == "org_unit" else ""
    if not code or not pattern.fullmatch(code):
        code = case(prefix + uid) if prefix else uid
    if code in taken:
        code = f"{code[: limit - len(uid) - 1]}_{case(uid)}"
    return code[:limit]


def _slug(text: str) -> str:
    """Runs of anything but letters and digits become one ``_``, trimmed at both ends."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


class IdentifierStore:
    """Reads and writes of the ``identifier`` table for one session (writes are audited like any other)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def codes_for(self, entity: str, scheme: str, values: Iterable[str]) -> dict[str, str]:
        """{value: our code} for the ``values`` known in ``scheme``."""
        wanted = list(dict.fromkeys(v for v in values if v))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 900):
            stmt = select(Identifier.value, Identifier.entity_code).where(
                Identifier.entity == entity, Identifier.scheme == scheme,
                Identifier.value.in_(wanted[start:start + 900]))
            found.update(dict(self.session.execute(stmt).all()))
        return found

    def values_for(self, entity: str, scheme: str, codes: Iterable[str] | None = None) -> dict[str, str]:
        """{our code: value} in ``scheme`` (the first value where an object has several); all when ``codes``
        is None."""
        stmt = select(Identifier.entity_code, Identifier.value).where(
            Identifier.entity == entity, Identifier.scheme == scheme).order_by(Identifier.id)
        batches = [stmt]
        if codes is not None:
            wanted = list(dict.fromkeys(codes))
            batches = [stmt.where(Identifier.entity_code.in_(wanted[start:start + 900]))
                       for start in range(0, len(wanted), 900)]
        found: dict[str, str] = {}
        for batch in batches:
            for code, value in self.session.execute(batch):
                found.setdefault(code, value)
        return found

    def link(self, entity: str, code: str, scheme: str, value: str | None) -> bool:
        """Record that ``entity`` ``code`` is ``value`` in ``scheme``; True when a row was added or changed.
        A value already naming another object of the entity is moved to ``code`` (the newest import wins)."""
        if not value:
            return False
        row = self.session.scalar(select(Identifier).where(
            Identifier.entity == entity, Identifier.scheme == scheme, Identifier.value == value))
        if row is None:
            self.session.add(Identifier(entity=entity, entity_code=code, scheme=scheme, value=value))
            return True
        if row.entity_code != code:
            row.entity_code = code
            return True
        return False

    def replace_members(self, data_set: str, members: Iterable[str]) -> None:
        """The data elements of data set ``data_set`` are exactly ``members`` (our codes)."""
        wanted = {f"{data_set}:{member}" for member in members}
        rows = self.session.scalars(select(Identifier).where(
            Identifier.entity == "data_set", Identifier.scheme == MEMBER, Identifier.entity_code == data_set))
        for row in rows:
            if row.value in wanted:
                wanted.discard(row.value)
            else:
                self.session.delete(row)
        for value in sorted(wanted):
            self.session.add(Identifier(entity="data_set", entity_code=data_set, scheme=MEMBER, value=value))

    def members(self, data_set: str) -> list[str]:
        """Codes of the data elements of data set ``data_set``."""
        values = self.session.scalars(select(Identifier.value).where(
            Identifier.entity == "data_set", Identifier.scheme == MEMBER, Identifier.entity_code == data_set)
            .order_by(Identifier.value))
        return [value.split(":", 1)[1] for value in values]
