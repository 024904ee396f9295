"""``POST /api/dataValueSets``: DHIS2 data values through our ingest pipeline, answered with DHIS2's import summary.

1. Ids are read under the request's id schemes (``dataElementIdScheme``, ``orgUnitIdScheme``,
   ``categoryOptionComboIdScheme``, or ``idScheme`` for all; UID by default) and become our codes; the category
   option combo becomes the value's disaggregation (the default combo: ``total``). Yes/no values (``true``,
   ``false``) become 1 and 0, as DHIS2 counts them.
2. A value the reader may not write (``push-data`` at its org unit, for its data element's department) is a
   conflict, worded like an unknown id: "not found or not accessible". So are unknown ids, other attribute
   option combos than the default, deletions (govpulse keeps every value with its history and deletes none) and
   empty values.
3. The rest is ONE batch of the push source ``dhis2`` (made on first use): mapped and validated by
   ``ingest.pipeline`` (period type, value type, min/max, periods not begun, duplicates, each rejection with its
   reason and quarantined for replay), written to the warehouse in one transaction, rolled up, recorded with its
   lineage (each value's row is its position in the payload, from 1). Conflict ``indexes`` are positions from 0.

``importStrategy``: CREATE_AND_UPDATE (default); CREATE skips values that exist, UPDATE values that do not
(looked up in the warehouse first); DELETE is refused as a whole. ``dryRun=true`` checks everything and writes
nothing. Counts: imported = new values, updated = values that existed (changed or not, as DHIS2 counts them),
ignored = the rest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from govpulse.catalog.audit import Event, emit
from govpulse.catalog.models.base import utcnow
from govpulse.core.access import PUSH_DATA
from govpulse.core.periods import InvalidPeriod, parse_period
from govpulse.core.scope import Scope
from govpulse.dhis2.ids import DEFAULT_NAMES, TOTAL, IdScheme
from govpulse.dhis2.reports import ImportSummary
from govpulse.dhis2.resolve import Resolver
from govpulse.ingest import batch_store
from govpulse.ingest.batches import ALREADY_LOADED, IngestStores, run_batch
from govpulse.ingest.connectors.tables import records_chunk
from govpulse.ingest.lookups import CatalogLookups
from govpulse.ingest.pipeline import RejectedRow, process
from govpulse.ingest.sources import PUSH, SourceDefinition, definition_of, get_source, register_source
from govpulse.warehouse import HasLineage, Warehouse
from govpulse.warehouse.errors import WarehouseError

__all__ = ["SOURCE", "ImportOptions", "import_data_values"]

SOURCE = "dhis2"
"""The push source every DHIS2 data value import is a batch of."""
_MAPPING = {"org_unit": {"column": "orgUnit", "by": "code"}, "period": {"column": "period"},
            "data_element": {"column": "dataElement"}, "value": "value", "disaggregation": "categoryOptionCombo"}
_CODES = {"dataElement": "E7610", "orgUnit": "E7612", "categoryOptionCombo": "E7613", "value": "E7619",
          "period": "E7632"}
_BOOLEAN = {"true": "1", "false": "0"}


@dataclass(frozen=True)
class ImportOptions:
    data_element_scheme: IdScheme = IdScheme.UID
    org_unit_scheme: IdScheme = IdScheme.UID
    combo_scheme: IdScheme = IdScheme.UID
    strategy: str = "CREATE_AND_UPDATE"
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"idSchemes": {"dataElementIdScheme": self.data_element_scheme.value,
                              "orgUnitIdScheme": self.org_unit_scheme.value,
                              "categoryOptionComboIdScheme": self.combo_scheme.value},
                "dryRun": self.dry_run, "importStrategy": self.strategy, "async": False}


@dataclass
class _Prepared:
    """Values that passed the id and scope checks: their payload index and the record in our codes."""

    indexes: list[int] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    exists: list[bool] = field(default_factory=list)  # known only after ``_apply_strategy``


def import_data_values(stores: IngestStores, session: Session, scope: Scope, username: str, values: list[dict],
                       options: ImportOptions, body_hash: str = "") -> ImportSummary:
    """Import parsed data values (``datavalue_payloads``); ``session`` carries the request's actor for the audit."""
    scope.require(PUSH_DATA)
    summary = ImportSummary(options=options.as_dict())
    if options.strategy == "DELETE":
        summary.ignored = len(values)
        summary.conflict(None, "importStrategy", "importStrategy DELETE is not supported: govpulse keeps every "
                         "stored value with its history and does not delete values.", prop="importStrategy")
        return summary
    prepared = _prepare(Resolver(session), scope, values, options, summary)
    if options.strategy != "CREATE_AND_UPDATE" or options.dry_run:
        prepared = _apply_strategy(stores.warehouse, prepared, options)
    if prepared.records:
        _ensure_source(stores)
        location = f"dhis2:{body_hash or _hash(values)}"
        chunk = records_chunk(prepared.records, [i + 1 for i in prepared.indexes],
                              [location] * len(prepared.indexes), origin=location)
        if options.dry_run:
            _dry_run(stores, chunk, prepared.exists, values, summary)
        else:
            _write(stores, chunk, values, summary, username)
    summary.ignored = len(values) - summary.imported - summary.updated
    if not options.dry_run:
        emit(session, Event(action="import", entity="dhis2_data_value_set", code=SOURCE,
                            after=summary.response()["importCount"], detail=f"{len(values)} values"))
        session.commit()
    return summary


