"""The catalogue file format: what it accepts, how it names what is wrong, and YAML / CSV round trips."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from govpulse.catalog.io.csv_files import (
    dump_data_elements_csv,
    dump_indicators_csv,
    load_data_elements_csv,
    load_indicators_csv,
)
from govpulse.catalog.io.errors import CatalogError
from govpulse.catalog.io.schema import (
    CatalogFile,
    DataElement,
    Indicator,
    catalog_to_yaml,
    dump_catalog,
    dump_catalog_dir,
    find_catalog_issues,
    load_catalog_dir,
    load_catalog_file,
)
from govpulse.core.enums import AggregationType, OrgUnitKind, Polarity, ValueType

HEALTH = """\
departments:
  - code: HEALTH
    name: Health and Family Welfare
    names: {gu: "આરોગ્ય અને પરિવાર કલ્યાણ", hi: "स्वास्थ्य एवं परिवार कल्याण"}
    description: Hospitals and public health.
data_elements:
  - code: hlt_inst_deliveries
    name: Institutional deliveries
    department: HEALTH
    value_type: INTEGER_ZERO_OR_POSITIVE
    aggregation_type: SUM
    period_type: Monthly
    reported_at: [village]
    min: 0
    unit: deliveries
  - code: hlt_total_deliveries
    name: Deliveries reported
    department: HEALTH
    reported_at: [village, ulb]
indicators:
  - code: HLT_INST_DELIVERY_PCT
    name: Institutional deliveries (%)
    names: {gu: "સંસ્થાકીય પ્રસૂતિ (%)"}
    department: HEALTH
    theme: Maternal health
    numerator: "#{hlt_inst_deliveries}"
    denominator: "#{hlt_total_deliveries}"
    factor: 100
    unit: "%"
    decimals: 1
    polarity: higher
    weight: 2
    target: 95
    thresholds: {basis: percent_of_target, green: 95, amber: 80}
    source_system: HMIS
constants:
  - code: days_in_year
    value: 365
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(error: pytest.ExceptionInfo[CatalogError]) -> list[str]:
    return [str(issue) for issue in error.value.issues]


def test_a_complete_file_loads_with_every_field(tmp_path: Path) -> None:
    catalog = load_catalog_file(write(tmp_path, "health.yaml", HEALTH))

    assert catalog.department_codes() == ["HEALTH"]
    assert catalog.departments[0].names["gu"] == "આરોગ્ય અને પરિવાર કલ્યાણ"
    total = catalog.data_elements[1]
    assert total.value_type is ValueType.INTEGER_ZERO_OR_POSITIVE  # defaults
    assert total.aggregation_type is AggregationType.SUM
    assert total.reported_at == [OrgUnitKind.VILLAGE, OrgUnitKind.ULB]
    indicator = catalog.indicators[0]
    assert indicator.polarity is Polarity.HIGHER_IS_BETTER
    assert (indicator.factor, indicator.decimals, indicator.weight, indicator.target) == (100, 1, 2, 95)
    assert indicator.thresholds is not None and indicator.thresholds.basis == "percent_of_target"
    assert catalog.constants[0].value == 365


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        ("code: HEALTH", "code: Health-1", "departments[0].code", "capital letters"),
        ("code: hlt_total_deliveries", "code: Hlt_Total", "data_elements[1].code", "small letters"),
        ("code: HLT_INST_DELIVERY_PCT", "code: hlt inst", "indicators[0].code", "capital letters"),
        ("reported_at: [village]", "reported_at: [hamlet]", "data_elements[0].reported_at[0]", "hamlet"),
        ("reported_at: [village]", "reported_at: []", "data_elements[0].reported_at", "at least 1"),
        ("aggregation_type: SUM", "aggregation_type: TOTAL", "data_elements[0].aggregation_type", "TOTAL"),
        ("period_type: Monthly", "period_type: Fortnightly", "data_elements[0].period_type", "Fortnightly"),
        ("min: 0", "min: 0\n    max: -1", "data_elements[0].max", "below min"),
        ("factor: 100", "factor: 0", "indicators[0].factor", "greater than 0"),
        ("decimals: 1", "decimals: 5", "indicators[0].decimals", "less than or equal to 4"),
        ("polarity: higher", "polarity: up", "indicators[0].polarity", "'higher', 'lower' or 'neutral'"),
        ("weight: 2", "weight: -1", "indicators[0].weight", "greater than or equal to 0"),
        ('numerator: "#{hlt_inst_deliveries}"', 'numerator: "#{hlt_inst_deliveries} +"', "indicators[0].numerator",
         "at position 24"),
        ("theme: Maternal health", "colour: red", "indicators[0].colour", "unknown field"),
        ("hi: \"स्वास्थ्य एवं परिवार कल्याण\"", "Hindi: x", "departments[0].names.Hindi", "language code"),
        ("    name: Deliveries reported\n", "", "data_elements[1].name", "required field is missing"),
    ],
)
def test_a_field_error_names_the_file_the_yaml_path_and_the_problem(
    tmp_path: Path, old: str, new: str, path: str, words: str
) -> None:
    assert old in HEALTH
    file = write(tmp_path, "health.yaml", HEALTH.replace(old, new, 1))

    with pytest.raises(CatalogError) as error:
        load_catalog_file(file)

    [problem] = [p for p in problems(error) if path + ":" in p]
    assert problem.startswith(f"{file}: {path}: ")
    assert words in problem


