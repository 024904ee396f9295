"""RAG status, 0-100 scores, composites and grades, against numbers worked out by hand."""

import pytest

from govpulse.core.enums import Polarity, Rag
from govpulse.core.evaluation import (
    GradeBands,
    IndicatorWeight,
    Thresholds,
    composite_score,
    composite_scores,
    grade,
    min_max_scores,
    rag_status,
    target_score,
)

HIGHER, LOWER, NEUTRAL = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER, Polarity.NEUTRAL

# --- RAG -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(95, Rag.GREEN), (90, Rag.GREEN), (80, Rag.AMBER), (75, Rag.AMBER), (74.9, Rag.RED)]
)
def test_absolute_bands_higher_is_better(value, expected):
    assert rag_status(value, None, Thresholds("absolute", 90, 75), HIGHER) is expected


@pytest.mark.parametrize(("value", "expected"), [(95, Rag.GREEN), (80, Rag.AMBER), (76, Rag.AMBER), (71.2, Rag.RED)])
def test_bands_relative_to_target_higher_is_better(value, expected):
    # Target 95 %: green from 100 % of it (95), amber from 80 % of it (76).
    assert rag_status(value, 95, Thresholds("percent_of_target", 100, 80), HIGHER) is expected


@pytest.mark.parametrize(("value", "expected"), [(20, Rag.GREEN), (25, Rag.GREEN), (30, Rag.AMBER), (36, Rag.RED)])
def test_absolute_bands_lower_is_better(value, expected):
    # Infant deaths per 1,000 births: green up to 25, amber up to 35.
    assert rag_status(value, None, Thresholds("absolute", 25, 35), LOWER) is expected


@pytest.mark.parametrize(("value", "expected"), [(18, Rag.GREEN), (22, Rag.AMBER), (24, Rag.AMBER), (25, Rag.RED)])
def test_bands_relative_to_target_lower_is_better_compare_value_over_target(value, expected):
    # Target 20: green up to 100 % of it (20), amber up to 120 % of it (24).
    assert rag_status(value, 20, Thresholds("percent_of_target", 100, 120), LOWER) is expected


def test_a_target_of_zero_works_for_lower_is_better():
    bands = Thresholds("percent_of_target", 100, 120)
    assert rag_status(0, 0, bands, LOWER) is Rag.GREEN
    assert rag_status(1, 0, bands, LOWER) is Rag.RED


def test_no_value_stale_neutral_and_unrated():
    bands = Thresholds("absolute", 90, 75)
    assert rag_status(None, None, bands, HIGHER) is Rag.NO_DATA
    assert rag_status(99, None, bands, HIGHER, stale=True) is Rag.STALE  # never green when stale
    assert rag_status(99, None, bands, NEUTRAL) is None
    assert rag_status(99, 95, None, HIGHER) is None
    assert rag_status(99, None, Thresholds("percent_of_target", 100, 80), HIGHER) is None  # no target


def test_bands_the_wrong_way_round_are_an_error():
    with pytest.raises(ValueError, match="green .75. must be >= amber .90. when higher is better"):
        rag_status(80, None, Thresholds("absolute", 75, 90), HIGHER)
    with pytest.raises(ValueError, match="'relative'"):
        Thresholds("relative", 1, 2)


# --- scores ----------------------------------------------------------------------------------------------


def test_min_max_scores_and_their_reverse():
    values = {"a": 50, "b": 70, "c": 90, "d": None}
    assert min_max_scores(values, HIGHER) == {"a": 0, "b": 50, "c": 100, "d": None}
    assert min_max_scores(values, LOWER) == {"a": 100, "b": 50, "c": 0, "d": None}


def test_min_max_all_equal_scores_everyone_100():
    assert min_max_scores({"a": 5, "b": 5}, HIGHER) == {"a": 100, "b": 100}
    assert min_max_scores({"a": None}, HIGHER) == {"a": None}
    with pytest.raises(ValueError, match="neutral"):
        min_max_scores({"a": 1}, NEUTRAL)


