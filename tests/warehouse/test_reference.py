"""The naive reference (``core/aggregation.py``): its two routes to a value agree with each other."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpulse.core.aggregation import Observation, naive_value, summarize, value_of
from govpulse.core.enums import AggregationType

FIRST_DAY = date(2026, 3, 20)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 40), st.integers(-10, 10), st.sampled_from(["total", "a"])),
        min_size=1,
        max_size=15,
        unique_by=lambda t: (t[0], t[1], t[3]),
    ),
    aggregation=st.sampled_from(list(AggregationType)),
)
def test_the_reference_summary_and_the_direct_definition_agree(values, aggregation) -> None:
    observations = [Observation(ou, FIRST_DAY + timedelta(days=d), v, s) for ou, d, v, s in values]
    summary = summarize(observations)
    direct = naive_value(observations, aggregation)
    via_summary = value_of(summary, aggregation, combined=True)
    assert (direct is None and via_summary is None) or direct == pytest.approx(via_summary)


def test_none_has_a_value_only_where_nothing_was_combined() -> None:
    one = [Observation("V1", FIRST_DAY, 4.0)]
    assert naive_value(one, AggregationType.NONE, combined=False) == 4.0
    assert naive_value(one, AggregationType.NONE, combined=True) is None
    assert value_of(summarize(one), AggregationType.NONE, combined=False) == 4.0
