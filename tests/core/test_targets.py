"""Targets: resolution order, derived targets and splitting a yearly target, against hand-computed numbers."""

import math

import pytest

from govpulse.core.enums import Polarity
from govpulse.core.periods import PeriodType
from govpulse.core.targets import (
    Target,
    best_quartile_target,
    last_year_plus_target,
    percentile,
    resolve_target,
    split_target,
    state_average_target,
)

TARGETS = [
    Target(90, None, None),
    Target(92, None, "2026April"),
    Target(85, "SURAT", None),
    Target(88, "SURAT", "2026April"),
]


@pytest.mark.parametrize(
    ("org_unit", "period", "expected"),
    [
        ("SURAT", "2026April", 88),  # org unit + period
        ("SURAT", "2025April", 85),  # org unit, standing
        ("VADODARA", "2026April", 92),  # state + period
        ("VADODARA", "2025April", 90),  # state, standing
    ],
)
def test_the_most_specific_target_wins(org_unit, period, expected):
    assert resolve_target(TARGETS, org_unit, period).value == expected


def test_no_target_resolves_to_none_and_a_duplicate_is_an_error():
    assert resolve_target([Target(80, "SURAT", None)], "VADODARA", "2026April") is None
    with pytest.raises(ValueError, match="two targets for org unit SURAT, period standing: 85 .* and 86"):
        resolve_target([Target(85, "SURAT"), Target(86, "SURAT")], "SURAT", "2026April")


def test_state_average_is_the_mean_of_peers_or_the_ratio_of_sums_with_denominators():
    assert state_average_target({"a": 80, "b": 90, "c": None}).value == 85
    # 80 % of 100 and 90 % of 300: (80 + 270) / 400 = 87.5 %
    weighted = state_average_target({"a": 80, "b": 90}, weights={"a": 100, "b": 300})
    assert weighted.value == 87.5 and weighted.origin == "state_average"
    assert state_average_target({"a": None}) is None


def test_last_year_plus_x_percent_goes_the_better_way():
    assert last_year_plus_target(80, 10, Polarity.HIGHER_IS_BETTER).value == pytest.approx(88)
    assert last_year_plus_target(20, 10, Polarity.LOWER_IS_BETTER).value == pytest.approx(18)
    assert last_year_plus_target(None, 10, Polarity.HIGHER_IS_BETTER) is None
    with pytest.raises(ValueError, match="neutral"):
        last_year_plus_target(20, 10, Polarity.NEUTRAL)


def test_best_quartile_is_the_75th_or_25th_percentile_of_peers():
    peers = {"a": 10, "b": 20, "c": 30, "d": 40, "e": 50, "f": None}
    assert best_quartile_target(peers, Polarity.HIGHER_IS_BETTER).value == 40
    assert best_quartile_target(peers, Polarity.LOWER_IS_BETTER).value == 20
    # Interpolated: positions 2.25 and 0.75 among 1, 2, 3, 4 (numpy's default gives the same).
    assert percentile([4, 1, 3, 2], 75) == 3.25
    assert percentile([4, 1, 3, 2], 25) == 1.75
    assert best_quartile_target({"a": None}, Polarity.HIGHER_IS_BETTER) is None


def test_a_yearly_count_target_is_split_by_days_in_month():
    months = split_target(Target(3650, "SURAT", "2026April"), PeriodType.MONTHLY, additive=True)
    assert [m.period for m in months][:3] == ["202604", "202605", "202606"]
    assert months[-1].period == "202703"
    by_month = {m.period: m.value for m in months}
    # FY 2026-27 has 365 days: 10 a day.
    assert by_month["202604"] == pytest.approx(300)
    assert by_month["202605"] == pytest.approx(310)
    assert by_month["202702"] == pytest.approx(280)
    assert math.fsum(by_month.values()) == pytest.approx(3650)
    assert {m.org_unit for m in months} == {"SURAT"} and months[0].origin == "split:2026April"


def test_a_seasonal_profile_shares_the_target_by_its_weights():
    quarters = split_target(Target(1000, None, "2026"), PeriodType.QUARTERLY, additive=True, profile=[1, 1, 1, 2])
    assert [(q.period, q.value) for q in quarters] == [
        ("2026Q1", 200), ("2026Q2", 200), ("2026Q3", 200), ("2026Q4", 400)
    ]


def test_a_rate_target_holds_in_every_month():
    months = split_target(Target(95, None, "2026"), PeriodType.MONTHLY, additive=False)
    assert len(months) == 12 and {m.value for m in months} == {95}


@pytest.mark.parametrize(
    ("target", "into", "profile", "message"),
    [
        (Target(10), PeriodType.MONTHLY, None, "standing target"),
        (Target(10, None, "202611"), PeriodType.YEARLY, None, "not shorter"),
        (Target(10, None, "2026"), PeriodType.WEEKLY, None, "do not fit exactly"),
        (Target(10, None, "2026"), PeriodType.QUARTERLY, [1, 2], "needs 4 weights"),
        (Target(10, None, "2026"), PeriodType.QUARTERLY, [0, 0, 0, 0], "not all zero"),
    ],
)
def test_impossible_splits_are_refused(target, into, profile, message):
    with pytest.raises(ValueError, match=message):
        split_target(target, into, additive=True, profile=profile)


def test_a_target_must_be_a_finite_number():
    with pytest.raises(ValueError, match="finite number"):
        Target(float("nan"))