@pytest.mark.parametrize(
    ("bands", "polarity", "target", "words"),
    [
        ("{basis: absolute, green: 80, amber: 90}", "higher", "95", "green (80) must be >= amber (90)"),
        ("{basis: absolute, green: 30, amber: 20}", "lower", "25", "green (30) must be <= amber (20)"),
        ("{basis: absolute, green: 30, amber: 20}", "neutral", "25", "cannot have thresholds"),
        ("{basis: percent_of_target, green: 95, amber: 80}", "higher", "null", "needs a target"),
        ("{basis: relative, green: 95, amber: 80}", "higher", "95", "'absolute' or 'percent_of_target'"),
    ],
)
def test_thresholds_must_suit_the_polarity_and_target(
    tmp_path: Path, bands: str, polarity: str, target: str, words: str
) -> None:
    text = (HEALTH.replace("thresholds: {basis: percent_of_target, green: 95, amber: 80}", f"thresholds: {bands}")
            .replace("polarity: higher", f"polarity: {polarity}").replace("target: 95", f"target: {target}"))

    with pytest.raises(CatalogError) as error:
        load_catalog_file(write(tmp_path, "health.yaml", text))

    assert any("indicators[0].thresholds" in p and words in p for p in problems(error)), problems(error)


def test_lower_is_better_bands_in_rising_order_are_accepted(tmp_path: Path) -> None:
    text = (HEALTH.replace("polarity: higher", "polarity: lower")
            .replace("{basis: percent_of_target, green: 95, amber: 80}", "{basis: absolute, green: 20, amber: 28}"))

    indicator = load_catalog_file(write(tmp_path, "health.yaml", text)).indicators[0]

    assert indicator.polarity is Polarity.LOWER_IS_BETTER
    assert (indicator.thresholds.green, indicator.thresholds.amber) == (20, 28)


def test_unknown_department_is_named_for_each_item(tmp_path: Path) -> None:
    text = HEALTH.replace("department: HEALTH", "department: HEALTH_DEPT")

    with pytest.raises(CatalogError) as error:
        load_catalog_file(write(tmp_path, "health.yaml", text))

    assert sorted(p.split(": ")[1] for p in problems(error)) == [
        "data_elements[0].department", "data_elements[1].department", "indicators[0].department"]
    assert all("unknown department 'HEALTH_DEPT'" in p for p in problems(error))


