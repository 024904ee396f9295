"""DHIS2 data elements, indicators and what they hang on, imported into our catalogue.

* ``categoryCombos``: the default combo is known; others are not stored (ignored, with a message), because a
  value's disaggregation is its category option combo, which is imported.
* ``categoryOptionCombos``: each becomes a disaggregation code of the warehouse (the default one is ``total``);
  its UID, name and code are kept to translate data values.
* ``dataElements`` of domain AGGREGATE with a numeric value type (NUMBER, the INTEGER types, PERCENTAGE,
  BOOLEAN, TRUE_ONLY, UNIT_INTERVAL); text, dates and tracker elements are ignored with a message. New ones go
  into the import's department.
* ``indicatorTypes``: a type is its factor (100 for percentages).
* ``constants``: our constants, usable as ``C{code}``.
* ``indicators``: numerator and denominator translated to our codes (``dhis2.expressions``); ``annualized`` is
  not applied.
* ``dataSets``: their period type becomes their data elements' period type, and the kinds of their org units the
  elements' ``reported_at`` (expected coverage); members are kept for exports by data set.
"""

from __future__ import annotations

from sqlalchemy import select

from govpulse.catalog.models import Constant, DataElement, Department, Indicator, OrgUnit
from govpulse.core.access import EDIT_CATALOG
from govpulse.core.enums import AggregationType
from govpulse.core.periods import PeriodType
from govpulse.dhis2.expressions import UntranslatableExpression, translate_expression
from govpulse.dhis2.ids import DEFAULT_COC_UID, DEFAULT_NAMES, NAME, TOTAL, UID, derive_code, new_uid
from govpulse.dhis2.metadata_context import MetadataContext, klass_of

__all__ = [
    "import_category_combos",
    "import_category_option_combos",
    "import_constants",
    "import_data_elements",
    "import_data_sets",
    "import_indicator_types",
    "import_indicators",
]

_VALUE_TYPES = {
    "NUMBER": ("NUMBER", None, None), "INTEGER": ("INTEGER", None, None),
    "INTEGER_POSITIVE": ("INTEGER_POSITIVE", None, None),
    "INTEGER_ZERO_OR_POSITIVE": ("INTEGER_ZERO_OR_POSITIVE", None, None),
    "INTEGER_NEGATIVE": ("INTEGER", None, -1.0), "PERCENTAGE": ("PERCENTAGE", None, None),
    "BOOLEAN": ("BOOLEAN", None, None), "TRUE_ONLY": ("BOOLEAN", None, None),
    "UNIT_INTERVAL": ("NUMBER", 0.0, 1.0),
}


def _with_ids(ctx: MetadataContext, klass: str, items: list[dict]) -> list[tuple[int, dict]]:
    """The payload's objects that have a name, each with a UID (made up when missing, as DHIS2 does)."""
    kept = []
    for index, item in enumerate(items):
        if not item.get("name"):
            ctx.report.ignore(klass, index, item.get("id"), "Missing required property `name`.", "E4000",
                              prop="name")
            continue
        kept.append((index, {**item, "id": item.get("id") or new_uid()}))
    return kept


def _department_code(ctx: MetadataContext, department_id: int) -> str:
    return ctx.session.scalar(select(Department.code).where(Department.id == department_id)) or ""


def _may_edit(ctx: MetadataContext, department_id: int) -> bool:
    return bool(ctx.scope.can(EDIT_CATALOG, department=_department_code(ctx, department_id)))


# --- category combos and option combos ---------------------------------------------------------------------


def import_category_combos(ctx: MetadataContext, items: list[dict]) -> None:
    klass = klass_of("categoryCombos")
    for index, item in _with_ids(ctx, klass, items):
        if item["name"] in DEFAULT_NAMES:
            known = ctx.code_of("category_combo", item["id"])
            ctx.remember("category_combo", item, "default")
            (ctx.report.updated if known else ctx.report.created)(klass)
        else:
            ctx.report.ignore(klass, index, item["id"], f"Category combo {item['name']!r} is not stored: govpulse "
                              "keeps each value's category option combo as its disaggregation (imported from "
                              "categoryOptionCombos).", "E6002", name=item["name"], unsupported=True)


