"""Choice sets: DHIS2 meanings of aggregation types, labels, colours, symbols, parsing."""

import math
import re

import pytest

from govpulse.core.enums import (
    AggregationType,
    ChoiceError,
    Combine,
    OrgUnitKind,
    Polarity,
    Rag,
    Severity,
    ValueType,
    readable_text_colour,
)

ALL_CHOICE_SETS = [AggregationType, Combine, Polarity, ValueType, Rag, OrgUnitKind, Severity]
HEX = re.compile(r"#[0-9A-F]{6}")

# (member, over time, over org units), written out from DHIS2's documentation rather than from our code.
DHIS2_MEANINGS = [
    (AggregationType.SUM, Combine.SUM, Combine.SUM),
    (AggregationType.AVERAGE, Combine.AVERAGE, Combine.AVERAGE),
    (AggregationType.AVERAGE_SUM_ORG_UNIT, Combine.AVERAGE, Combine.SUM),
    (AggregationType.LAST, Combine.LAST, Combine.SUM),
    (AggregationType.LAST_AVERAGE_ORG_UNIT, Combine.LAST, Combine.AVERAGE),
    (AggregationType.LAST_IN_PERIOD, Combine.LAST, Combine.SUM),
    (AggregationType.LAST_IN_PERIOD_AVERAGE_ORG_UNIT, Combine.LAST, Combine.AVERAGE),
    (AggregationType.FIRST, Combine.FIRST, Combine.SUM),
    (AggregationType.FIRST_AVERAGE_ORG_UNIT, Combine.FIRST, Combine.AVERAGE),
    (AggregationType.MIN, Combine.MIN, Combine.MIN),
    (AggregationType.MAX, Combine.MAX, Combine.MAX),
    (AggregationType.COUNT, Combine.COUNT, Combine.COUNT),
    (AggregationType.NONE, Combine.NONE, Combine.NONE),
]


@pytest.mark.parametrize(("member", "over_time", "over_org_units"), DHIS2_MEANINGS)
def test_aggregation_type_combines_as_dhis2_documents(member, over_time, over_org_units):
    assert (member.over_time, member.over_org_units) == (over_time, over_org_units)


def test_every_aggregation_type_has_a_documented_meaning():
    assert {row[0] for row in DHIS2_MEANINGS} == set(AggregationType)


def test_aggregation_values_are_dhis2_names():
    assert [member.value for member in AggregationType] == [member.name for member in AggregationType]
    assert AggregationType.LAST.label == "Last value (sum in org unit hierarchy)"


def test_aggregation_docstring_table_names_every_member():
    for member in AggregationType:
        assert re.search(rf"^\s+{member.value}\s", AggregationType.__doc__, re.MULTILINE), member


def test_only_dhis2_last_value_looks_before_the_period():
    looking = {member for member in AggregationType if member.looks_before_period}
    assert looking == {AggregationType.LAST, AggregationType.LAST_AVERAGE_ORG_UNIT}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sum", AggregationType.SUM),
        ("  Average_Sum_Org_Unit ", AggregationType.AVERAGE_SUM_ORG_UNIT),
        ("LAST_IN_PERIOD", AggregationType.LAST_IN_PERIOD),
    ],
)
def test_aggregation_type_parses_ignoring_case_and_spaces(text, expected):
    assert AggregationType.parse(text) is expected


def test_parse_error_names_the_text_and_lists_accepted_values():
    with pytest.raises(ChoiceError) as caught:
        AggregationType.parse("median")
    message = str(caught.value)
    assert "unknown aggregation type 'median'" in message
    assert all(member.value in message for member in AggregationType)
    assert caught.value.accepted == tuple(member.value for member in AggregationType)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("choice_set", ALL_CHOICE_SETS)
def test_every_member_has_a_distinct_label_and_parses_by_value_and_name(choice_set):
    labels = [member.label for member in choice_set]
    assert all(labels) and len(set(labels)) == len(labels)
    for member in choice_set:
        assert choice_set.parse(member.value.upper()) is member
        assert choice_set.parse(member.name.lower()) is member
    assert choice_set.choices() == [(member.value, member.label) for member in choice_set]


def test_members_are_plain_strings():
    assert Rag.RED == "red" and f"{Rag.RED}" == "red"
    assert Polarity("lower") is Polarity.LOWER_IS_BETTER
    assert [member.value for member in Polarity] == ["higher", "lower", "neutral"]


