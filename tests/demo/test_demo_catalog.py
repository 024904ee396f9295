"""The demo catalogue shipped with govpulse, and resizing it with ``scale_catalog``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from govpulse.catalog.io.csv_files import (
    dump_data_elements_csv,
    dump_indicators_csv,
    load_data_elements_csv,
    load_indicators_csv,
)
from govpulse.catalog.io.schema import (
    CatalogFile,
    dump_catalog,
    dump_catalog_dir,
    load_catalog_dir,
    load_catalog_file,
    referenced_data_elements,
)
from govpulse.core.enums import OrgUnitKind, Polarity
from govpulse.core.periods import PeriodType
from govpulse.demo.catalog import DEMO_CATALOG_DIR, load_demo_catalog
from govpulse.demo.catalog.scale import scale_catalog

DEPARTMENTS = 26


@pytest.fixture(scope="module")
def demo() -> CatalogFile:
    return load_demo_catalog()


@pytest.fixture(scope="module")
def scaled(demo: CatalogFile) -> CatalogFile:
    return scale_catalog(demo, 4500)


def by_code(items: list) -> dict:
    return {item.code: item for item in items}


# --------------------------------------------------------------------------------------------------
# The shipped files


def test_one_file_per_department() -> None:
    files = sorted(p.name for p in DEMO_CATALOG_DIR.glob("*.yaml"))
    catalog = load_catalog_dir(DEMO_CATALOG_DIR)

    assert len(files) == DEPARTMENTS + 2  # plus constants.yaml and census.yaml
    assert {f"{code.lower()}.yaml" for code in catalog.department_codes()} == set(files) - {"constants.yaml", "census.yaml"}


def test_sizes(demo: CatalogFile) -> None:
    assert len(demo.departments) == DEPARTMENTS
    assert 300 <= len(demo.indicators) <= 340
    assert 400 <= len(demo.data_elements) <= 570
    per_department = Counter(i.department for i in demo.indicators if not i.code.startswith("CEN_"))
    assert set(per_department) == set(demo.department_codes())
    assert all(8 <= count <= 22 for count in per_department.values()), per_department


def test_each_file_holds_one_department_and_only_its_own_items() -> None:
    for path in DEMO_CATALOG_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name == "constants.yaml":
            assert set(data) == {"constants"}
            continue
        if path.name == "census.yaml":  # the Census 2011 baseline, kept by the Planning division of GAD
            assert {item["department"] for item in data["data_elements"] + data["indicators"]} == {"GAD"}
            continue
        [department] = data["departments"]
        assert path.stem == department["code"].lower()
        items = data["data_elements"] + data["indicators"]
        assert {item["department"] for item in items} == {department["code"]}, path.name


def test_every_indicator_uses_existing_data_elements_and_every_data_element_is_used(demo: CatalogFile) -> None:
    known = set(by_code(demo.data_elements))
    for indicator in demo.indicators:
        used = referenced_data_elements([indicator])
        assert used, indicator.code
        assert used <= known, indicator.code
    assert referenced_data_elements(demo.indicators) == known


def test_names_in_gujarati_hindi_and_malayalam(demo: CatalogFile) -> None:
    for department in demo.departments:
        assert set(department.names) >= {"gu", "hi", "ml"}, department.code
        assert any("\u0a80" <= ch <= "\u0aff" for ch in department.names["gu"]), department.code  # Gujarati script
        assert any("\u0900" <= ch <= "\u097f" for ch in department.names["hi"]), department.code  # Devanagari
        assert any("\u0d00" <= ch <= "\u0d7f" for ch in department.names["ml"]), department.code  # Malayalam
    for indicator in demo.indicators:
        assert any("\u0a80" <= ch <= "\u0aff" for ch in indicator.names.get("gu", "")), indicator.code


def test_indicators_are_described_and_sourced(demo: CatalogFile) -> None:
    for indicator in demo.indicators:
        assert indicator.theme and indicator.description and indicator.source_system, indicator.code
    assert len({i.source_system for i in demo.indicators}) >= 60  # many e-governance applications feed it


def test_codes_carry_a_prefix_per_department(demo: CatalogFile) -> None:
    prefixes: dict[str, set[str]] = {}
    for item in [*demo.indicators, *demo.data_elements]:
        if item.code.upper().startswith(("CEN_", "CENSUS_")):  # census.yaml: Census 2011 codes of its own
            continue
        prefixes.setdefault(item.department, set()).add(item.code.split("_")[0].upper())
    assert all(len(found) == 1 for found in prefixes.values()), prefixes
    assert len({found.pop() for found in prefixes.values()}) == DEPARTMENTS


def test_targets_thresholds_and_polarity_are_realistic(demo: CatalogFile) -> None:
    indicators = demo.indicators
    assert sum(i.target is not None for i in indicators) >= 0.8 * len(indicators)
    assert sum(i.thresholds is not None for i in indicators) >= 0.8 * len(indicators)
    polarity = Counter(i.polarity for i in indicators)
    assert polarity[Polarity.LOWER_IS_BETTER] >= 30
    assert polarity[Polarity.NEUTRAL] >= 3
    for indicator in indicators:
        if indicator.unit == "%" and indicator.target is not None:
            assert 0 <= indicator.target <= 100, indicator.code
        if indicator.polarity is Polarity.NEUTRAL:
            assert indicator.target is None and indicator.thresholds is None, indicator.code
    factors = Counter(i.factor for i in indicators)
    assert {1, 100, 1000, 100000} <= set(factors)


def test_reporting_frequency_and_levels_match_a_real_state(demo: CatalogFile) -> None:
    elements = demo.data_elements
    share = Counter(e.period_type for e in elements)
    assert 0.10 <= share[PeriodType.DAILY] / len(elements) <= 0.20
    assert share[PeriodType.MONTHLY] == max(share.values())
    assert share[PeriodType.QUARTERLY] and share[PeriodType.YEARLY] and share[PeriodType.WEEKLY]

    def fraction(*kinds: OrgUnitKind) -> float:
        return sum(any(k in e.reported_at for k in kinds) for e in elements) / len(elements)

    assert 0.08 <= fraction(OrgUnitKind.VILLAGE) <= 0.20
    assert 0.07 <= fraction(OrgUnitKind.ULB, OrgUnitKind.WARD) <= 0.15
    assert 0.05 <= fraction(OrgUnitKind.SCHOOL) <= 0.10
    assert fraction(OrgUnitKind.TALUKA, OrgUnitKind.DISTRICT) >= 0.6
    assert 0 < fraction(OrgUnitKind.STATE) <= 0.05


def test_what_a_cm_office_watches_is_there(demo: CatalogFile) -> None:
    codes = set(by_code(demo.indicators))
    for code in ["HLT_INST_DELIVERY_PCT", "HLT_FULL_IMMUNISATION_PCT", "HLT_AMB_20MIN_PCT", "HLT_BIRTH_REG_21D_PCT",
                 "EDU_STUDENT_ATTENDANCE_PCT", "EDU_DROPOUT_ELEMENTARY_PCT", "WCD_STUNTED_PCT",
                 "REV_MUTATION_30D_PCT", "WSS_FHTC_PCT", "ENE_ATC_LOSS_PCT", "UDD_PROPERTY_TAX_COLLECTION_PCT",
                 "HOM_DIAL112_RESPONSE_MINUTES", "RDD_NREGA_WAGES_15D_PCT", "FCS_GRAIN_DISTRIBUTED_PCT",
                 "GAD_SWAGAT_SLA_PCT", "GAD_JANSAMVAD_SATISFACTION_PCT", "TRN_BUS_ONTIME_PCT"]:
        assert code in codes
    atc = by_code(demo.indicators)["ENE_ATC_LOSS_PCT"]
    assert atc.polarity is Polarity.LOWER_IS_BETTER and "*" in atc.numerator and "/" in atc.numerator


# --------------------------------------------------------------------------------------------------
# Round trips


def test_yaml_round_trips(demo: CatalogFile, tmp_path: Path) -> None:
    assert load_catalog_file(dump_catalog(demo, tmp_path / "all.yaml")) == demo
    dump_catalog_dir(demo, tmp_path / "split")
    again = load_catalog_dir(tmp_path / "split")
    for section in ("departments", "data_elements", "indicators", "constants"):
        assert by_code(getattr(again, section)) == by_code(getattr(demo, section)), section


def test_csv_round_trips(demo: CatalogFile, tmp_path: Path) -> None:
    assert load_indicators_csv(dump_indicators_csv(demo.indicators, tmp_path / "i.csv")) == demo.indicators
    assert load_data_elements_csv(dump_data_elements_csv(demo.data_elements, tmp_path / "d.csv")) == demo.data_elements


# --------------------------------------------------------------------------------------------------
# scale_catalog


def test_scaling_up_gives_exactly_that_many_valid_indicators(demo: CatalogFile, scaled: CatalogFile) -> None:
    assert len(scaled.indicators) == 4500
    CatalogFile.model_validate(scaled.model_dump())  # every reference, code and field checks out again
    assert set(by_code(demo.indicators)) <= set(by_code(scaled.indicators))
    assert set(scaled.department_codes()) == set(demo.department_codes())
    assert referenced_data_elements(scaled.indicators) == set(by_code(scaled.data_elements))
    assert len(scaled.data_elements) > 4 * len(demo.data_elements)


def test_scaled_variants_are_named_breakdowns_over_their_own_data_elements(
    demo: CatalogFile, scaled: CatalogFile
) -> None:
    base = by_code(demo.indicators)
    variants = [i for i in scaled.indicators if i.code not in base]
    for variant in variants[::10]:
        parent = base[max((code for code in base if variant.code.startswith(code + "_")), key=len)]
        assert variant.department == parent.department and variant.polarity == parent.polarity
        assert variant.factor == parent.factor and variant.target == parent.target
        assert variant.name != parent.name and variant.names["gu"] != parent.names["gu"]
        new = referenced_data_elements([variant])
        assert not new & referenced_data_elements([parent])
        assert len(new) == len(referenced_data_elements([parent]))
    names = " ".join(v.name for v in variants)
    for label in ["(SC)", "(girls)", "(ST, ", " - PHC", " - UGVCL", " - primary (1-5)", "(rural)"]:
        assert label in names


def test_scaling_is_deterministic_and_depends_on_the_seed(demo: CatalogFile, scaled: CatalogFile) -> None:
    assert scale_catalog(demo, 4500) == scaled
    other = scale_catalog(demo, 4500, seed=7)
    assert len(other.indicators) == 4500
    assert [i.code for i in other.indicators] != [i.code for i in scaled.indicators]
    assert scale_catalog(demo, 50, seed=3) == scale_catalog(demo, 50, seed=3)


def test_scaling_down_keeps_every_department(demo: CatalogFile) -> None:
    small = scale_catalog(demo, 50)

    assert len(small.indicators) == 50
    assert {i.department for i in small.indicators} == set(demo.department_codes())
    assert referenced_data_elements(small.indicators) == set(by_code(small.data_elements))
    assert set(by_code(small.indicators)) <= set(by_code(demo.indicators))


@settings(max_examples=15, deadline=None)
@given(n=st.integers(min_value=DEPARTMENTS, max_value=400), seed=st.integers(0, 2**32))
def test_any_size_from_one_per_department_up(n: int, seed: int) -> None:
    catalog = scale_catalog(load_demo_catalog(), n, seed)
    assert len(catalog.indicators) == n
    assert len({i.department for i in catalog.indicators}) == DEPARTMENTS


def test_impossible_sizes_are_refused(demo: CatalogFile) -> None:
    with pytest.raises(ValueError, match="at least 26"):
        scale_catalog(demo, 25)
    with pytest.raises(ValueError, match="at most"):
        scale_catalog(demo, 100_000)