def import_category_option_combos(ctx: MetadataContext, items: list[dict]) -> None:
    klass = klass_of("categoryOptionCombos")
    store = ctx.ids
    for _, item in _with_ids(ctx, klass, items):
        combo = (item.get("categoryCombo") or {}).get("id")
        default = (item["name"] in DEFAULT_NAMES or item["id"] == DEFAULT_COC_UID
                   or ctx.code_of("category_combo", combo) == "default")
        known = ctx.code_of("category_option_combo", item["id"])
        if default:
            code = TOTAL
        else:
            taken = set(store.values_for("category_option_combo", UID)) | ctx.claimed("category_option_combo")
            code = known or derive_code("category_option_combo", item.get("code") or item["name"], item["id"],
                                        taken)
        ctx.remember("category_option_combo", item, code)
        if not store.codes_for("category_option_combo", NAME, [item["name"]]):
            store.link("category_option_combo", code, NAME, item["name"])
        (ctx.report.updated if known else ctx.report.created)(klass)


# --- data elements -------------------------------------------------------------------------------------------


def _element(ctx: MetadataContext, code: str | None) -> DataElement | None:
    return None if code is None else ctx.session.scalar(select(DataElement).where(DataElement.code == code))


def element_code(ctx: MetadataContext, uid: str) -> str | None:
    """Our code of a data element named by DHIS2 UID (or by our own code)."""
    code = ctx.code_of("data_element", uid)
    if code is None and _element(ctx, uid) is not None:
        code = uid
    return code


def import_data_elements(ctx: MetadataContext, items: list[dict]) -> None:
    klass = klass_of("dataElements")
    for index, item in _with_ids(ctx, klass, items):
        name = str(item["name"])[:255]
        problem = _unsupported_element(item)
        if problem:
            ctx.report.ignore(klass, index, item["id"], problem, "E6002", name=name, unsupported=True)
            continue
        try:
            aggregation = AggregationType.parse(item.get("aggregationType") or "SUM").value
        except ValueError as error:
            ctx.report.ignore(klass, index, item["id"], f"Invalid aggregationType: {error}", "E4000",
                              prop="aggregationType", name=name)
            continue
        value_type, low, high = _VALUE_TYPES[item.get("valueType") or "NUMBER"]
        code, exists = ctx.match("data_element", item, lambda c: _element(ctx, c) is not None)
        fields = {"name": name, "value_type": value_type, "aggregation_type": aggregation, "min_value": low,
                  "max_value": high, "description": str(item.get("description") or "")}
        if not _store_element(ctx, klass, index, item, code, exists, fields):
            continue
        ctx.remember("data_element", item, code)
        ctx.elements_changed = True


def _unsupported_element(item: dict) -> str | None:
    domain = item.get("domainType") or "AGGREGATE"
    if domain != "AGGREGATE":
        return f"Data element {item['name']!r} has domain type {domain}: govpulse imports aggregate data elements."
    value_type = item.get("valueType") or "NUMBER"
    if value_type not in _VALUE_TYPES:
        return (f"Data element {item['name']!r} has value type {value_type}: govpulse stores numbers "
                f"({', '.join(_VALUE_TYPES)}).")
    return None


def _store_element(ctx: MetadataContext, klass: str, index: int, item: dict, code: str, exists: bool,
                   fields: dict) -> bool:
    if exists:
        row = _element(ctx, code)
        if not ctx.strategy.update:
            ctx.report.ignore(klass, index, item["id"], f"Found matching object for reference, but import mode is "
                              f"{ctx.strategy.name}. Identifier was {code}.", "E5000", name=fields["name"])
            return False
        if not _may_edit(ctx, row.department_id):
            ctx.report.ignore(klass, index, item["id"], f"User `{ctx.username}` is not allowed to update object "
                              f"`{code}`.", "E3001", name=fields["name"])
            return False
        for key, value in fields.items():
            setattr(row, key, value)
        ctx.report.updated(klass)
        return True
    if not ctx.strategy.create:
        ctx.report.ignore(klass, index, item["id"], f"No matching object for reference. Identifier was {code}.",
                          "E5001", name=fields["name"])
        return False
    ctx.session.add(DataElement(code=code, department_id=ctx.department_id(), period_type="Monthly",
                                reported_at=[], unit="", names={}, **fields))
    ctx.session.flush()
    ctx.report.created(klass)
    return True


