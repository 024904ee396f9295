"""What every part of one metadata import shares: the session, the reader's scope, the report, and which DHIS2
UIDs of the payload became which of our codes (later objects refer to earlier ones by UID)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Event, emit, snapshot
from govpulse.catalog.models import Department
from govpulse.core.access import EDIT_CATALOG
from govpulse.core.scope import PermissionDenied, Scope
from govpulse.dhis2.ids import CODE, UID, IdentifierStore, derive_code
from govpulse.dhis2.reports import ImportReport

__all__ = ["KLASSES", "MetadataContext", "Strategy", "klass_of"]

KLASSES = {
    "organisationUnits": "org.hisp.dhis.organisationunit.OrganisationUnit",
    "organisationUnitLevels": "org.hisp.dhis.organisationunit.OrganisationUnitLevel",
    "organisationUnitGroups": "org.hisp.dhis.organisationunit.OrganisationUnitGroup",
    "organisationUnitGroupSets": "org.hisp.dhis.organisationunit.OrganisationUnitGroupSet",
    "categories": "org.hisp.dhis.category.Category",
    "categoryOptions": "org.hisp.dhis.category.CategoryOption",
    "categoryCombos": "org.hisp.dhis.category.CategoryCombo",
    "categoryOptionCombos": "org.hisp.dhis.category.CategoryOptionCombo",
    "categoryOptionGroups": "org.hisp.dhis.category.CategoryOptionGroup",
    "categoryOptionGroupSets": "org.hisp.dhis.category.CategoryOptionGroupSet",
    "dataElements": "org.hisp.dhis.dataelement.DataElement",
    "dataElementGroups": "org.hisp.dhis.dataelement.DataElementGroup",
    "dataElementGroupSets": "org.hisp.dhis.dataelement.DataElementGroupSet",
    "indicatorTypes": "org.hisp.dhis.indicator.IndicatorType",
    "indicators": "org.hisp.dhis.indicator.Indicator",
    "indicatorGroups": "org.hisp.dhis.indicator.IndicatorGroup",
    "indicatorGroupSets": "org.hisp.dhis.indicator.IndicatorGroupSet",
    "constants": "org.hisp.dhis.constant.Constant",
    "dataSets": "org.hisp.dhis.dataset.DataSet",
    "validationRules": "org.hisp.dhis.validation.ValidationRule",
    "validationRuleGroups": "org.hisp.dhis.validation.ValidationRuleGroup",
    "optionSets": "org.hisp.dhis.option.OptionSet",
    "options": "org.hisp.dhis.option.Option",
    "legendSets": "org.hisp.dhis.legend.LegendSet",
    "programs": "org.hisp.dhis.program.Program",
    "users": "org.hisp.dhis.user.User",
    "userRoles": "org.hisp.dhis.user.UserRole",
    "userGroups": "org.hisp.dhis.user.UserGroup",
}


def klass_of(collection: str) -> str:
    """DHIS2's Java class name for a payload collection (a made-up one in DHIS2's style when unknown)."""
    return KLASSES.get(collection, f"org.hisp.dhis.{collection}")


class Strategy:
    """DHIS2's ``importStrategy`` for metadata: which of the payload's objects may be created or updated."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.create = name in ("CREATE_AND_UPDATE", "CREATE")
        self.update = name in ("CREATE_AND_UPDATE", "UPDATE")


@dataclass
class MetadataContext:
    session: Session
    scope: Scope
    username: str
    department: str
    strategy: Strategy
    report: ImportReport
    has_values: Callable[[str], bool] = lambda _code: False
    payload_codes: dict[tuple[str, str], str] = field(default_factory=dict)  # (entity, uid) -> our code
    tree_changed: bool = False
    elements_changed: bool = False
    _department_id: int | None = None
    _claimed: dict[str, set[str]] = field(default_factory=dict)  # entity -> codes given to this payload's objects

    @property
    def ids(self) -> IdentifierStore:
        return IdentifierStore(self.session)

    def department_id(self) -> int:
        """Id of the department new data elements and indicators go into (created when missing)."""
        if self._department_id is None:
            found = self.session.scalar(select(Department).where(Department.code == self.department))
            if found is None:
                self.scope.require(EDIT_CATALOG)
                if self.scope.departments is not None:
                    raise PermissionDenied(EDIT_CATALOG, f"department {self.department!r} does not exist and only "
                                           "someone who edits every department may create it; pass "
                                           "?department=<your department code>")
                found = Department(code=self.department, name=self.department,
                                   description="Data elements and indicators imported from DHIS2 metadata.")
                self.session.add(found)
                self.session.flush()
            self.scope.require(EDIT_CATALOG, department=self.department)
            self._department_id = found.id
        return self._department_id

    def code_of(self, entity: str, uid: str | None) -> str | None:
        """Our code for a DHIS2 UID, from this payload or the identifier table (None when unknown)."""
        if not uid:
            return None
        if (entity, uid) in self.payload_codes:
            return self.payload_codes[(entity, uid)]
        return self.ids.codes_for(entity, UID, [uid]).get(uid)

    def match(self, entity: str, item: dict, exists: Callable[[str], bool]) -> tuple[str, bool]:
        """(our code, whether it exists already) for a payload object, by UID, then by its code; a code taken by
        an object linked to another UID gets the UID appended."""
        uid = item["id"]
        known = self.code_of(entity, uid)
        if known is not None:
            return known, exists(known)
        candidate = derive_code(entity, item.get("code"), uid, self.claimed(entity))
        if exists(candidate):
            owners = self.ids.values_for(entity, UID, [candidate])
            if candidate not in owners:
                return candidate, True  # same code, never linked: the same object
            candidate = derive_code(entity, item.get("code"), uid, {candidate} | self.claimed(entity))
        return candidate, exists(candidate)

    def claimed(self, entity: str) -> set[str]:
        """Codes already given to objects of ``entity`` in this payload."""
        return self._claimed.setdefault(entity, set())

    def remember(self, entity: str, item: dict, code: str) -> None:
        """Note the payload object's code and link its UID (and DHIS2 code) to it."""
        self.payload_codes[(entity, item["id"])] = code
        self.claimed(entity).add(code)
        self.ids.link(entity, code, UID, item["id"])
        if item.get("code"):
            self.ids.link(entity, code, CODE, str(item["code"]))

    def audit(self, action: str, entity: str, obj, before: dict | None = None) -> None:
        """An audit event for a write of a model the audit log does not capture by itself (org units)."""
        emit(self.session, Event(action=action, entity=entity, code=getattr(obj, "code", ""), before=before,
                                 after=snapshot(obj), detail="DHIS2 metadata import"))
