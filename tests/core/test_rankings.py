"""Rankings with ties (1-2-2-4), most improved, peer groups."""

import pytest

from govpulse.core.enums import Polarity
from govpulse.core.rankings import (
    Ranked,
    groups_from_lists,
    improvement_ranking,
    population_bands,
    rank,
    rank_within_groups,
)

HIGHER, LOWER = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER


def test_ties_share_a_rank_and_the_next_rank_skips():
    ranked = rank({"a": 90, "b": 80, "c": 80, "d": 70, "e": None})
    assert ranked == [
        Ranked("a", 90, 1), Ranked("b", 80, 2), Ranked("c", 80, 2), Ranked("d", 70, 4), Ranked("e", None, None)
    ]


def test_lower_is_better_ranks_the_smallest_first():
    ranked = rank({"a": 90, "b": 80, "c": 80, "d": 70}, LOWER)
    assert [(r.key, r.rank) for r in ranked] == [("d", 1), ("b", 2), ("c", 2), ("a", 4)]


def test_ties_follow_the_decimals_shown():
    assert [r.rank for r in rank({"a": 80.04, "b": 80.01})] == [1, 2]
    assert [r.rank for r in rank({"a": 80.04, "b": 80.01}, decimals=1)] == [1, 1]


def test_most_improved_and_change_in_rank():
    before = {"a": 50, "b": 60, "c": 70, "d": 40}
    after = {"a": 65, "b": 62, "c": 68, "d": None, "e": 80}
    rows = {row.key: row for row in improvement_ranking(before, after)}
    # changes: a +15, b +2, c -2; d and e lack a period
    assert [(k, rows[k].change, rows[k].rank) for k in "abc"] == [("a", 15, 1), ("b", 2, 2), ("c", -2, 3)]
    # before: c 1, b 2, a 3, d 4; after: e 1, c 2, a 3, b 4
    assert (rows["a"].rank_before, rows["a"].rank_after, rows["a"].rank_change) == (3, 3, 0)
    assert (rows["b"].rank_before, rows["b"].rank_after, rows["b"].rank_change) == (2, 4, -2)
    assert (rows["c"].rank_before, rows["c"].rank_after, rows["c"].rank_change) == (1, 2, -1)
    assert (rows["d"].rank, rows["d"].rank_after, rows["d"].rank_change) == (None, None, None)
    assert (rows["e"].rank, rows["e"].rank_before, rows["e"].rank_after) == (None, None, 1)
    assert [row.key for row in improvement_ranking(before, after)] == ["a", "b", "c", "d", "e"]


def test_most_improved_when_lower_is_better_is_the_largest_fall():
    rows = improvement_ranking({"a": 30, "b": 30, "c": 30}, {"a": 20, "b": 35, "c": 29}, LOWER)
    assert [(row.key, row.rank) for row in rows] == [("a", 1), ("c", 2), ("b", 3)]


def test_ranking_within_population_bands():
    values = {"v1": 90, "v2": 80, "v3": 70, "v4": 60, "v5": 50}
    bands = population_bands({"v1": 500, "v2": 5000, "v3": 800, "v4": 12000, "v5": None}, [1000, 10000])
    assert bands == {"v1": "< 1,000", "v2": "1,000 to < 10,000", "v3": "< 1,000", "v4": ">= 10,000"}
    result = rank_within_groups(values, bands)
    assert [(r.key, r.rank) for r in result.groups["< 1,000"]] == [("v1", 1), ("v3", 2)]
    assert [(r.key, r.rank) for r in result.groups["1,000 to < 10,000"]] == [("v2", 1)]
    assert [(r.key, r.rank) for r in result.groups[">= 10,000"]] == [("v4", 1)]
    assert result.ungrouped == ("v5",)


def test_explicit_peer_lists():
    groups = groups_from_lists({"aspirational": ["DAHOD", "NARMADA"], "others": ["SURAT"]})
    result = rank_within_groups({"DAHOD": 40, "NARMADA": 55, "SURAT": 90}, groups)
    assert [r.key for r in result.groups["aspirational"]] == ["NARMADA", "DAHOD"]
    with pytest.raises(ValueError, match="DAHOD is in two peer groups: 'aspirational' and 'others'"):
        groups_from_lists({"aspirational": ["DAHOD"], "others": ["DAHOD"]})


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="neutral"):
        rank({"a": 1}, Polarity.NEUTRAL)
    with pytest.raises(ValueError, match="increasing order"):
        population_bands({}, [10, 5])
