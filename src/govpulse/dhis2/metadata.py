"""``POST /api/metadata``: a DHIS2 metadata payload imported into our catalogue, answered with DHIS2's import report.

Types are imported in dependency order (org-unit levels, org units, category combos and option combos, data
elements, indicator types, constants, indicators, data sets), whatever the payload's order; what each becomes
is told in ``metadata_orgunits`` and ``metadata_catalog``. Every other collection (categories, category
options, groups, validation rules, option sets, legend sets, programs, users, ...) is counted as ignored, with
an error report saying that govpulse does not store it; that alone does not fail the import.

As in DHIS2: ``importStrategy`` CREATE_AND_UPDATE (default), CREATE or UPDATE (DELETE is refused);
``atomicMode`` ALL (default: one error and nothing is stored) or NONE (store what is valid); ``importMode``
COMMIT (default) or VALIDATE (check and report, store nothing). govpulse's own parameter ``department`` names the
department that new data elements and indicators join (default ``DHIS2``, created on first use by someone who
edits every department).

Needs the ``edit-catalog`` action; every write is audited (objects one by one, and the import as a whole). After
a commit the warehouse learns the new org units and data elements.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from govpulse.catalog.audit import Event, emit
from govpulse.core.access import EDIT_CATALOG
from govpulse.core.scope import Scope
from govpulse.dhis2 import metadata_catalog as catalog
from govpulse.dhis2.metadata_context import MetadataContext, Strategy, klass_of
from govpulse.dhis2.metadata_orgunits import import_levels, import_org_units, level_names
from govpulse.dhis2.reports import ImportReport, web_message
from govpulse.ingest.warehouse_sync import sync_dimensions
from govpulse.warehouse import Warehouse
from govpulse.warehouse.errors import UnknownCodes, WarehouseError

__all__ = ["SUPPORTED", "MetadataOptions", "MetadataRequestError", "import_metadata"]

SUPPORTED = ("organisationUnitLevels", "organisationUnits", "categoryCombos", "categoryOptionCombos",
             "dataElements", "indicatorTypes", "constants", "indicators", "dataSets")
STRATEGIES = ("CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE")


class MetadataRequestError(ValueError):
    """A request that cannot be imported at all (not a JSON object, unknown option)."""


@dataclass(frozen=True)
class MetadataOptions:
    import_strategy: str = "CREATE_AND_UPDATE"
    atomic_mode: str = "ALL"
    import_mode: str = "COMMIT"
    department: str = "DHIS2"

    def check(self) -> None:
        for name, value, allowed in (("importStrategy", self.import_strategy, STRATEGIES),
                                     ("atomicMode", self.atomic_mode, ("ALL", "NONE")),
                                     ("importMode", self.import_mode, ("COMMIT", "VALIDATE"))):
            if value not in allowed:
                raise MetadataRequestError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")

    def as_params(self) -> dict:
        return {"importStrategy": self.import_strategy, "atomicMode": self.atomic_mode,
                "importMode": self.import_mode, "department": self.department}


def import_metadata(session: Session, warehouse: Warehouse | None, scope: Scope, username: str, payload,
                    options: MetadataOptions) -> tuple[int, dict]:
    """Import ``payload`` (a parsed JSON object); returns (HTTP status, DHIS2 web message)."""
    options.check()
    if not isinstance(payload, dict):
        raise MetadataRequestError("a metadata payload is a JSON object of collections, e.g. "
                                   '{"organisationUnits": [...], "dataElements": [...]}')
    scope.require(EDIT_CATALOG)
    if options.import_strategy == "DELETE":
        return 409, web_message(409, "ERROR", "importStrategy DELETE is not supported: govpulse does not delete "
                                "catalogue objects through DHIS2 metadata (values and lineage hang on them).")
    report = ImportReport(params=options.as_params())
    ctx = MetadataContext(session=session, scope=scope, username=username, department=options.department,
                          strategy=Strategy(options.import_strategy), report=report,
                          has_values=_has_values(warehouse))
    _import_collections(ctx, payload)
    failed = report.has_errors and options.atomic_mode == "ALL"
    note = _note(payload)
    if failed or options.import_mode == "VALIDATE":
        session.rollback()
    else:
        response = report.response()
        emit(session, Event(action="import", entity="dhis2_metadata", code=username,
                            after={"stats": response["stats"]}, detail=json.dumps(_counts(response))))
        session.commit()
        if warehouse is not None and (ctx.tree_changed or ctx.elements_changed):
            try:
                sync_dimensions(session, warehouse)
            except WarehouseError as error:  # the catalogue is committed; the next data import syncs again
                note = f"{note or 'Import was successful.'} The warehouse is not updated yet: {error}"
    return report.web_message(rolled_back=failed, note=note)


def _import_collections(ctx: MetadataContext, payload: dict) -> None:
    def items(key: str) -> list[dict]:
        value = payload.get(key)
        return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []

    levels = items("organisationUnitLevels")
    import_levels(ctx, levels)
    import_org_units(ctx, items("organisationUnits"), level_names(ctx, levels))
    catalog.import_category_combos(ctx, items("categoryCombos"))
    catalog.import_category_option_combos(ctx, items("categoryOptionCombos"))
    elements = items("dataElements")
    catalog.import_data_elements(ctx, elements)
    catalog.import_indicator_types(ctx, items("indicatorTypes"))
    catalog.import_constants(ctx, items("constants"))
    catalog.import_indicators(ctx, items("indicators"))
    ignored = {e.get("id") for e in elements if ("data_element", e.get("id")) not in ctx.payload_codes}
    catalog.import_data_sets(ctx, items("dataSets"), ignored)
    for key, value in payload.items():
        if key not in SUPPORTED and isinstance(value, list) and value:
            ctx.report.ignore(klass_of(key), 0, None, f"govpulse does not store {key}: {len(value)} ignored.",
                              "E6002", unsupported=True, count=len(value))


def _has_values(warehouse: Warehouse | None) -> Callable[[str], bool]:
    """Whether the warehouse holds values of a data element (its period type is then fixed)."""
    def has_values(code: str) -> bool:
        if warehouse is None:
            return False
        try:
            return warehouse.freshness([code]).num_rows > 0
        except (UnknownCodes, WarehouseError):
            return False

    return has_values


def _counts(response: dict) -> dict:
    return {r["klass"].rsplit(".", 1)[-1]: r["stats"] for r in response["typeReports"]}


def _note(payload: dict) -> str:
    skipped = sorted(key for key, value in payload.items() if key not in SUPPORTED and isinstance(value, list)
                     and value)
    if not skipped:
        return ""
    return f"Import was successful. Not stored by govpulse (counted as ignored): {', '.join(skipped)}."
