"""Tests for govpulse.core.periods: DHIS2 period ids, labels, dates, containment and iteration."""

import pickle
import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpulse.core.periods import (
    PERIOD_TYPES,
    InvalidPeriod,
    Period,
    PeriodType,
    coarser_types,
    iter_periods,
    parse_period,
    period_of,
    periods_between,
)

D, W, M, Q, S, Y, FY = PERIOD_TYPES

# Away from the years 1 and 9999 so that shifted periods (up to 30 years away) always exist;
# test_edges_of_the_calendar covers the edges.
days = st.dates(min_value=date(100, 1, 1), max_value=date(9899, 12, 31))
types = st.sampled_from(PERIOD_TYPES)
periods = st.builds(period_of, days, types)
fast = settings(max_examples=200, deadline=None)

# --- explicit examples --------------------------------------------------------------------------------

EXAMPLES = [
    # id, type, start, end, label
    ("20261124", D, date(2026, 11, 24), date(2026, 11, 24), "24 Nov 2026"),
    ("20240229", D, date(2024, 2, 29), date(2024, 2, 29), "29 Feb 2024"),
    ("20260105", D, date(2026, 1, 5), date(2026, 1, 5), "5 Jan 2026"),
    ("2026W48", W, date(2026, 11, 23), date(2026, 11, 29), "Week 48, 2026"),
    ("2026W1", W, date(2025, 12, 29), date(2026, 1, 4), "Week 1, 2026"),
    ("2026W53", W, date(2026, 12, 28), date(2027, 1, 3), "Week 53, 2026"),
    ("2020W53", W, date(2020, 12, 28), date(2021, 1, 3), "Week 53, 2020"),
    ("2025W52", W, date(2025, 12, 22), date(2025, 12, 28), "Week 52, 2025"),
    ("202611", M, date(2026, 11, 1), date(2026, 11, 30), "Nov 2026"),
    ("202402", M, date(2024, 2, 1), date(2024, 2, 29), "Feb 2024"),
    ("2026Q1", Q, date(2026, 1, 1), date(2026, 3, 31), "Q1 2026"),
    ("2026Q3", Q, date(2026, 7, 1), date(2026, 9, 30), "Q3 2026"),
    ("2026Q4", Q, date(2026, 10, 1), date(2026, 12, 31), "Q4 2026"),
    ("2026S1", S, date(2026, 1, 1), date(2026, 6, 30), "Jan-Jun 2026"),
    ("2026S2", S, date(2026, 7, 1), date(2026, 12, 31), "Jul-Dec 2026"),
    ("2026", Y, date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ("2026April", FY, date(2026, 4, 1), date(2027, 3, 31), "FY 2026-27"),
    ("1999April", FY, date(1999, 4, 1), date(2000, 3, 31), "FY 1999-00"),
]


@pytest.mark.parametrize(("pid", "ptype", "start", "end", "label"), EXAMPLES)
def test_example_periods(pid, ptype, start, end, label):
    period = parse_period(pid)
    assert period == Period(start, end, ptype)
    assert (period.id, period.type, period.label, str(period)) == (pid, ptype, label, pid)
    assert period.days == (end - start).days + 1
    assert period_of(start, ptype) == period_of(end, ptype) == period


def test_iso_week_53_years():
    # Checked against the standard library: only these years of 2015-2034 have an ISO week 53.
    long_years = [y for y in range(2015, 2035) if date(y, 12, 28).isocalendar().week == 53]
    assert long_years == [2015, 2020, 2026, 2032]
    assert date.fromisocalendar(2026, 53, 1) == parse_period("2026W53").start


def test_period_type_values_ranks_and_order():
    assert [t.value for t in PERIOD_TYPES] == [
        "Daily", "Weekly", "Monthly", "Quarterly", "SixMonthly", "Yearly", "FinancialApril",
    ]
    assert [t.rank for t in PERIOD_TYPES] == [1, 2, 3, 4, 5, 6, 6]
    assert PeriodType("FinancialApril") is PeriodType.FINANCIAL_APRIL


def test_day_lengths():
    assert parse_period("2024").days == 366
    assert parse_period("2023April").days == 366  # holds 29 Feb 2024
    assert parse_period("2026April").days == 365
    assert parse_period("2026S1").days == 181
    assert parse_period("2026W10").days == 7


# --- parsing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pid"),
    [
        (" 2026W48 ", "2026W48"),
        ("\t202611\n", "202611"),
        ("2026W05", "2026W5"),
        ("2026W01", "2026W1"),
        ("FY 2026-27", "2026April"),
        ("FY2026-27", "2026April"),
        ("fy 2026-2027", "2026April"),
        ("FY 2026\u201327", "2026April"),  # en dash, as printed in budget documents
        ("FY 1999-00", "1999April"),
        ("FY 1999-2000", "1999April"),
    ],
)
def test_parse_accepts_tolerant_forms(text, pid):
    assert parse_period(text).id == pid


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026W54", "week 54"),
        ("2025W53", "week 53 is not in 1-52"),
        ("2026W0", "week 0"),
        ("202613", "month 13"),
        ("202600", "month 0"),
        ("2026Q5", "quarter 5"),
        ("2026Q0", "quarter 0"),
        ("2026S3", "half-year 3"),
        ("20260230", "day 30 is not in 1-28"),
        ("20250229", "day 29"),
        ("20261301", "month 13"),
        ("0000", "year 0"),
        ("9999April", "after the year 9999"),
        ("FY 2026-28", "ends in 27"),
        ("abc", "not a recognised"),
        ("", "not a recognised"),
        ("   ", "not a recognised"),
        ("2026April2", "not a recognised"),
        ("2026april", "not a recognised"),
        ("2026W", "not a recognised"),
        ("2026W123", "not a recognised"),
        ("26Q1", "not a recognised"),
        ("2026-11-24", "not a recognised"),
        ("\u0968\u0966\u0968\u096c", "not a recognised"),  # Devanagari digits are not an identifier
    ],
)
def test_parse_rejects_invalid_strings(text, reason):
    with pytest.raises(InvalidPeriod) as caught:
        parse_period(text)
    message = str(caught.value)
    assert repr(text) in message
    assert reason in message
    assert "YYYYWn" in message and "FY YYYY-YY" in message  # the accepted forms are listed
    assert isinstance(caught.value, ValueError)
    assert caught.value.text == text