# --- indicator types, constants, indicators -----------------------------------------------------------------


def import_indicator_types(ctx: MetadataContext, items: list[dict]) -> None:
    klass = klass_of("indicatorTypes")
    for index, item in _with_ids(ctx, klass, items):
        factor = item.get("factor")
        if not isinstance(factor, int | float) or isinstance(factor, bool) or factor <= 0:
            ctx.report.ignore(klass, index, item["id"], "Missing required property `factor`.", "E4000",
                              prop="factor", name=item["name"])
            continue
        known = ctx.code_of("indicator_type", item["id"])
        ctx.remember("indicator_type", item, _number(factor))
        (ctx.report.updated if known else ctx.report.created)(klass)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def import_constants(ctx: MetadataContext, items: list[dict]) -> None:
    klass = klass_of("constants")
    for index, item in _with_ids(ctx, klass, items):
        value = item.get("value")
        if not isinstance(value, int | float) or isinstance(value, bool):
            ctx.report.ignore(klass, index, item["id"], "Missing required property `value`.", "E4000",
                              prop="value", name=item["name"])
            continue
        ctx.scope.require(EDIT_CATALOG)
        exists = lambda c: ctx.session.scalar(select(Constant).where(Constant.code == c)) is not None  # noqa: E731
        code, found = ctx.match("constant", item, exists)
        if found:
            ctx.session.scalar(select(Constant).where(Constant.code == code)).value = float(value)
            ctx.report.updated(klass)
        else:
            ctx.session.add(Constant(code=code, value=float(value)))
            ctx.report.created(klass)
        ctx.remember("constant", item, code)


def import_indicators(ctx: MetadataContext, items: list[dict]) -> None:
    klass = klass_of("indicators")
    for index, item in _with_ids(ctx, klass, items):
        name = str(item["name"])[:255]
        type_id = (item.get("indicatorType") or {}).get("id")
        factor = ctx.code_of("indicator_type", type_id)
        if factor is None:
            ctx.report.ignore(klass, index, item["id"], f"Invalid reference {type_id!r} on object {item['id']!r} "
                              "for association `indicatorType`.", "E5002", prop="indicatorType", name=name)
            continue
        try:
            numerator, denominator = (_translate(ctx, str(item.get(side) or "")) for side in ("numerator",
                                                                                           "denominator"))
        except UntranslatableExpression as error:
            ctx.report.ignore(klass, index, item["id"], f"Indicator {name!r} cannot be computed by govpulse: "
                              f"{error}.", "E6002" if error.unsupported else "E5002", name=name,
                              unsupported=error.unsupported)
            continue
        decimals = item.get("decimals")
        fields = {"name": name, "numerator": numerator, "denominator": denominator, "factor": float(factor),
                  "decimals": decimals if isinstance(decimals, int) and 0 <= decimals <= 4 else 1,
                  "unit": "%" if float(factor) == 100 else "", "description": str(item.get("description") or "")}
        exists = lambda c: ctx.session.scalar(select(Indicator).where(Indicator.code == c)) is not None  # noqa: E731
        code, found = ctx.match("indicator", item, exists)
        if _store_indicator(ctx, klass, index, item, code, found, fields):
            ctx.remember("indicator", item, code)


def _translate(ctx: MetadataContext, text: str) -> str:
    return translate_expression(
        text, lambda uid: element_code(ctx, uid), lambda uid: ctx.code_of("category_option_combo", uid),
        lambda uid: ctx.code_of("constant", uid))


