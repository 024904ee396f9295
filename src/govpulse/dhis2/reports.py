"""The answers DHIS2 gives to imports, in DHIS2's own JSON shapes (API 2.38 and later).

Every answer is a *web message*: ``{httpStatus, httpStatusCode, status, message, response}``. DHIS2 answers an
import with conflicts or errors with 409 Conflict and the report in ``response``; govpulse does the same, so a
DHIS2 client reacts as it would to DHIS2:

* data values (``ImportSummary``): ``status`` SUCCESS, WARNING (some values ignored) or ERROR (none imported);
  ``importCount`` {imported, updated, ignored, deleted}; ``conflicts`` [{object, objects, value, errorCode,
  property, indexes}], where ``indexes`` are 0-based positions of the values in the payload;
* metadata (``ImportReport``): ``status`` OK, WARNING or ERROR; ``stats`` {created, updated, deleted, ignored,
  total}; ``typeReports`` per DHIS2 class, each with ``objectReports`` carrying ``errorReports``.

Objects govpulse does not store by design (validation rules, option sets, text data elements, ...) are counted as
ignored with an error report that says so, but they do not make an import fail: the import's status is OK when
everything govpulse can store was stored (DHIS2 would store them, so a DHIS2 client must not be told the
import failed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

__all__ = [
    "Conflict",
    "ErrorReport",
    "ImportReport",
    "ImportSummary",
    "ObjectReport",
    "web_message",
]


def web_message(status_code: int, status: str, message: str, response: dict | None = None,
                **extra: Any) -> dict:
    """DHIS2's envelope around every answer of its Web API."""
    body = {"httpStatus": HTTPStatus(status_code).phrase, "httpStatusCode": status_code, "status": status,
            "message": message}
    body.update(extra)
    if response is not None:
        body["response"] = response
    return body


# --- data values ----------------------------------------------------------------------------------------------


@dataclass
class Conflict:
    """One problem shared by one or more values of a data value set (``indexes`` 0-based, sorted)."""

    object: str
    value: str
    error_code: str | None = None
    property: str | None = None
    indexes: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        body: dict[str, Any] = {"object": self.object, "value": self.value}
        if self.property:
            body["objects"] = {self.property: self.object}
            body["property"] = self.property
        if self.error_code:
            body["errorCode"] = self.error_code
        body["indexes"] = sorted(self.indexes)
        return body


@dataclass
class ImportSummary:
    """What a data value set import did (see the module docstring)."""

    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    options: dict = field(default_factory=dict)
    description: str = ""
    _conflicts: dict[tuple, Conflict] = field(default_factory=dict)

    def conflict(self, index: int | None, obj: str, value: str, error_code: str | None = None,
                 prop: str | None = None) -> None:
        """Record a problem of the value at ``index`` (None: of the whole payload); equal problems share one
        conflict listing every index, as DHIS2 does."""
        key = (obj, value, error_code, prop)
        entry = self._conflicts.setdefault(key, Conflict(obj, value, error_code, prop))
        if index is not None and index not in entry.indexes:
            entry.indexes.append(index)

    @property
    def conflicts(self) -> list[Conflict]:
        return list(self._conflicts.values())

    @property
    def rejected_indexes(self) -> list[int]:
        return sorted({i for c in self._conflicts.values() for i in c.indexes})

    @property
    def status(self) -> str:
        if not self._conflicts:  # values skipped by the import strategy are ignored without a conflict
            return "SUCCESS"
        return "WARNING" if self.imported + self.updated + self.deleted else "ERROR"

    def response(self) -> dict:
        return {
            "responseType": "ImportSummary", "status": self.status, "importOptions": self.options,
            "description": self.description or _describe(self.status),
            "importCount": {"imported": self.imported, "updated": self.updated, "ignored": self.ignored,
                            "deleted": self.deleted},
            "conflicts": [c.as_dict() for c in self.conflicts], "rejectedIndexes": self.rejected_indexes,
            "dataSetComplete": "false",
        }

    def web_message(self) -> tuple[int, dict]:
        """(HTTP status, body): 200 for SUCCESS, else 409 as DHIS2 answers."""
        status = self.status
        if status == "SUCCESS":
            return 200, web_message(200, "OK", "Import was successful.", self.response())
        if status == "WARNING":
            return 409, web_message(409, "WARNING", "One more conflicts encountered, please check import summary.",
                                    self.response())
        return 409, web_message(409, "ERROR", "An error occurred, please check import summary.", self.response())