@pytest.mark.parametrize(
    ("value", "target", "polarity", "expected"),
    [
        (80, 100, HIGHER, 80),
        (120, 100, HIGHER, 100),  # capped
        (25, 20, LOWER, 80),  # 20 / 25
        (10, 20, LOWER, 100),
        (0, 0, LOWER, 100),
        (5, 0, LOWER, 0),
        (None, 20, LOWER, None),
    ],
)
def test_target_scores(value, target, polarity, expected):
    assert target_score(value, target, polarity) == expected


# --- composites ------------------------------------------------------------------------------------------

WEIGHTS = [
    IndicatorWeight("h1", "health", 1),
    IndicatorWeight("h2", "health", 1),
    IndicatorWeight("e1", "education", 2),
    IndicatorWeight("e2", "education", 1),
    IndicatorWeight("a1", "agriculture", 1),
]
THEMES = {"health": 30, "education": 30, "agriculture": 40}


def test_composite_with_theme_weights_and_a_missing_value():
    result = composite_score({"h1": 80, "h2": 60, "e1": 50, "e2": None, "a1": 90}, WEIGHTS, THEMES)
    # health (80 + 60) / 2 = 70; education renormalised over e1 alone = 50; agriculture 90.
    assert result.themes == {"health": 70, "education": 50, "agriculture": 90}
    # (30 x 70 + 30 x 50 + 40 x 90) / 100 = 72
    assert result.score == pytest.approx(72)
    # e2 is a third of education's weight, education 30 % of the whole: 1 - 0.3 / 3 = 0.9
    assert result.coverage == pytest.approx(0.9)
    assert result.missing == ("e2",)


def test_composite_renormalises_over_themes_present():
    result = composite_score({"h1": 80, "h2": 60, "e1": 50}, WEIGHTS, THEMES)
    # agriculture has nothing: (30 x 70 + 30 x 50) / 60 = 60; coverage 0.3 + 0.2 = 0.5
    assert result.score == pytest.approx(60)
    assert result.coverage == pytest.approx(0.5)
    assert result.themes["agriculture"] is None
    assert result.missing == ("e2", "a1")


def test_composite_without_theme_weights_is_one_weighted_mean():
    result = composite_score({"h1": 80, "h2": 60, "e1": 50, "e2": None, "a1": 90}, WEIGHTS)
    # (80 + 60 + 2 x 50 + 90) / (1 + 1 + 2 + 1) = 330 / 5 = 66; coverage 5 / 6
    assert result.score == pytest.approx(66)
    assert result.coverage == pytest.approx(5 / 6)


def test_composite_with_nothing_has_no_score_and_a_theme_without_weight_is_an_error():
    assert composite_score({}, WEIGHTS, THEMES).score is None
    assert composite_score({}, WEIGHTS, THEMES).coverage == 0
    with pytest.raises(ValueError, match="no theme weight given for theme.s.: agriculture"):
        composite_score({}, WEIGHTS, {"health": 1, "education": 1})


def test_composites_per_org_unit():
    results = composite_scores({"SURAT": {"h1": 100, "h2": 100}, "VADODARA": {"h1": 40}}, WEIGHTS[:2])
    assert results["SURAT"].score == 100 and results["VADODARA"].score == 40
    assert results["VADODARA"].coverage == 0.5


# --- grades ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "expected"),
    [(100, "A"), (75, "A"), (74.99, "B"), (60, "B"), (45, "C"), (44.9, "D"), (0, "D"), (None, None)],
)
def test_default_grades(score, expected):
    assert grade(score) == expected


def test_configured_grade_bands():
    bands = GradeBands((("Excellent", 90), ("Good", 70)), lowest="Needs improvement")
    assert [grade(s, bands) for s in (95, 85, 10)] == ["Excellent", "Good", "Needs improvement"]
    with pytest.raises(ValueError, match="highest floor down"):
        GradeBands((("A", 50), ("B", 60)))