def test_parse_rejects_non_strings():
    with pytest.raises(InvalidPeriod, match="expected a string, got int"):
        parse_period(202611)


def test_invalid_period_survives_pickling():
    error = pickle.loads(pickle.dumps(InvalidPeriod("2026Q5", "quarter 5 is not in 1-4")))
    assert (error.text, error.reason) == ("2026Q5", "quarter 5 is not in 1-4")
    assert "'2026Q5'" in str(error)


def test_parse_is_cached():
    assert parse_period("2026Q3") is parse_period("2026Q3")


@fast
@given(periods)
def test_round_trip_through_id(period):
    assert parse_period(period.id) == period
    assert parse_period(f"  {period.id} ") == period


@fast
@given(periods)
def test_ids_have_the_dhis2_shape(period):
    shapes = {
        D: r"[0-9]{8}", W: r"[0-9]{4}W[1-9][0-9]?", M: r"[0-9]{6}", Q: r"[0-9]{4}Q[1-4]",
        S: r"[0-9]{4}S[12]", Y: r"[0-9]{4}", FY: r"[0-9]{4}April",
    }
    assert re.fullmatch(shapes[period.type], period.id)


@fast
@given(days)
def test_financial_year_label_round_trips(day):
    year = period_of(day, FY)
    assert parse_period(year.label) == year
    assert year.label == f"FY {year.start.year:04d}-{year.end.year % 100:02d}"


# --- construction ----------------------------------------------------------------------------------------


def test_constructor_rejects_dates_that_are_not_one_period():
    with pytest.raises(ValueError, match="not one Monthly period"):
        Period(date(2026, 11, 2), date(2026, 11, 30), M)
    with pytest.raises(ValueError, match="not one Weekly period"):
        Period(date(2026, 11, 24), date(2026, 11, 30), W)  # a Tuesday
    with pytest.raises(TypeError):
        Period(datetime(2026, 11, 1), date(2026, 11, 30), M)


