"""Children's contributions to a parent's gap to target add up to the parent's gap, down the tree."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govpulse.core.enums import Polarity
from govpulse.core.root_cause import UnitFigures, drill_gap, explain_gap

HIGHER, LOWER = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER

TALUKAS = [
    UnitFigures("T1", 450, 600, "Olpad"),  # 0.9 x 600 - 450 = 90 short
    UnitFigures("T2", 380, 400, "Kamrej"),  # 0.9 x 400 - 380 = -20 (beats the target)
    UnitFigures("T3", 170, 300, "Mandvi"),  # 0.9 x 300 - 170 = 100 short
    UnitFigures("T4", None, None, "Umarpada"),
]
VILLAGES = {
    "T3": [UnitFigures("V1", 50, 100), UnitFigures("V2", 120, 200)],  # 40 and 60 short
}


def test_contributions_add_up_to_the_districts_gap_largest_first():
    result = explain_gap("SURAT", TALUKAS, 90, HIGHER, parent_figures=UnitFigures("SURAT", 1000, 1300))
    assert result.gap == 170  # 0.9 x 1300 - 1000
    assert [(c.org_unit, c.gap, c.rank) for c in result.contributions] == [("T3", 100, 1), ("T1", 90, 2),
                                                                             ("T2", -20, 3)]
    assert [round(c.share_percent, 4) for c in result.contributions] == [58.8235, 52.9412, -11.7647]
    assert result.contributions[0].value == pytest.approx(56.6667, abs=1e-4)  # 170 / 300 x 100
    assert result.no_data == ("T4",)
    assert result.unattributed == 0
    assert result.top.name == "Mandvi"


def test_what_the_children_do_not_explain_is_reported():
    # The district's own figures hold 50 more births than its talukas with data: 0.9 x 1350 - 1000 = 215.
    result = explain_gap("SURAT", TALUKAS, 90, HIGHER, parent_figures=UnitFigures("SURAT", 1000, 1350))
    assert result.unattributed == pytest.approx(45)


def test_lower_is_better_flips_the_sign():
    # Infant deaths per 1,000 births, target 30: A 40 deaths in 1,000 births is 10 too many, B 25 is 5 fewer.
    children = [UnitFigures("A", 40, 1000), UnitFigures("B", 25, 1000)]
    result = explain_gap("D", children, 30, LOWER, factor=1000)
    assert result.gap == 5
    assert [(c.org_unit, c.gap, c.share_percent) for c in result.contributions] == [("A", 10, 200), ("B", -5, -100)]


def test_no_gap_means_no_shares():
    result = explain_gap("D", [UnitFigures("A", 95, 100)], 90, HIGHER)
    assert result.gap == -5 and result.contributions[0].share_percent is None


def test_drilling_down_follows_the_largest_contributor():
    def children_of(code):
        return TALUKAS if code == "SURAT" else VILLAGES.get(code, [])

    levels = drill_gap("SURAT", children_of, 90, HIGHER, depth=3)
    assert [level.parent for level in levels] == ["SURAT", "T3"]  # villages have no children: stops
    villages = levels[1]
    assert villages.gap == 100 == levels[0].top.gap
    assert villages.unattributed == 0  # T3's own figures, carried down from the level above
    assert [(c.org_unit, c.gap) for c in villages.contributions] == [("V2", 60), ("V1", 40)]
    assert len(drill_gap("SURAT", children_of, 90, HIGHER, depth=1)) == 1


def test_neutral_indicators_have_no_gap():
    with pytest.raises(ValueError, match="neutral"):
        explain_gap("D", [], 90, Polarity.NEUTRAL)


figures = st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)).map(lambda t: (min(t), max(t))), min_size=1, max_size=40
)


@given(figures, st.floats(0, 100, allow_nan=False), st.sampled_from([HIGHER, LOWER]))
def test_contributions_always_add_up_to_the_parents_gap(children, target, polarity):
    units = [UnitFigures(f"C{i}", n, d) for i, (n, d) in enumerate(children)]
    parent = UnitFigures("P", sum(n for n, _ in children), sum(d for _, d in children))
    result = explain_gap("P", units, target, polarity, parent_figures=parent)
    assert result.unattributed == 0  # exact: the parent's own gap is the children's sum
    total = math.fsum(c.gap for c in result.contributions)
    assert math.isclose(total, result.gap, rel_tol=1e-9, abs_tol=1e-6)
    gaps = [c.gap for c in result.contributions]
    assert gaps == sorted(gaps, reverse=True)
    if result.gap > 0:
        shares = [c.share_percent for c in result.contributions]
        # Each share is exact before it becomes a float, so the sum is off by rounding only.
        assert math.isclose(math.fsum(shares), 100, abs_tol=1e-12 * math.fsum(map(abs, shares)) + 1e-9)
