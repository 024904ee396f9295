"""Every link of the dashboard, built in one place (as Datasette's ``url_builder.py``).

Templates and handlers never write a path by hand: ``urls.drilldown("HLT_X", "459", period="202610")`` is
the only place that knows the drill-down lives under ``/drill/{indicator}/{org_unit}``. Query parameters
that are None (or empty) are left out, and repeated parameters are given as lists, so two links to the same
view are the same string. The JSON twins of pages (``api_*``) live here too, so a page can link to the
numbers it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote, urlencode

API = "/api/v1"

QueryValue = str | int | float | Iterable[str] | None


def _path(*parts: str) -> str:
    return "/" + "/".join(quote(str(part), safe="") for part in parts)


def with_query(path: str, params: Mapping[str, QueryValue]) -> str:
    """``path`` with the non-empty ``params`` as a query string (lists repeat the parameter)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or value == "":
            continue
        if isinstance(value, str | int | float):
            pairs.append((key, str(value)))
        else:
            pairs.extend((key, str(item)) for item in value if item not in (None, ""))
    return f"{path}?{urlencode(pairs)}" if pairs else path


# --- pages ----------------------------------------------------------------------------------------------


def overview(*, org_unit: str | None = None, period: str | None = None) -> str:
    """The overview: every department as a tile, headline KPIs, red flags, freshness."""
    return with_query("/", {"org_unit": org_unit, "period": period})


def department(code: str, *, org_unit: str | None = None, period: str | None = None,
               sort: str | None = None, order: str | None = None) -> str:
    """A department's scorecard (indicators x areas)."""
    return with_query(_path("departments", code), {"org_unit": org_unit, "period": period, "sort": sort,
                                                     "order": order})


def indicator(code: str, *, org_unit: str | None = None, period: str | None = None) -> str:
    """One indicator: definition, ranking of areas, trend against target, distribution."""
    return with_query(_path("indicators", code), {"org_unit": org_unit, "period": period})


def drilldown(indicator: str, org_unit: str, *, period: str | None = None, highlight: Iterable[str] = (),
              sort: str | None = None, order: str | None = None, flag: int | None = None) -> str:
    """The drill-down: ``indicator`` at each child of ``org_unit`` (map, table), with the parent's trend.
    ``highlight`` marks children (a flag's root cause); ``flag`` names the flag that led here."""
    return with_query(_path("drill", indicator, org_unit), {"period": period, "highlight": list(highlight),
                                                             "sort": sort, "order": order, "flag": flag})


def drilldown_trend(indicator: str, org_unit: str, *, period: str | None = None) -> str:
    """Fragment: the trend of ``indicator`` at ``org_unit`` (loaded into the drill-down and indicator pages)."""
    return with_query(_path("drill", indicator, org_unit, "trend"), {"period": period})


def map_layer(org_unit: str) -> str:
    """GeoJSON of the children of ``org_unit`` (polygons, a parent outline for points, or a grid)."""
    return _path("maps", f"{org_unit}.geojson")


def flags(*, department: str | None = None, org_unit: str | None = None, severity: str | None = None,
          age: str | None = None, status: str | None = None, page: int | None = None) -> str:
    """The red-flag inbox, filtered."""
    return with_query("/flags", {"department": department, "org_unit": org_unit, "severity": severity,
                                 "age": age, "status": status, "page": page if page and page > 1 else None})


def flag(flag_id: int) -> str:
    """Open a flag: it lands on the drill-down with its root cause highlighted."""
    return _path("flags", str(flag_id))


def flag_root_cause(flag_id: int) -> str:
    """The whole root cause of a flag, level by level."""
    return _path("flags", str(flag_id), "root-cause")


def new_action(flag_id: int) -> str:
    """Start an action on a flag (the actions pages own this form)."""
    return with_query("/actions/new", {"flag": flag_id})


def wall(*, views: Iterable[str] = (), every: int | None = None) -> str:
    """The video wall, rotating through ``views`` every ``every`` seconds."""
    return with_query("/wall", {"view": list(views), "every": every})


def wall_view(view: str) -> str:
    """Fragment: one view of the wall (``overview``, ``flags``, ``department:HEALTH``, ``indicator:X``...)."""
    return _path("wall", "views", view)


def export(table: str, fmt: str, params: Mapping[str, QueryValue]) -> str:
    """A table of a page as a file: ``fmt`` is ``csv`` or ``xlsx``; ``params`` are the page's own."""
    return with_query(_path("export", f"{table}.{fmt}"), params)


# --- JSON twins -----------------------------------------------------------------------------------------


def api_children(indicator: str, org_unit: str, period: str) -> str:
    """The values of an org unit and its children as JSON (``Drilldown``: values without targets or status)."""
    return with_query(f"{API}/values/children", {"indicator": indicator, "org_unit": org_unit, "period": period})


def api_rankings(indicator: str, org_unit: str, period: str) -> str:
    """The drill-down's numbers as JSON: the same ``Ranking`` the page shows (for an indicator with a better
    direction; a neutral one is not ranked by the API)."""
    return with_query(f"{API}/rankings", {"indicator": indicator, "org_unit": org_unit, "period": period})


def api_series(indicator: str, org_unit: str, *, first: str, last: str, period_type: str) -> str:
    return with_query(f"{API}/values/series", {"indicator": indicator, "org_unit": org_unit, "first": first,
                                               "last": last, "period_type": period_type})


def api_indicator(code: str) -> str:
    return _path("api", "v1", "indicators", code)