def _hash(values: list[dict]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:12]


# --- ids and scope ---------------------------------------------------------------------------------------


def _prepare(resolver: Resolver, scope: Scope, values: list[dict], options: ImportOptions,
             summary: ImportSummary) -> _Prepared:
    elements = resolver.data_elements((v.get("dataElement", "") for v in values), options.data_element_scheme)
    units = resolver.org_units((v.get("orgUnit", "") for v in values), options.org_unit_scheme)
    combos = resolver.combos((v.get(k, "") for v in values for k in ("categoryOptionCombo", "attributeOptionCombo")),
                             options.combo_scheme)
    prepared = _Prepared()
    for index, value in enumerate(values):
        record = _record(index, value, elements, units, combos, scope, summary)
        if record is not None:
            prepared.indexes.append(index)
            prepared.records.append(record)
    return prepared


def _record(index: int, value: dict, elements: dict, units: dict, combos: dict, scope: Scope,
            summary: ImportSummary) -> dict | None:
    """Our record for one value, or None after noting its conflict."""
    given = {key: str(value.get(key) or "") for key in ("dataElement", "orgUnit", "period", "categoryOptionCombo",
                                                        "attributeOptionCombo")}
    element, unit = elements.get(given["dataElement"]), units.get(given["orgUnit"])
    if element is None or not scope.can(PUSH_DATA, department=element.department):
        summary.conflict(index, given["dataElement"], f"Data element not found or not accessible: "
                         f"`{given['dataElement']}`", "E7610", "dataElement")
        return None
    if unit is None or not scope.can(PUSH_DATA, path=unit.path, department=element.department):
        summary.conflict(index, given["orgUnit"], f"Organisation unit not found or not accessible: "
                         f"`{given['orgUnit']}`", "E7612", "orgUnit")
        return None
    try:
        period = parse_period(given["period"]).id
    except InvalidPeriod:
        summary.conflict(index, given["period"], f"Period not valid: `{given['period']}`", "E7611", "period")
        return None
    combo = _combo(combos, given["categoryOptionCombo"])
    if combo is None:
        summary.conflict(index, given["categoryOptionCombo"], "Category option combo not found or not accessible "
                         f"for writing data: `{given['categoryOptionCombo']}`", "E7613", "categoryOptionCombo")
        return None
    if _combo(combos, given["attributeOptionCombo"]) != TOTAL:
        summary.conflict(index, given["attributeOptionCombo"], "Attribute option combo not found or not accessible "
                         f"for writing data: `{given['attributeOptionCombo']}` (govpulse takes values of the default "
                         "attribute option combo only)", "E7615", "attributeOptionCombo")
        return None
    text = str(value.get("value") or "").strip()
    if value.get("deleted") is True:
        summary.conflict(index, given["dataElement"], "Deleting data values is not supported: govpulse keeps every "
                         "stored value with its history", None, "deleted")
        return None
    if not text:
        summary.conflict(index, given["dataElement"], "Data value or comment not specified for data element: "
                         f"`{given['dataElement']}` (govpulse stores numbers only; empty values delete nothing)",
                         "E7618", "value")
        return None
    if element.row.value_type == "BOOLEAN":
        text = _BOOLEAN.get(text.lower(), text)
    return {"dataElement": element.code, "period": period, "orgUnit": unit.code,
            "categoryOptionCombo": "" if combo == TOTAL else combo, "value": text}


def _combo(combos: dict[str, str], given: str) -> str | None:
    """The disaggregation of a category option combo id (none given: the default combo, ``total``)."""
    return TOTAL if not given or given in DEFAULT_NAMES else combos.get(given)


