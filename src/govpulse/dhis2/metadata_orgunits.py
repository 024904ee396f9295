"""DHIS2 organisation units and their levels, imported into our org-unit tree.

A DHIS2 org unit keeps its code as ours when it has one that fits a materialised path (``OU_559``), else its UID
becomes its code. Its parent is found by UID (in the payload or stored), else by code; parents are created
before children whatever the payload's order. DHIS2 roots become roots of our tree, beside the state.

The ``kind`` (state, district, taluka, village, facility, ...) comes from the name of the org unit's level
(``organisationUnitLevels``: "District" -> district, "Chiefdom" -> taluka, "Facility" -> facility), else from
the level number (1 state, 2 district, 3 taluka, deeper facility). A point geometry gives latitude and
longitude; a polygon its mean vertex. ``shortName``, ``openingDate`` and groups are not kept.

Changing the tree needs the ``edit-catalog`` action in a grant that covers every department and the place where
the unit goes (a new root needs a grant over the whole installation). Existing units are renamed, never moved:
a different parent is reported and the unit stays where it is.
"""

from __future__ import annotations

from sqlalchemy import select

from govpulse.catalog.audit import snapshot
from govpulse.catalog.models import OrgUnit
from govpulse.core.access import EDIT_CATALOG
from govpulse.core.scope import Scope
from govpulse.dhis2.ids import CODE, NAME, UID, new_uid
from govpulse.dhis2.metadata_context import MetadataContext, klass_of

__all__ = ["import_levels", "import_org_units", "kind_for_level"]

_LEVEL_KINDS = {
    "national": "state", "country": "state", "state": "state",
    "district": "district", "province": "district", "region": "district", "division": "district",
    "chiefdom": "taluka", "taluka": "taluka", "tehsil": "taluka", "taluk": "taluka", "block": "taluka",
    "sub-district": "taluka", "subdistrict": "taluka", "sub district": "taluka", "mandal": "taluka",
    "village": "village", "gram panchayat": "village", "ward": "ward", "ulb": "ulb", "municipality": "ulb",
    "town": "town", "school": "school", "facility": "facility", "health facility": "facility",
}
_BY_NUMBER = {1: "state", 2: "district", 3: "taluka"}
KLASS = klass_of("organisationUnits")
LEVEL_KLASS = klass_of("organisationUnitLevels")


def kind_for_level(level: int, names: dict[int, str]) -> str:
    """The org-unit kind of a DHIS2 level, by its name, else by its number."""
    name = " ".join(names.get(level, "").lower().replace("_", " ").split())
    return _LEVEL_KINDS.get(name) or _BY_NUMBER.get(level, "facility")


def may_change_tree(scope: Scope, path: str | None) -> bool:
    """Whether some grant lets the reader change the tree under ``path`` (None: add a new root)."""
    return any(
        grant.allows_action(EDIT_CATALOG) and grant.departments is None
        and (grant.path is None or (path is not None and path.startswith(grant.path)))
        for grant in scope.grants
    )


# --- levels --------------------------------------------------------------------------------------------------


def import_levels(ctx: MetadataContext, items: list[dict]) -> None:
    """Remember each level's UID, code and name (``LEVEL-<uid>`` in analytics, kinds of new org units)."""
    store = ctx.ids
    for index, item in enumerate(items):
        level = item.get("level")
        if not isinstance(level, int) or level < 1:
            ctx.report.ignore(LEVEL_KLASS, index, item.get("id"), "Missing required property `level`.", "E4000",
                              prop="level")
            continue
        code = str(level)
        known = item.get("id") and store.codes_for("org_unit_level", UID, [item["id"]])
        for scheme, value in ((UID, item.get("id")), (CODE, item.get("code")), (NAME, item.get("name"))):
            if value:
                store.link("org_unit_level", code, scheme, str(value))
        (ctx.report.updated if known else ctx.report.created)(LEVEL_KLASS)


def level_names(ctx: MetadataContext, items: list[dict]) -> dict[int, str]:
    """Level number -> name, from the store and this payload's ``organisationUnitLevels``."""
    names = {int(code): name for code, name in ctx.ids.values_for("org_unit_level", NAME).items() if code.isdigit()}
    names.update({item["level"]: str(item.get("name", "")) for item in items if isinstance(item.get("level"), int)})
    return names


# --- org units -----------------------------------------------------------------------------------------------


