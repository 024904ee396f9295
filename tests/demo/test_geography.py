"""Tests for govpulse.demo.geography: the real Gujarat and Kerala trees against the Census and LGD files.

The expected numbers are read straight from the shipped CSV files here (plain csv module), not through the
loader, so a loader bug cannot hide behind its own reading code.
"""

import csv
import gzip
import re
from collections import Counter
from importlib import resources
from pathlib import Path

import pyarrow.compute as pc
import pytest

from govpulse.core.orgunits import OrgUnitTree
from govpulse.demo.census_units import read_census_state
from govpulse.demo.geodata import read_rows
from govpulse.demo.geography import CENSUS_DATA_ELEMENTS, load_geography
from govpulse.demo.naming import key, readable

DATA = Path(str(resources.files("govpulse.demo").joinpath("data")))
LEAF_KINDS = {"village", "town", "ulb"}

EXPECTED = {
    # state: (LGD code, census file, districts, talukas, villages, population, literacy %)
    "gujarat": ("24", "census2011_pca_gujarat.csv.gz", 33, 225, 18_225, 60_439_692, 78.03),
    "kerala": ("32", "census2011_pca_kerala.csv.gz", 14, 63, 1_018, 33_406_061, 94.00),
}


def shipped_rows(name):
    with gzip.open(DATA / name, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def state(request):
    geography = load_geography(request.param)
    tree, problems = OrgUnitTree.build(geography.records)
    return request.param, geography, tree, problems


@pytest.fixture(scope="module")
def gujarat():
    geography = load_geography("gujarat")
    tree, problems = OrgUnitTree.build(geography.records)
    assert problems == []
    return geography, tree


def values(geography, element):
    """{org unit code: value} of one data element."""
    table = geography.census.filter(pc.equal(geography.census["data_element"], element))
    return dict(zip(table["org_unit"].to_pylist(), table["value"].to_pylist(), strict=True))


def subtree_sum(tree, code, by_unit):
    return sum(by_unit.get(node.code, 0.0) for node in [tree[code], *tree.descendants(code)])


# --- the whole state ------------------------------------------------------------------------------------


def test_no_problems_at_all(state):
    _, geography, _, tree_problems = state
    assert geography.problems == []
    assert tree_problems == []


def test_counts_by_kind(state):
    name, _, tree, _ = state
    _, _, districts, talukas, villages, _, _ = EXPECTED[name]
    counts = tree.count_by_kind()
    assert (counts["state"], counts["district"], counts["taluka"], counts["village"]) == (
        1, districts, talukas, villages
    )
    assert [root.code for root in tree.roots()] == [EXPECTED[name][0]]


def test_villages_per_census_district_match_the_census_file(state):
    name, _, tree, _ = state
    rows = shipped_rows(EXPECTED[name][1])
    district_of_subdistrict = {r["Subdistt"]: r["District"] for r in rows if r["Level"] == "SUB-DISTRICT"}
    expected = Counter(r["District"] for r in rows if r["Level"] == "VILLAGE")
    villages = [node for node in tree.nodes() if node.kind == "village"]
    found = Counter(district_of_subdistrict[tree[node.parent_code].census_code] for node in villages)
    assert found == expected


def test_every_district_is_an_lgd_district_of_the_state(state):
    name, _, tree, _ = state
    rows = shipped_rows("lgd_districts_2022.csv.gz")
    lgd = {r["District Code"] for r in rows if r["State Code"] == EXPECTED[name][0]}
    in_tree = {node.code for node in tree.nodes() if node.kind == "district"}
    assert in_tree == lgd


def test_each_district_population_equals_its_talukas_census_totals(state):
    name, geography, tree, _ = state
    rows = shipped_rows(EXPECTED[name][1])
    subdistrict_total = {
        r["Subdistt"]: int(r["TOT_P"]) for r in rows if r["Level"] == "SUB-DISTRICT" and r["TRU"] == "Total"
    }
    population = values(geography, "census_population")
    for district in (node for node in tree.nodes() if node.kind == "district"):
        talukas = [n for n in tree.children(district.code) if n.kind == "taluka"]
        assert talukas, f"district {district.name} has no taluka"
        expected = sum(subdistrict_total[t.census_code] for t in talukas)
        assert subtree_sum(tree, district.code, population) == expected, district.name


def test_state_population_and_literacy_are_ratios_of_sums(state):
    name, geography, tree, _ = state
    *_, total, literacy = EXPECTED[name]
    population = values(geography, "census_population")
    children = values(geography, "census_population_0_6")
    literates = values(geography, "census_literates")
    assert subtree_sum(tree, tree.roots()[0].code, population) == total
    rate = 100 * sum(literates.values()) / (sum(population.values()) - sum(children.values()))
    assert round(rate, 2) == literacy


def test_census_values_sit_on_leaves_only_with_every_element(state):
    _, geography, tree, _ = state
    table = geography.census
    assert table.schema.names == ["org_unit", "data_element", "value"]
    assert str(table.schema.field("value").type) == "double"
    per_unit = Counter(table["org_unit"].to_pylist())
    assert set(per_unit.values()) == {len(CENSUS_DATA_ELEMENTS)}
    assert {tree[code].kind for code in per_unit} == LEAF_KINDS
    assert set(table["data_element"].to_pylist()) == set(CENSUS_DATA_ELEMENTS)
    with_census_code = {n.code for n in tree.nodes() if n.kind in LEAF_KINDS and n.census_code}
    assert set(per_unit) == with_census_code


def test_codes_follow_the_scheme(state):
    _, _, tree, _ = state
    patterns = {
        "state": r"\d{2}", "district": r"\d{3}", "taluka": r"\d{4}", "village": r"\d{6}",
        "ulb": r"\d{6}", "town": r"T\d{6}", "ward": r"\d{6}W\d{4}",
    }  # fmt: skip
    for node in tree.nodes():
        assert re.fullmatch(patterns[node.kind], node.code), node
        if node.kind == "ward":
            assert node.code.startswith(node.parent_code + "W")
        if node.kind in {"village", "town"}:
            assert tree[node.parent_code].kind == "taluka"
        if node.kind == "ulb":
            assert tree[node.parent_code].kind == "district"


def test_local_names_are_in_the_states_script(state):
    name, geography, _, _ = state
    language, script = {"gujarat": ("gu", "[\u0a80-\u0aff]"), "kerala": ("ml", "[\u0d00-\u0d7f]")}[name]
    named = [r for r in geography.records if r.names]
    assert named
    for record in named:
        assert set(record.names) == {language}
        assert re.search(script, record.names[language]), record


def test_map_features_name_units_of_the_tree(state):
    _, geography, tree, _ = state
    assert geography.boundaries["districts"]["features"]
    for layer, collection in geography.boundaries.items():
        tagged = [f["properties"]["org_unit"] for f in collection["features"] if "org_unit" in f["properties"]]
        assert tagged, layer
        assert all(code in tree for code in tagged), layer
        assert len(set(tagged)) == len(tagged), layer
    districts = [f["properties"].get("org_unit") for f in geography.boundaries["districts"]["features"]]
    assert sorted(districts) == sorted(n.code for n in tree.nodes() if n.kind == "district")


def test_districts_and_talukas_have_map_points_inside_the_state(state):
    name, _, tree, _ = state
    south, north, west, east = {"gujarat": (20.0, 24.8, 68.0, 74.6), "kerala": (8.1, 12.9, 74.8, 77.5)}[name]
    for node in tree.nodes():
        if node.kind in {"state", "district", "taluka"}:
            assert south < node.latitude < north and west < node.longitude < east, node


def test_notes_count_the_lgd_subdistricts_created_after_2011(state):
    name, geography, _, _ = state
    newer = {"gujarat": 45, "kerala": 15}[name]
    assert any(note.startswith(f"{newer} LGD sub-districts") for note in geography.notes)


def test_every_record_names_its_source(state):
    _, geography, _, _ = state
    assert all(re.search(r"\.gz (line|feature) \d+", r.source) for r in geography.records)


# --- Gujarat specifics ------------------------------------------------------------------------------------


def test_a_town_counts_its_outgrowths(gujarat):
    geography, tree = gujarat
    population = values(geography, "census_population")
    bhuj = tree["251047"]  # LGD ULB code of Bhuj; Census town 802445 has rows "(M)" 143,286 and "(M + OG)"
    assert (bhuj.kind, bhuj.census_code, bhuj.name) == ("ulb", "802445", "Bhuj Municipality")
    assert population["251047"] == 148_834


def test_a_city_across_two_talukas_adds_up_its_parts(gujarat):
    geography, tree = gujarat
    ahmedabad = tree["251096"]
    assert ahmedabad.name == "Ahmadabad Municipal Corporation"
    # "Ahmadabad (M Corp.)" in Ahmadabad City + "Ahmadabad (M Corp. + OG) (Part)" in Daskroi
    assert values(geography, "census_population")["251096"] == 5_577_940 + 55_987
    assert tree["277284"].name == "Ahmadabad Cantonment Board"  # LGD type 8, labelled "Municipal Council"


def test_districts_created_after_2011_get_their_talukas_from_lgd(gujarat):
    _, tree = gujarat
    morbi = tree["673"]
    assert morbi.name == "Morbi" and morbi.census_code is None
    talukas = {n.name for n in tree.children("673") if n.kind == "taluka"}
    assert talukas >= {"Morvi", "Wankaner", "Halvad"}  # LGD spells the taluka "Morvi"
    assert tree["253143"].parent_code == "674"  # Jamraval: Kalyanpur taluka is in Devbhumi Dwarka now


def test_municipal_wards_replace_census_wards_in_mapped_cities(gujarat):
    geography, tree = gujarat
    wards = tree.children("251096")
    assert len(wards) == 48 and all(w.kind == "ward" and w.latitude for w in wards)
    assert tree["251096W0001"].name == "Gota"
    assert len(tree.children("251209")) == 12  # Vadodara
    assert len(tree.children("251047")) == 14  # Bhuj keeps its 14 Census wards (OG ward 15 is not one)
    assert "census2011" in tree["251047W0001"].source


def test_census_towns_that_are_not_ulbs_hang_under_their_taluka(gujarat):
    _, tree = gujarat
    bopal = tree["T511685"]
    assert (bopal.name, bopal.kind, tree[bopal.parent_code].name) == ("Bopal (CT)", "town", "Daskroi")


def test_gujarati_names_come_from_lgd(gujarat):
    _, tree = gujarat
    assert tree["3725"].names == {"gu": "અંજાર"}  # Anjar: same spelling as its LGD block
    assert tree["3899"].names == {"gu": "વાઘોડીયા"}  # Vaghodia: block spelt WAGHODIA
    assert tree["3773"].names == {}  # Kalol Gandhinagar: no block close enough ("GANDHINAGAR" is another)
    assert tree["3775"].names == {"gu": "ગાંધીનગર"}


def test_readable_names():
    assert readable("PANCH MAHALS") == "Panch Mahals"
    assert readable("VADODARA(CITY AND RURAL)") == "Vadodara(City and Rural)"
    assert readable("savli") == "Savli"
    assert readable("Adalaj (CT)") == "Adalaj (CT)"
    assert readable("Mandvi surat") == "Mandvi Surat"
    assert key("Aravalli") == key("ARVALLI") and key("Chhota Udaipur") == key("CHHOTAUDEPUR")


def test_unknown_state_is_refused():
    with pytest.raises(ValueError, match="available: gujarat, kerala"):
        load_geography("bihar")


# --- the shipped data -------------------------------------------------------------------------------------


def test_shipped_data_is_small_attributed_and_has_no_school_lists():
    files = [p for p in DATA.iterdir() if p.suffix == ".gz"]
    assert sum(p.stat().st_size for p in files) < 5_000_000
    attribution = (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for path in files:
        assert path.name in attribution, f"{path.name} is not in ATTRIBUTION.md"
    assert not any("udise" in p.name.lower() or "school" in p.name.lower() for p in DATA.iterdir())


def test_shipped_lgd_files_hold_only_gujarat_and_kerala():
    for name in ["lgd_districts_2022.csv.gz", "lgd_subdistricts_2022.csv.gz", "lgd_urban_local_bodies_2022.csv.gz"]:
        assert {r["State Code"] for r in shipped_rows(name)} == {"24", "32"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_villages_and_counted_town_rows_equal_every_subdistrict_total(name):
    """The rule behind town values: per sub-district, each town's "+ OG" row (else its only row) counts."""
    census = read_census_state(read_rows(EXPECTED[name][1]))
    counted = Counter()
    for row in census.villages:
        counted[row["Subdistt"]] += int(row["TOT_P"])
    for town in census.towns.values():
        for row in town.rows:
            counted[row["Subdistt"]] += int(row["TOT_P"])
    totals = {code: int(row["TOT_P"]) for code, row in census.subdistrict_totals.items()}
    assert counted == totals
    assert len(totals) == EXPECTED[name][3]