def _store_indicator(ctx: MetadataContext, klass: str, index: int, item: dict, code: str, exists: bool,
                     fields: dict) -> bool:
    if exists:
        row = ctx.session.scalar(select(Indicator).where(Indicator.code == code))
        if not ctx.strategy.update or not _may_edit(ctx, row.department_id):
            why = (f"import mode is {ctx.strategy.name}" if not ctx.strategy.update
                   else f"user `{ctx.username}` may not edit its department")
            ctx.report.ignore(klass, index, item["id"], f"Indicator `{code}` exists and was not updated: {why}.",
                              "E5000" if not ctx.strategy.update else "E3001", name=fields["name"])
            return False
        for key, value in fields.items():
            setattr(row, key, value)
        ctx.report.updated(klass)
        return True
    if not ctx.strategy.create:
        ctx.report.ignore(klass, index, item["id"], f"No matching object for reference. Identifier was {code}.",
                          "E5001", name=fields["name"])
        return False
    ctx.session.add(Indicator(code=code, department_id=ctx.department_id(), names={}, **fields))
    ctx.session.flush()
    ctx.report.created(klass)
    return True


# --- data sets -----------------------------------------------------------------------------------------------


def import_data_sets(ctx: MetadataContext, items: list[dict], ignored_uids: set[str]) -> None:
    """Record each data set and give its data elements its period type and the kinds of its org units."""
    klass = klass_of("dataSets")
    assigned: dict[str, tuple[str, str]] = {}  # element code -> (period type, data set name)
    for index, item in _with_ids(ctx, klass, items):
        known = ctx.code_of("data_set", item["id"])
        taken = set(ctx.ids.values_for("data_set", UID)) | ctx.claimed("data_set")
        code = known or derive_code("data_set", item.get("code"), item["id"], taken)
        members = []
        for entry in item.get("dataSetElements") or []:
            uid = (entry.get("dataElement") or {}).get("id")
            member = element_code(ctx, uid) if uid else None
            if member is not None:
                members.append(member)
            elif uid not in ignored_uids:
                ctx.report.ignore(klass, index, item["id"], f"Invalid reference {uid!r} on object {item['id']!r} "
                                  "for association `dataSetElements`.", "E5002", prop="dataSetElements",
                                  name=item["name"], count=0)
        problem = _apply_to_members(ctx, item, members, assigned)
        if problem:
            ctx.report.ignore(klass, index, item["id"], problem[0], problem[1], name=item["name"], count=0,
                              unsupported=problem[1] == "E6002")
        ctx.remember("data_set", item, code)
        ctx.ids.link("data_set", code, NAME, item["name"])
        ctx.ids.replace_members(code, members)
        (ctx.report.updated if known else ctx.report.created)(klass)


def _apply_to_members(ctx: MetadataContext, item: dict, members: list[str],
                      assigned: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """Set the members' period type and reported_at; returns the first problem (message, error code)."""
    try:
        period_type = PeriodType(item.get("periodType") or "Monthly").value
    except ValueError:
        return (f"Data set {item['name']!r} has period type {item.get('periodType')!r}, which govpulse does not "
                f"have ({', '.join(p.value for p in PeriodType)}); its data elements keep theirs.", "E6002")
    kinds = _unit_kinds(ctx, item.get("organisationUnits") or [])
    problem = None
    for code in members:
        row = _element(ctx, code)
        if not _may_edit(ctx, row.department_id):
            problem = problem or (f"User `{ctx.username}` is not allowed to update object `{code}`.", "E3001")
            continue
        if row.period_type != period_type:
            earlier = assigned.get(code)
            if earlier and earlier[0] != period_type:
                problem = problem or (f"Data element `{code}` is already reported {earlier[0]} (data set "
                                      f"{earlier[1]!r}); govpulse keeps one period type per data element.", "E5002")
                continue
            if ctx.has_values(code):
                problem = problem or (f"Data element `{code}` has stored values reported {row.period_type}, so its "
                                      f"period type cannot become {period_type}.", "E5002")
                continue
            row.period_type = period_type
        assigned.setdefault(code, (period_type, item["name"]))
        row.reported_at = sorted(set(row.reported_at or []) | kinds)
        ctx.elements_changed = True
    return problem


def _unit_kinds(ctx: MetadataContext, refs: list[dict]) -> set[str]:
    codes = [ctx.code_of("org_unit", ref.get("id")) or ref.get("id") for ref in refs if ref.get("id")]
    if not codes:
        return set()
    return set(ctx.session.scalars(select(OrgUnit.kind).where(OrgUnit.code.in_(codes[:900]))))