@pytest.mark.parametrize(
    ("polarity", "a", "b", "expected"),
    [
        (Polarity.HIGHER_IS_BETTER, 2.0, 1.0, True),
        (Polarity.HIGHER_IS_BETTER, 1.0, 2.0, False),
        (Polarity.HIGHER_IS_BETTER, 1.0, 1.0, False),
        (Polarity.LOWER_IS_BETTER, 1.0, 2.0, True),
        (Polarity.LOWER_IS_BETTER, 2.0, 1.0, False),
        (Polarity.LOWER_IS_BETTER, 1.0, 1.0, False),
        (Polarity.NEUTRAL, 1.0, 2.0, False),
        (Polarity.NEUTRAL, 2.0, 1.0, False),
    ],
)
def test_polarity_says_which_value_is_better(polarity, a, b, expected):
    assert polarity.better(a, b) is expected


@pytest.mark.parametrize(
    ("value_type", "x", "problem"),
    [
        (ValueType.NUMBER, -2.5, None),
        (ValueType.NUMBER, math.nan, "nan is not a number"),
        (ValueType.NUMBER, math.inf, "inf is not a number"),
        (ValueType.INTEGER, -3, None),
        (ValueType.INTEGER, 3.0, None),
        (ValueType.INTEGER, 2.5, "2.5 is not a whole number"),
        (ValueType.INTEGER_POSITIVE, 1, None),
        (ValueType.INTEGER_POSITIVE, 0, "0 is not a positive whole number (1 or more)"),
        (ValueType.INTEGER_POSITIVE, 1.5, "1.5 is not a whole number"),
        (ValueType.INTEGER_ZERO_OR_POSITIVE, 0, None),
        (ValueType.INTEGER_ZERO_OR_POSITIVE, -1.0, "-1 is negative; zero or more is expected"),
        (ValueType.PERCENTAGE, 0, None),
        (ValueType.PERCENTAGE, 100, None),
        (ValueType.PERCENTAGE, 100.5, "100.5 is not a whole number"),
        (ValueType.PERCENTAGE, 101, "101 is not a percentage from 0 to 100"),
        (ValueType.PERCENTAGE, -1, "-1 is not a percentage from 0 to 100"),
        (ValueType.BOOLEAN, 1, None),
        (ValueType.BOOLEAN, 0.0, None),
        (ValueType.BOOLEAN, 2, "2 is not a yes/no value (1 or 0)"),
    ],
)
def test_value_type_reports_problems_in_plain_words(value_type, x, problem):
    assert value_type.validate(x) == problem


def test_rag_uses_okabe_ito_colours_and_distinct_symbols():
    assert {member: (member.colour, member.symbol) for member in Rag} == {
        Rag.GREEN: ("#009E73", "●"),
        Rag.AMBER: ("#E69F00", "▲"),
        Rag.RED: ("#D55E00", "■"),
        Rag.NO_DATA: ("#999999", "○"),
        Rag.STALE: ("#56B4E9", "◷"),
    }


@pytest.mark.parametrize("choice_set", [Rag, Severity])
def test_status_colours_are_distinct_hex_codes(choice_set):
    colours = [member.colour for member in choice_set]
    assert all(HEX.fullmatch(colour) for colour in colours)
    assert len(set(colours)) == len(colours)


@pytest.mark.parametrize(
    ("background", "text"), [("#000000", "#FFFFFF"), ("#FFFFFF", "#000000"), ("#E69F00", "#000000")]
)
def test_text_colour_is_the_more_readable_of_black_and_white(background, text):
    assert readable_text_colour(background) == text


def test_badges_get_their_text_colour_from_the_choice():
    assert Severity.CRITICAL.text_colour == "#FFFFFF"
    assert Rag.AMBER.text_colour == "#000000"


def test_severity_ranks_follow_urgency():
    assert [member.rank for member in Severity] == [0, 1, 2, 3, 4]
    assert max([Severity.LOW, Severity.CRITICAL, Severity.MEDIUM], key=lambda s: s.rank) is Severity.CRITICAL


def test_org_unit_kind_labels_read_as_people_say_them():
    assert OrgUnitKind.TALUKA.label == "Taluka"
    assert OrgUnitKind.ULB.label == "Urban local body"
    assert OrgUnitKind.TOWN.label == "Census town"
    assert OrgUnitKind.parse("ULB") is OrgUnitKind.ULB
