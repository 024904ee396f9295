"""A DHIS2 analytics request (``dimension=dx:..``, ``filter=pe:..``) read and resolved against our catalogue.

Dimensions: ``dx`` (indicators and data elements, by UID or code), ``pe`` (period ids and relative periods,
``dhis2.periods``) and ``ou``: ids, ``LEVEL-n`` or ``LEVEL-<level uid>``, ``USER_ORGUNIT``,
``USER_ORGUNIT_CHILDREN``, ``USER_ORGUNIT_GRANDCHILDREN``, and combinations such as ``ID;LEVEL-3`` (the units of
level 3 under ID). Each may be a dimension (a column of the answer) or a filter (aggregated over). ``co``,
category and group dimensions, data element operands (``de.coc``), groups and ``startDate``/``endDate`` are
refused as illegal queries (409), naming what is not supported.

Scope: an org unit given by id that does not exist or lies outside the reader's scope, and a data item of a
department the reader does not see, are ``NotFound`` (404); ``LEVEL-n`` and ``USER_ORGUNIT`` expand within the
reader's scope only (a Collector of Surat asking for ``LEVEL-2`` gets Surat).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from govpulse.catalog.models import OrgUnit
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.catalog.scoping import restrict, subtree
from govpulse.core.periods import InvalidPeriod, Period, parse_period
from govpulse.core.scope import Scope
from govpulse.dhis2.errors import IllegalQuery, NotFound
from govpulse.dhis2.ids import UID, IdentifierStore, IdScheme
from govpulse.dhis2.periods import RELATIVE_PERIODS, is_relative, relative_label, relative_periods
from govpulse.dhis2.resolve import Catalogued, Resolver

__all__ = ["AnalyticsParams", "DataItem", "ResolvedQuery", "resolve_query"]

USER_UNITS = ("USER_ORGUNIT", "USER_ORGUNIT_CHILDREN", "USER_ORGUNIT_GRANDCHILDREN")


@dataclass(frozen=True)
class AnalyticsParams:
    dimensions: list[str]
    filters: list[str] = field(default_factory=list)
    input_scheme: IdScheme = IdScheme.UID
    output_scheme: IdScheme = IdScheme.UID
    relative_period_date: date | None = None
    include_num_den: bool = False
    skip_meta: bool = False
    skip_data: bool = False
    skip_rounding: bool = False
    dates_given: bool = False


@dataclass(frozen=True)
class DataItem:
    kind: str  # "indicator" or "data_element"
    entry: Catalogued

    @property
    def code(self) -> str:
        return self.entry.code


@dataclass
class ResolvedQuery:
    columns: list[str]  # dimension keys in request order (dx, pe, ou): the answer's columns
    filters: list[str]
    data: list[DataItem]
    periods: list[Period]
    units: list[OrgUnit]
    relative: dict[str, str] = field(default_factory=dict)  # relative period name -> label, for metaData


def _split(texts: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for text in texts:
        key, colon, rest = text.partition(":")
        key = key.strip()
        items = [i.strip() for i in rest.split(";") if i.strip()]
        if key not in ("dx", "pe", "ou"):
            raise IllegalQuery(f"Dimension identifier does not reference any dimension supported by govpulse: "
                               f"`{key}` (use dx, pe and ou)", "E7125")
        if not colon or not items:
            raise IllegalQuery(f"Dimension is present in query without any valid dimension options: `{key}`",
                               "E7124")
        if key in found:
            raise IllegalQuery(f"Dimensions cannot be specified more than once: `{key}`", "E7111")
        found[key] = items
    return found


def resolve_query(session: Session, scope: Scope, params: AnalyticsParams, today: date) -> ResolvedQuery:
    """The request's dimensions resolved to our objects (see the module docstring)."""
    if params.dates_given:
        raise IllegalQuery("startDate and endDate are not supported by govpulse analytics; give periods in the "
                           "pe dimension (relative periods included)", "E7105")
    dims, filters = _split(params.dimensions), _split(params.filters)
    if both := sorted(set(dims) & set(filters)):
        raise IllegalQuery(f"Dimensions cannot be specified as dimension and filter simultaneously: `{both[0]}`",
                           "E7103")
    given = dims | filters
    if "dx" not in given:
        raise IllegalQuery("At least one data dimension item or data element group set dimension item must be "
                           "specified", "E7102")
    if "pe" not in given:
        raise IllegalQuery("At least one period as dimension or filter, or start and dates, must be specified",
                           "E7104")
    resolver = Resolver(session)
    relative: dict[str, str] = {}
    return ResolvedQuery(
        columns=list(dims), filters=[key for key in ("dx", "pe", "ou") if key not in dims],
        data=_data_items(resolver, scope, given["dx"], params.input_scheme),
        periods=_periods(given["pe"], params.relative_period_date or today, relative),
        units=_units(session, resolver, scope, given.get("ou", ["USER_ORGUNIT"]), params.input_scheme),
        relative=relative,
    )