def _describe(status: str) -> str:
    return {"SUCCESS": "Import process completed successfully",
            "WARNING": "Import process completed with conflicts: some values were ignored",
            "ERROR": "Import process completed, but no value was imported"}[status]


# --- metadata -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorReport:
    message: str
    main_klass: str
    error_code: str
    error_property: str | None = None
    value: str | None = None
    unsupported: bool = False  # an object govpulse does not store by design: ignored, but not an error

    def as_dict(self) -> dict:
        body: dict[str, Any] = {"message": self.message, "mainKlass": self.main_klass, "errorCode": self.error_code}
        if self.error_property:
            body["errorProperty"] = self.error_property
            body["errorProperties"] = [self.error_property]
        if self.value is not None:
            body["value"] = self.value
        return body


@dataclass
class ObjectReport:
    klass: str
    index: int
    uid: str | None
    display_name: str = ""
    error_reports: list[ErrorReport] = field(default_factory=list)

    def as_dict(self) -> dict:
        body: dict[str, Any] = {"klass": self.klass, "index": self.index}
        if self.uid:
            body["uid"] = self.uid
        if self.display_name:
            body["displayName"] = self.display_name
        body["errorReports"] = [e.as_dict() for e in self.error_reports]
        return body


@dataclass
class _TypeReport:
    klass: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    ignored: int = 0
    objects: list[ObjectReport] = field(default_factory=list)

    def stats(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted, "ignored": self.ignored,
                "total": self.created + self.updated + self.deleted + self.ignored}


@dataclass
class ImportReport:
    """What a metadata import did, per DHIS2 class; ``ignore`` records an object that was not stored."""

    params: dict = field(default_factory=dict)
    _types: dict[str, _TypeReport] = field(default_factory=dict)

    def _type(self, klass: str) -> _TypeReport:
        return self._types.setdefault(klass, _TypeReport(klass))

    def created(self, klass: str, count: int = 1) -> None:
        self._type(klass).created += count

    def updated(self, klass: str, count: int = 1) -> None:
        self._type(klass).updated += count

    def ignore(self, klass: str, index: int, uid: str | None, message: str, error_code: str, *,
               prop: str | None = None, value: str | None = None, name: str = "", unsupported: bool = False,
               count: int = 1) -> None:
        """Count ``count`` objects as ignored, with one object report saying why."""
        kind = self._type(klass)
        kind.ignored += count
        report = ErrorReport(message, klass, error_code, prop, value, unsupported)
        kind.objects.append(ObjectReport(klass, index, uid, name, [report]))

    @property
    def has_errors(self) -> bool:
        """Whether some object was not stored for a reason other than "govpulse does not store this"."""
        return any(not e.unsupported for t in self._types.values() for o in t.objects for e in o.error_reports)

    def status(self, rolled_back: bool) -> str:
        if rolled_back:
            return "ERROR"
        return "WARNING" if self.has_errors else "OK"

    def response(self, rolled_back: bool = False) -> dict:
        types = self._types.values()
        if rolled_back:  # atomic import refused: nothing was stored, every object counts as ignored
            types = [_TypeReport(t.klass, ignored=t.created + t.updated + t.ignored, objects=t.objects) for t in types]
        reports = [{"klass": t.klass, "stats": t.stats(), "objectReports": [o.as_dict() for o in t.objects]}
                   for t in types]
        totals = {"created": 0, "updated": 0, "deleted": 0, "ignored": 0, "total": 0}
        for report in reports:
            for key, value in report["stats"].items():
                totals[key] += value
        return {"responseType": "ImportReport", "status": self.status(rolled_back), "importParams": self.params,
                "stats": totals, "typeReports": reports}

    def web_message(self, rolled_back: bool = False, note: str = "") -> tuple[int, dict]:
        """(HTTP status, body): 200 when OK, 409 otherwise (DHIS2's answer)."""
        response = self.response(rolled_back)
        if response["status"] == "OK":
            return 200, web_message(200, "OK", note or "Import was successful.", response)
        return 409, web_message(409, "WARNING",
                                "One or more errors occurred, please see full details in import report.", response)