def test_constructor_accepts_type_names():
    period = Period(date(2026, 4, 1), date(2027, 3, 31), "FinancialApril")
    assert period.type is FY and period == parse_period("2026April")


def test_period_of_accepts_datetimes():
    assert period_of(datetime(2026, 11, 24, 23, 59), M) == parse_period("202611")


def test_edges_of_the_calendar():
    assert parse_period("99991231").id == "99991231"
    assert parse_period("999912").end == date(9999, 12, 31)
    assert parse_period("9999").end == date(9999, 12, 31)
    assert parse_period("00010101").start == date(1, 1, 1)
    with pytest.raises(ValueError, match="outside the years 1-9999"):
        parse_period("9999").next()
    with pytest.raises(ValueError, match="before the year 1"):
        period_of(date(1, 2, 1), FY)
    assert list(iter_periods(parse_period("999911"), parse_period("999912")))[-1].id == "999912"


# --- ordering, neighbours, last year ---------------------------------------------------------------------


def test_periods_sort_by_start():
    ids = ["202612", "2026W48", "20261124", "2026Q3", "2026April", "2026"]
    assert [p.id for p in sorted(map(parse_period, ids))] == [
        "2026", "2026April", "2026Q3", "2026W48", "20261124", "202612",
    ]


@pytest.mark.parametrize(
    ("pid", "next_id", "previous_id"),
    [
        ("20261231", "20270101", "20261230"),
        ("2026W53", "2027W1", "2026W52"),
        ("2026W1", "2026W2", "2025W52"),
        ("202612", "202701", "202611"),
        ("2026Q4", "2027Q1", "2026Q3"),
        ("2026S2", "2027S1", "2026S1"),
        ("2026", "2027", "2025"),
        ("2026April", "2027April", "2025April"),
    ],
)
def test_next_and_previous_examples(pid, next_id, previous_id):
    period = parse_period(pid)
    assert (period.next().id, period.previous().id) == (next_id, previous_id)


@fast
@given(periods)
def test_next_and_previous_are_inverse_and_adjacent(period):
    assert period.next().previous() == period
    assert period.previous().next() == period
    assert period.next().start == period.end + timedelta(days=1)
    assert period.previous().end == period.start - timedelta(days=1)
    assert period.next().type is period.type


@fast
@given(periods, st.integers(min_value=-30, max_value=30))
def test_shift_is_repeated_next(period, n):
    stepped = period
    for _ in range(abs(n)):
        stepped = stepped.next() if n > 0 else stepped.previous()
    assert period.shift(n) == stepped
    assert period.shift(n).shift(-n) == period


@pytest.mark.parametrize(
    ("pid", "last_year_id"),
    [
        ("2026Q3", "2025Q3"),
        ("20261124", "20251124"),
        ("20240229", "20230228"),
        ("2026W48", "2025W48"),
        ("2026W53", "2025W52"),
        ("2021W1", "2020W1"),
        ("202611", "202511"),
        ("2026S2", "2025S2"),
        ("2026", "2025"),
        ("2026April", "2025April"),
    ],
)
def test_same_period_last_year_examples(pid, last_year_id):
    assert parse_period(pid).same_period_last_year().id == last_year_id


@fast
@given(periods)
def test_same_period_last_year_keeps_type_and_moves_a_year(period):
    earlier = period.same_period_last_year()
    assert earlier.type is period.type and earlier < period
    if period.type is W:
        assert earlier.start.isocalendar().year == period.start.isocalendar().year - 1
    else:
        assert earlier.start.year == period.start.year - 1
    per_year = {M: 12, Q: 4, S: 2, Y: 1, FY: 1}
    if period.type in per_year:  # month-based periods move back exactly one year's worth of periods
        assert earlier == period.shift(-per_year[period.type])


# --- containment -----------------------------------------------------------------------------------------