def _data_items(resolver: Resolver, scope: Scope, ids: list[str], scheme: IdScheme) -> list[DataItem]:
    for item in ids:
        if item.startswith(("DE_GROUP-", "IN_GROUP-")):
            raise IllegalQuery(f"data element and indicator groups are not supported: `{item}`", "E7125")
    indicators, elements = resolver.indicators(ids, scheme), resolver.data_elements(ids, scheme)
    items = []
    for given in dict.fromkeys(ids):
        if given in indicators:
            item = DataItem("indicator", indicators[given])
        elif given in elements:
            item = DataItem("data_element", elements[given])
        elif "." in given:
            raise IllegalQuery(f"data element operands (data element.category option combo) are not supported: "
                               f"`{given}`", "E7125")
        else:
            raise NotFound(f"no indicator or data element with id {given!r}")
        if not scope.allows_department(item.entry.department):
            raise NotFound(f"no indicator or data element with id {given!r}")
        items.append(item)
    return items


def _periods(ids: list[str], today: date, relative: dict[str, str]) -> list[Period]:
    periods: dict[str, Period] = {}
    for given in ids:
        if given in RELATIVE_PERIODS:
            relative[given] = relative_label(given)
            periods.update({p.id: p for p in relative_periods(given, today)})
            continue
        if is_relative(given):
            raise IllegalQuery(f"relative period not supported: `{given}` (supported: "
                               f"{', '.join(RELATIVE_PERIODS)})", "E7124")
        try:
            period = parse_period(given)
        except InvalidPeriod as error:
            raise IllegalQuery(f"Period not valid: `{given}` ({error.reason})", "E7124") from None
        periods[period.id] = period
    return list(periods.values())


def _units(session: Session, resolver: Resolver, scope: Scope, items: list[str], scheme: IdScheme) -> list[OrgUnit]:
    repo = OrgUnitRepository(session)
    boundaries: dict[str, OrgUnit] = {}
    levels: list[int] = []
    ids = []
    for item in items:
        if item.startswith("LEVEL-"):
            levels.append(_level(session, item))
        elif item in USER_UNITS:
            units = repo.roots(scope)
            for _ in range(USER_UNITS.index(item)):
                units = [child for unit in units for child in repo.children(unit.code, scope)]
            boundaries.update({u.code: u for u in units})
        elif item.startswith("OU_GROUP-"):
            raise IllegalQuery(f"org unit groups are not supported: `{item}`", "E7125")
        else:
            ids.append(item)
    found = resolver.org_units(ids, scheme)
    for given in ids:
        unit = found.get(given)
        if unit is None or not scope.allows_path(unit.path):
            raise NotFound(f"no org unit with id {given!r}")
        boundaries[unit.code] = unit
    if not levels:
        return list(boundaries.values())
    within = [u.path for u in boundaries.values()] if boundaries else [u.path for u in repo.roots(scope)]
    if not within:
        return []
    stmt = select(OrgUnit).where(OrgUnit.level.in_(levels), or_(*(subtree(OrgUnit.path, p) for p in within)))
    return list(session.scalars(restrict(stmt, scope, path_column=OrgUnit.path).order_by(OrgUnit.path)))


def _level(session: Session, item: str) -> int:
    text = item.removeprefix("LEVEL-")
    if text.isdigit() and int(text) >= 1:
        return int(text)
    found = IdentifierStore(session).codes_for("org_unit_level", UID, [text]).get(text)
    if found is None:
        raise IllegalQuery(f"Org unit level not valid: `{item}`", "E7124")
    return int(found)
