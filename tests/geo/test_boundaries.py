"""Which shipped boundary is which org unit's (``govpulse.geo``): joined by code, Census 2011 code or name, the
same shapes the demo's tree builder tags, and the dashboard's maps read them without the demo."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest

from govpulse.demo.geography import load_geography
from govpulse.geo.boundaries import BoundaryIndex, state_boundaries
from govpulse.geo.files import read_layer
from govpulse.geo.layers import SHIPPED, Layer
from govpulse.geo.names import name_key


@dataclass(frozen=True)
class Unit:
    code: str
    kind: str
    name: str
    census_code: str | None = None


def _square(x: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}


def _collection(*features: tuple[dict, dict]) -> dict:
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": props, "geometry": geometry} for props, geometry in features]}


def test_a_unit_is_found_by_code_then_census_code_then_name():
    districts = Layer("d", "district", code="lgd", census="census", name="name")
    wards = Layer("w", "ward", city="251096", number="Name", number_first_word=True)
    index = BoundaryIndex.of([
        (districts, _collection(({"lgd": 438, "census": "474", "name": "Ahmedabad"}, _square(0)),
                                ({"census": "726", "name": "Botad"}, _square(1)),
                                ({"name": "Aravalli"}, _square(2)),
                                ({"lgd": "999", "name": "A point"}, {"type": "Point", "coordinates": [0, 0]}))),
        (wards, _collection(({"Name": "12 Naranpura"}, _square(3)), ({"Name": "Unnumbered"}, _square(4)))),
    ])
    assert index.shape_of(Unit("438", "district", "Anything")) == _square(0)  # its own code
    assert index.shape_of(Unit("676", "district", "Botad", census_code="726")) == _square(1)  # Census 2011 code
    assert index.shape_of(Unit("672", "district", "Arvalli")) == _square(2)  # name, with LGD's spelling
    assert index.shape_of(Unit("672", "taluka", "Arvalli")) is None  # names and census codes are per kind
    assert index.shape_of(Unit("999", "district", "A point")) is None  # only polygons are shapes
    assert index.shape_of(Unit("251096W0012", "ward", "Naranpura")) == _square(3)  # the city's ward 12
    assert index.shape_of(Unit("251096W0000", "ward", "Unnumbered")) is None
    assert name_key("Chhota Udaipur") == name_key("CHHOTAUDEPUR") == "chhotaudepur"


def test_a_state_without_shipped_maps_has_an_empty_index():
    assert not state_boundaries("99")
    assert state_boundaries("24") and state_boundaries("24") is state_boundaries("24")  # read once


def test_a_missing_file_is_named():
    with pytest.raises(FileNotFoundError, match="no_such.geo.json.gz"):
        read_layer("no_such.geo.json.gz")


@pytest.mark.parametrize("state", ["gujarat", "kerala"])
def test_every_unit_gets_the_shape_the_demo_tags_for_it_and_no_other(state):
    """The demo joins features to its tree with the LGD tables; the index joins them with what each org unit
    carries. Over every unit of the state's tree (districts, talukas, villages, towns, ULBs, wards) the two
    agree: the same polygon, or none for both."""
    geography = load_geography(state)
    tagged: dict[str, dict] = {}
    for collection in geography.boundaries.values():
        for feature in collection["features"]:
            code, geometry = feature["properties"].get("org_unit"), feature.get("geometry") or {}
            if code and geometry.get("type") in ("Polygon", "MultiPolygon"):
                tagged.setdefault(str(code), geometry)
    index = state_boundaries(next(r.code for r in geography.records if r.kind == "state"))
    found = {r.code: shape for r in geography.records if (shape := index.shape_of(r)) is not None}
    assert found.keys() == tagged.keys()
    assert all(found[code] == tagged[code] for code in tagged)
    assert len(found) == {"gujarat": 33 + 48 + 12, "kerala": 14 + 63 + 71}[state]


def test_every_shipped_file_is_read():
    for layers in SHIPPED.values():
        for layer in layers:
            assert read_layer(layer.file)["features"], layer.file


def test_the_dashboards_maps_do_not_import_the_demo():
    """The web layer reads the boundaries through ``govpulse.geo``; drawing a district's map loads no demo module."""
    script = (
        "import sys\n"
        "from types import SimpleNamespace as U\n"
        "import govpulse.web.app\n"
        "from govpulse.web.ui.maps import children_map\n"
        "state = U(code='24', name='Gujarat', kind='state', path='/24/', census_code=None)\n"
        "surat = U(code='459', name='Surat', kind='district', path='/24/459/', census_code='492',\n"
        "          latitude=21.2, longitude=73.0)\n"
        "layer = children_map(state, [surat])\n"
        "assert layer.layout == 'polygons' and layer.missing == (), layer\n"
        "print(sorted(m for m in sys.modules if m.startswith('govpulse.demo')))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_gujarat_districts_are_found_by_their_lgd_code_alone():
    """A tree with LGD codes and no Census codes (tests/access/world.py's "Kachchh", which the map calls
    "Kutch") still gets every district's shape, the seven districts made after 2011 included."""
    index = state_boundaries("24")
    kutch = index.shape_of(Unit("449", "district", "Kachchh"))
    assert kutch is not None and kutch == index.by_census[("district", "468")]
    assert index.shape_of(Unit("676", "district", "Botad")) == index.by_census[("district", "726")]
    assert index.shape_of(Unit("999", "district", "Nowhere")) is None