# --- strategies and dry runs ---------------------------------------------------------------------------------


def _key(record: dict) -> tuple[str, str, str, str]:
    return (record["dataElement"], record["orgUnit"], record["period"], record["categoryOptionCombo"] or TOTAL)


def existing_keys(warehouse: Warehouse, records: list[dict]) -> set[tuple[str, str, str, str]]:
    """Which (data element, org unit, period, disaggregation) of ``records`` the warehouse already holds."""
    if not warehouse.supports(HasLineage):
        return set()
    found: set[tuple[str, str, str, str]] = set()
    for element, unit, period in {k[:3] for k in map(_key, records)}:
        try:
            rows = warehouse.lineage(element, unit, period, limit=1_000_000).rows
        except (WarehouseError, ValueError):
            continue  # a data element or org unit the warehouse has not seen yet has no values
        for row in rows.to_pylist():
            if row["org_unit"] == unit and row["period"] == period:
                found.add((element, unit, period, row["disaggregation"]))
    return found


def _apply_strategy(warehouse: Warehouse, prepared: _Prepared, options: ImportOptions) -> _Prepared:
    """Leave out what the strategy skips; for a dry run, also count what would be imported or updated."""
    existing = existing_keys(warehouse, prepared.records)
    kept = _Prepared()
    for index, record in zip(prepared.indexes, prepared.records, strict=True):
        there = _key(record) in existing
        if (there and options.strategy == "CREATE") or (not there and options.strategy == "UPDATE"):
            continue  # ignored without a conflict, as DHIS2 does
        kept.indexes.append(index)
        kept.records.append(record)
        kept.exists.append(there)
    return kept


def _dry_run(stores: IngestStores, chunk, exists: list[bool], values: list[dict], summary: ImportSummary) -> None:
    """Map and validate as the batch would, write nothing."""
    with stores.session_factory() as session:
        found = get_source(session, SOURCE, Scope.system())
        definition = definition_of(*found)
        lookups = CatalogLookups.load(session)
    today = utcnow().astimezone(ZoneInfo(definition.timezone)).date()
    processed = process(definition.mapping, lookups, [chunk], today)
    _conflicts(processed.rejected, values, summary)
    bad = {row.source_row for row in processed.rejected}
    for row, there in zip(chunk.table["_source_row"].to_pylist(), exists, strict=True):
        if row not in bad:
            if there:
                summary.updated += 1
            else:
                summary.imported += 1


def _write(stores: IngestStores, chunk, values: list[dict], summary: ImportSummary, username: str) -> None:
    report = run_batch(stores, SOURCE, [chunk], trigger="push", triggered_by=f"DHIS2 dataValueSets by {username}")
    rejected = report.rejected
    if report.rows_rejected > len(rejected):
        with stores.session_factory() as session:
            batch = batch_store.find_batch(session, report.key)
            rejected = [RejectedRow(r.source_file, r.source_row, list(r.problems or []), r.raw)
                        for r in batch_store.quarantine_of_batch(session, batch)]
    _conflicts(rejected, values, summary)
    if report.status == ALREADY_LOADED:
        summary.updated = report.values_accepted  # every value is stored already
        summary.description = f"The same values were imported before (batch {report.key}); nothing changed."
    else:
        summary.imported = report.values_inserted
        summary.updated = report.values_updated + report.values_unchanged


def _conflicts(rejected: list[RejectedRow], values: list[dict], summary: ImportSummary) -> None:
    """One conflict per problem the pipeline found, pointing at the value's index in the payload."""
    for row in rejected:
        index = row.source_row - 1
        original = values[index] if 0 <= index < len(values) else {}
        for problem in row.problems:
            name = problem.get("field") or ""
            code = _CODES.get(name)
            if name == "period" and "has not begun" in problem["reason"]:
                code = "E7641"
            summary.conflict(index, str(original.get(name) or original.get("dataElement") or ""), problem["reason"],
                             code, name or None)


def _ensure_source(stores: IngestStores) -> None:
    """The push source ``dhis2`` with the mapping above (made, or put back, when it differs)."""
    wanted = SourceDefinition(code=SOURCE, name="DHIS2 data value sets", connector=PUSH, mapping=_MAPPING,
                              description="Values posted to /api/dataValueSets by DHIS2 clients.")
    with stores.session_factory() as session:
        found = get_source(session, SOURCE, Scope.system())
        if found is not None and definition_of(*found).mapping == wanted.mapping:
            return
        register_source(session, wanted)
        session.commit()