def import_org_units(ctx: MetadataContext, items: list[dict], levels: dict[int, str]) -> None:
    """Create or update the payload's org units, parents first (see the module docstring)."""
    pending: list[tuple[int, dict]] = []
    for index, item in enumerate(items):
        if not item.get("name"):
            ctx.report.ignore(KLASS, index, item.get("id"), "Missing required property `name`.", "E4000",
                              prop="name")
            continue
        pending.append((index, {**item, "id": item.get("id") or new_uid()}))
    waiting_for = {item["id"] for _, item in pending}
    progress = True
    while pending and progress:
        progress, later = False, []
        for index, item in pending:
            parent, ready = _parent(ctx, item, waiting_for)
            if not ready:
                later.append((index, item))
                continue
            _import_one(ctx, index, item, parent, levels)
            waiting_for.discard(item["id"])
            progress = True
        pending = later
    for index, item in pending:
        ref = item.get("parent") or {}
        ctx.report.ignore(KLASS, index, item["id"],
                          f"Invalid reference {ref.get('id') or ref.get('code')!r} on object {item['id']!r} for "
                          "association `parent`: no such org unit in the payload or in govpulse.", "E5002",
                          prop="parent", name=item.get("name", ""))


def _unit(ctx: MetadataContext, code: str | None) -> OrgUnit | None:
    return None if code is None else ctx.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def _parent(ctx: MetadataContext, item: dict, waiting_for: set[str]) -> tuple[OrgUnit | None, bool]:
    """(parent row, ready): not ready while the parent is still to be imported from the payload or missing."""
    ref = item.get("parent")
    if not ref:
        return None, True
    uid, code = ref.get("id"), ref.get("code")
    if uid and uid in waiting_for:
        return None, False
    found = _unit(ctx, ctx.code_of("org_unit", uid))
    if found is None and code:
        found = _unit(ctx, ctx.ids.codes_for("org_unit", CODE, [code]).get(code) or code)
    if found is None and uid:
        found = _unit(ctx, uid)  # one of our own units, its code sent as the id
    return found, found is not None


def _import_one(ctx: MetadataContext, index: int, item: dict, parent: OrgUnit | None,
                levels: dict[int, str]) -> None:
    code, exists = ctx.match("org_unit", item, lambda c: _unit(ctx, c) is not None)
    name = str(item["name"])[:255]
    latitude, longitude = _point(item.get("geometry"))
    if exists:
        row = _unit(ctx, code)
        problem = _cannot_update(ctx, row, parent)
        if problem:
            ctx.report.ignore(KLASS, index, item["id"], problem[0], problem[1], name=name, prop=problem[2])
            return
        before = snapshot(row)
        row.name = name
        if latitude is not None:
            row.latitude, row.longitude = latitude, longitude
        if snapshot(row) != before:
            ctx.session.flush()
            ctx.audit("update", "org_unit", row, before)
        ctx.report.updated(KLASS)
    else:
        problem = _cannot_create(ctx, code, parent)
        if problem:
            ctx.report.ignore(KLASS, index, item["id"], problem[0], problem[1], name=name)
            return
        level = parent.level + 1 if parent else 1
        row = OrgUnit(code=code, name=name, names={}, kind=kind_for_level(level, levels), level=level,
                      parent_id=parent.id if parent else None, path=f"{parent.path if parent else '/'}{code}/",
                      latitude=latitude, longitude=longitude)
        ctx.session.add(row)
        ctx.session.flush()
        ctx.audit("create", "org_unit", row)
        ctx.report.created(KLASS)
    ctx.remember("org_unit", item, code)
    ctx.tree_changed = True


def _cannot_update(ctx: MetadataContext, row: OrgUnit, parent: OrgUnit | None) -> tuple[str, str, str | None] | None:
    if not ctx.strategy.update:
        return (f"Found matching object for reference, but import mode is {ctx.strategy.name}. Identifier was "
                f"{row.code}.", "E5000", None)
    if not may_change_tree(ctx.scope, row.path):
        return f"User `{ctx.username}` is not allowed to update object `{row.code}`.", "E3001", None
    if (parent.id if parent else None) != row.parent_id:
        return (f"Invalid reference on object {row.code!r} for association `parent`: govpulse does not move org "
                "units to another parent (the unit was left where it is).", "E5002", "parent")
    return None


def _cannot_create(ctx: MetadataContext, code: str, parent: OrgUnit | None) -> tuple[str, str] | None:
    if not ctx.strategy.create:
        return f"No matching object for reference. Identifier was {code}.", "E5001"
    if not may_change_tree(ctx.scope, parent.path if parent else None):
        where = f"under {parent.code!r}" if parent else "as a new root of the tree"
        return (f"User `{ctx.username}` is not allowed to create objects of type {KLASS} {where}.", "E3000")
    if len((parent.path if parent else "/") + code) >= 1023:
        return f"the org unit {code!r} lies too deep: its path would pass 1024 characters", "E4001"
    return None


def _point(geometry) -> tuple[float | None, float | None]:
    """(latitude, longitude) of a GeoJSON point, or the mean vertex of a polygon's outer ring."""
    if not isinstance(geometry, dict):
        return None, None
    coordinates = geometry.get("coordinates")
    try:
        if geometry.get("type") == "Point":
            return float(coordinates[1]), float(coordinates[0])
        ring = coordinates[0] if geometry.get("type") == "Polygon" else coordinates[0][0]
        return sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)
    except (TypeError, ValueError, IndexError, ZeroDivisionError):
        return None, None