def test_an_unknown_data_element_is_named_with_its_position_in_the_expression(tmp_path: Path) -> None:
    text = HEALTH.replace('denominator: "#{hlt_total_deliveries}"',
                          'denominator: "#{hlt_total_deliveries} + #{hlt_home_deliveriez} * C{days}"')

    with pytest.raises(CatalogError) as error:
        load_catalog_file(write(tmp_path, "health.yaml", text))

    assert problems(error) == [
        f"{tmp_path / 'health.yaml'}: indicators[0].denominator: unknown data element 'hlt_home_deliveriez' at "
        "position 26 in '#{hlt_total_deliveries} + #{hlt_home_deliveriez} * C{days}'",
        f"{tmp_path / 'health.yaml'}: indicators[0].denominator: unknown constant 'days' at "
        "position 51 in '#{hlt_total_deliveries} + #{hlt_home_deliveriez} * C{days}'",
    ]


def test_a_known_constant_may_be_used(tmp_path: Path) -> None:
    text = HEALTH.replace('factor: 100', 'factor: 100').replace(
        'numerator: "#{hlt_inst_deliveries}"', 'numerator: "#{hlt_inst_deliveries} * C{days_in_year}"')

    catalog = load_catalog_file(write(tmp_path, "health.yaml", text))

    assert catalog.indicators[0].numerator == "#{hlt_inst_deliveries} * C{days_in_year}"


def test_duplicate_codes_in_one_file_point_at_the_first(tmp_path: Path) -> None:
    text = HEALTH.replace("code: hlt_total_deliveries", "code: hlt_inst_deliveries")

    with pytest.raises(CatalogError) as error:
        load_catalog_file(write(tmp_path, "health.yaml", text))

    assert any("data_elements[1].code: duplicate data element code 'hlt_inst_deliveries', already defined at "
               f"{tmp_path / 'health.yaml'}: data_elements[0]" in p for p in problems(error))


def test_a_directory_merges_files_that_refer_to_each_other(tmp_path: Path) -> None:
    head, indicators = HEALTH.split("indicators:\n")
    write(tmp_path, "health.yaml", head)
    write(tmp_path, "health_indicators.yml", "indicators:\n" + indicators)
    (tmp_path / "README.txt").write_text("not a catalogue file")

    catalog = load_catalog_dir(tmp_path)

    assert [i.code for i in catalog.indicators] == ["HLT_INST_DELIVERY_PCT"]
    assert len(catalog.data_elements) == 2
    with pytest.raises(CatalogError) as error:  # alone, the indicators file names what it lacks
        load_catalog_file(tmp_path / "health_indicators.yml")
    assert any("unknown department 'HEALTH'" in p for p in problems(error))


def test_a_code_defined_in_two_files_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "health.yaml", HEALTH)
    write(tmp_path, "wcd.yaml", """\
        departments:
          - code: WCD
            name: Women and Child Development
        data_elements:
          - code: wcd_children_weighed
            name: Children weighed
            department: WCD
            reported_at: [village]
          - code: hlt_total_deliveries
            name: Deliveries reported (ICDS)
            department: WCD
            reported_at: [village]
        """)

    with pytest.raises(CatalogError) as error:
        load_catalog_dir(tmp_path)

    [problem] = problems(error)
    assert problem == (f"{tmp_path / 'wcd.yaml'}: data_elements[1].code: duplicate data element code "
                       f"'hlt_total_deliveries', already defined at {tmp_path / 'health.yaml'}: data_elements[1]")


def test_problems_of_every_file_in_a_directory_are_reported_together(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "departments:\n  - code: a\n    name: A\n")
    write(tmp_path, "b.yaml", "departments: [oops\n")

    with pytest.raises(CatalogError) as error:
        load_catalog_dir(tmp_path)

    assert [issue.file for issue in error.value.issues] == [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]
    assert error.value.issues[1].location.startswith("line 2")
    assert "invalid YAML" in error.value.issues[1].message


