"""``/maps/{org_unit}.geojson``: the shapes of an org unit's children in the reader's scope (see ``ui/maps.py``).

The answer is a GeoJSON FeatureCollection with two foreign members the page reads: ``layout`` (``polygons``,
``points`` or ``grid``) and ``missing`` (children the layout cannot draw). For ``points`` it holds the
parent's outline (polygons) and one Point feature per child. Only shapes, never values, so the browser
keeps it for an hour across indicators and periods.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.web.deps import ScopeDep, SessionDep
from govpulse.web.ui.maps import children_map

router = APIRouter(include_in_schema=False)

GEOJSON = "application/geo+json"


@router.get("/maps/{org_unit}.geojson")
def children_shapes(org_unit: str, session: SessionDep, scope: ScopeDep) -> JSONResponse:
    """The map layer of ``org_unit``'s children; 404 when the org unit is absent or outside the scope."""
    repo = OrgUnitRepository(session)
    parent = repo.get(org_unit, scope)
    if parent is None:
        raise HTTPException(status_code=404, detail=f"no org unit with code {org_unit!r}")
    layer = children_map(parent, repo.children(parent.code, scope))
    features = list(layer.geojson["features"])
    features += [{"type": "Feature", "properties": {"org_unit": code, "point": True},
                  "geometry": {"type": "Point", "coordinates": [lon, lat]}}
                 for code, (lon, lat) in layer.points.items()]
    body = {"type": "FeatureCollection", "layout": layer.layout, "missing": list(layer.missing),
            "features": features}
    return JSONResponse(body, media_type=GEOJSON, headers={"Cache-Control": "private, max-age=3600"})