@fast
@given(days, types)
def test_period_of_contains_the_day(day, ptype):
    period = period_of(day, ptype)
    assert period.start <= day <= period.end
    assert period.contains(period_of(day, D))
    assert period.type is ptype


@fast
@given(days, types, types)
def test_containing_agrees_with_period_of_start(day, finer, coarser):
    period = period_of(day, finer)
    candidate = period_of(period.start, coarser)
    if candidate.contains(period):
        assert period.containing(coarser) == candidate
    else:
        with pytest.raises(ValueError, match=f"no single {coarser.value} period contains"):
            period.containing(coarser)


@fast
@given(days, types)
def test_coarser_types_always_contain(day, ptype):
    period = period_of(day, ptype)
    for coarser in coarser_types(ptype):
        assert coarser.rank > ptype.rank
        container = period.containing(coarser)
        assert container.contains(period) and container == period_of(day, coarser)


def test_coarser_types_table():
    assert coarser_types(D) == (W, M, Q, S, Y, FY)
    assert coarser_types(W) == ()
    assert coarser_types(M) == (Q, S, Y, FY)
    assert coarser_types(Q) == (S, Y, FY)
    assert coarser_types(S) == (Y,)
    assert coarser_types(Y) == ()
    assert coarser_types(FY) == ()


@pytest.mark.parametrize(
    ("pid", "ptype"),
    [
        ("2026W1", Y),  # 29 Dec 2025 - 4 Jan 2026
        ("2026W5", M),  # 26 Jan - 1 Feb 2026
        ("2026W1", M),
        ("2026S1", FY),  # Jan-Jun straddles FY 2025-26 and FY 2026-27
        ("2026", FY),
        ("2026April", Y),
        ("202611", D),  # a finer type never contains a coarser period
    ],
)
def test_types_left_out_of_coarser_types_can_straddle(pid, ptype):
    period = parse_period(pid)
    assert ptype not in coarser_types(period.type)
    with pytest.raises(ValueError, match=pid):
        period.containing(ptype)


def test_calendar_quarters_fall_in_financial_years():
    assert parse_period("2026Q2").containing(FY).id == "2026April"
    assert parse_period("2026Q1").containing(FY).id == "2025April"
    assert parse_period("2026W48").containing(Y).id == "2026"  # a week inside one year is contained
    assert parse_period("2026Q3").contains(parse_period("2026Q3"))


# --- ranges ----------------------------------------------------------------------------------------------


@fast
@given(days, st.integers(min_value=0, max_value=800), types)
def test_periods_between_covers_without_gaps_or_overlaps(first, length, ptype):
    last = first + timedelta(days=length)
    found = periods_between(first, last, ptype)
    assert found[0].start <= first <= found[0].end
    assert found[-1].start <= last <= found[-1].end
    for before, after in zip(found, found[1:]):
        assert after.start == before.end + timedelta(days=1)
    assert all(p.type is ptype and p.start <= last and p.end >= first for p in found)
    assert list(iter_periods(found[0], found[-1])) == found


def test_periods_between_examples():
    assert [p.id for p in periods_between(date(2026, 2, 15), date(2026, 8, 1), Q)] == [
        "2026Q1", "2026Q2", "2026Q3",
    ]
    assert [p.id for p in periods_between(date(2025, 12, 30), date(2026, 1, 12), W)] == [
        "2026W1", "2026W2", "2026W3",
    ]
    assert periods_between(date(2026, 3, 31), date(2026, 3, 31), FY)[0].id == "2025April"
    assert periods_between(date(2026, 2, 1), date(2026, 1, 1), M) == []


def test_iter_periods():
    assert [p.id for p in iter_periods(parse_period("2026W52"), parse_period("2027W2"))] == [
        "2026W52", "2026W53", "2027W1", "2027W2",
    ]
    assert list(iter_periods(parse_period("2026"), parse_period("2026"))) == [parse_period("2026")]
    assert list(iter_periods(parse_period("2027"), parse_period("2026"))) == []
    with pytest.raises(ValueError, match="types differ"):
        iter_periods(parse_period("2026"), parse_period("2026April"))