@pytest.mark.parametrize(
    ("text", "words"), [("- just a list\n", "must be a mapping"), ("indicators: 12\n", "valid list")]
)
def test_a_file_of_the_wrong_shape_is_rejected(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(CatalogError) as error:
        load_catalog_file(write(tmp_path, "x.yaml", text))
    assert words in str(error.value)


def test_an_empty_directory_or_empty_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no .yaml or .yml files"):
        load_catalog_dir(tmp_path)
    assert load_catalog_file(write(tmp_path, "empty.yaml", "")) == CatalogFile()


def test_validating_a_model_directly_checks_references_too() -> None:
    with pytest.raises(ValidationError, match=r"indicators\[0\]\.numerator: unknown data element 'x'"):
        CatalogFile.model_validate({
            "departments": [{"code": "D", "name": "D"}],
            "indicators": [{"code": "I", "name": "I", "department": "D", "numerator": "#{x}"}],
        })


def test_yaml_round_trip_keeps_everything(tmp_path: Path) -> None:
    catalog = load_catalog_file(write(tmp_path, "health.yaml", HEALTH))

    again = load_catalog_file(dump_catalog(catalog, tmp_path / "out.yaml", header="Demo\nsecond line"))

    assert again == catalog
    text = (tmp_path / "out.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Demo\n# second line\n\ndepartments:\n  - code: HEALTH\n")
    assert "factor: 100\n" in text and "આરોગ્ય" in text  # whole numbers without ".0", letters unescaped


def test_dump_by_department_reads_back_as_the_same_catalogue(tmp_path: Path) -> None:
    catalog = load_catalog_file(write(tmp_path, "health.yaml", HEALTH))

    written = dump_catalog_dir(catalog, tmp_path / "split", header="{department}")

    assert [p.name for p in written] == ["health.yaml", "constants.yaml"]
    assert written[0].read_text(encoding="utf-8").startswith("# Health and Family Welfare\n")
    assert load_catalog_dir(tmp_path / "split") == catalog


# --------------------------------------------------------------------------------------------------
# CSV


def test_csv_round_trip_of_indicators_and_data_elements(tmp_path: Path) -> None:
    catalog = load_catalog_file(write(tmp_path, "health.yaml", HEALTH))

    indicators = load_indicators_csv(dump_indicators_csv(catalog.indicators, tmp_path / "i.csv"))
    elements = load_data_elements_csv(dump_data_elements_csv(catalog.data_elements, tmp_path / "d.csv"))

    assert indicators == catalog.indicators
    assert elements == catalog.data_elements
    header = (tmp_path / "i.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:5] == ["code", "name", "name_gu", "name_hi", "name_ml"]
    assert {"threshold_basis", "threshold_green", "threshold_amber"} <= set(header)
    assert "village;ulb" in (tmp_path / "d.csv").read_text(encoding="utf-8-sig")


def test_csv_errors_name_the_file_row_and_column(tmp_path: Path) -> None:
    file = tmp_path / "indicators.csv"
    file.write_text(
        "code,name,name_gu,department,numerator,denominator,factor,decimals,polarity,threshold_basis,"
        "threshold_green,threshold_amber,target\n"
        "EDU_A,Attendance,હાજરી,EDUCATION,#{a},#{b},100,1,higher,absolute,90,80,\n"
        "EDU_B,Dropout,,EDUCATION,#{c},#{d},100,7,lower,absolute,90,80,\n"
        "EDU_A,Again,,EDUCATION,#{a} +,1,1,0,higher,,,,\n",
        encoding="utf-8",
    )

    with pytest.raises(CatalogError) as error:
        load_indicators_csv(file)

    assert problems(error) == [
        f"{file}: row 3, column decimals: Input should be less than or equal to 4 (got '7')",
        f"{file}: row 3, column threshold_basis/threshold_green/threshold_amber: green (90) must be <= amber (80) "
        "when lower is better",
        f"{file}: row 4, column numerator: expression ends after '+' (expected a value) at position 6 in '#{{a}} +'",
    ]


def test_csv_duplicate_codes_and_unknown_columns(tmp_path: Path) -> None:
    file = tmp_path / "elements.csv"
    file.write_text("code,name,department,reported_at\nx_a,A,D,village\nx_b,B,D,taluka school\nx_a,C,D,ward\n")
    with pytest.raises(CatalogError) as error:
        load_data_elements_csv(file)
    assert problems(error) == [f"{file}: row 4, column code: duplicate code 'x_a', already used in row 2"]

    file.write_text("code,name,colour\nx_a,A,red\n")
    with pytest.raises(CatalogError, match=r"row 1: unknown column 'colour'"):
        load_data_elements_csv(file)


def test_csv_reads_spreadsheet_exports(tmp_path: Path) -> None:
    """Excel's byte-order mark, blank trailing lines and lists separated by commas or spaces are accepted."""
    file = tmp_path / "elements.csv"
    file.write_bytes("\ufeffcode,name,department,reported_at,name_gu\r\nx_a,A,D,\"village, ulb\",ક\r\n,,,,\r\n"
                     .encode("utf-8"))

    [element] = load_data_elements_csv(file)

    assert element.reported_at == [OrgUnitKind.VILLAGE, OrgUnitKind.ULB]
    assert element.names == {"gu": "ક"}


# --------------------------------------------------------------------------------------------------
# Round trips of arbitrary valid content

_TEXT = st.text(
    alphabet=st.sampled_from("abcXYZ019 _-.,:;'\"#%&()[]{}*/+?!@\\|<>=~`$^આરોગ્યનીમહિલાबालകുട്ടി"),
    min_size=1, max_size=40,
).map(str.strip).filter(bool)
_NUMBER = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@st.composite
def indicators(draw: st.DrawFn) -> Indicator:
    polarity = draw(st.sampled_from(list(Polarity)))
    bands = None
    if polarity is not Polarity.NEUTRAL and draw(st.booleans()):
        low, high = sorted(draw(st.lists(_NUMBER, min_size=2, max_size=2)))
        green, amber = (high, low) if polarity is Polarity.HIGHER_IS_BETTER else (low, high)
        bands = {"basis": "absolute", "green": green, "amber": amber}
    return Indicator(
        code=draw(st.from_regex(r"[A-Z][A-Z0-9_]{0,20}", fullmatch=True)),
        name=draw(_TEXT),
        names=draw(st.dictionaries(st.sampled_from(["gu", "hi", "ml", "ta"]), _TEXT, max_size=3)),
        department="D",
        theme=draw(st.one_of(st.just(""), _TEXT)),
        numerator="#{a} + #{b}",
        denominator=draw(st.sampled_from(["1", "#{b}", "(#{a} - #{b}) * 2.5"])),
        factor=draw(st.floats(min_value=1e-6, max_value=1e6)),
        unit=draw(st.sampled_from(["", "%", "per 1,000", "Rs lakh"])),
        decimals=draw(st.integers(0, 4)),
        polarity=polarity,
        weight=draw(st.floats(min_value=0, max_value=100)),
        target=draw(st.one_of(st.none(), _NUMBER)),
        thresholds=bands,
        description=draw(st.one_of(st.just(""), _TEXT, _TEXT.map(lambda t: t + "\nsecond line"))),
        source_system=draw(st.one_of(st.just(""), _TEXT)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(indicators(), min_size=1, max_size=5, unique_by=lambda i: i.code))
def test_any_valid_catalogue_survives_yaml_and_csv_round_trips(tmp_path: Path, items: list[Indicator]) -> None:
    catalog = CatalogFile(
        departments=[{"code": "D", "name": "D"}],
        data_elements=[DataElement(code=code, name=code, department="D", reported_at=["district"]) for code in "ab"],
        indicators=items,
    )
    assert find_catalog_issues(catalog) == []

    assert load_catalog_file(dump_catalog(catalog, tmp_path / "c.yaml")) == catalog
    assert load_indicators_csv(dump_indicators_csv(items, tmp_path / "i.csv")) == items
    assert catalog_to_yaml(catalog) == catalog_to_yaml(load_catalog_file(tmp_path / "c.yaml"))
