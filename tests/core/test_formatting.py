"""Indian number formatting, lakh/crore words, native digits, dates and ages in four languages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govpulse.core.formatting import (
    LANGUAGES,
    MISSING,
    format_age,
    format_compact,
    format_date,
    format_datetime,
    format_indian,
    format_percent,
    format_time,
    language,
    native_digits,
)

INDIAN_GROUPING = re.compile(r"^-?(\d{1,2}(,\d{2})*,\d{3}|\d{1,3})(\.\d+)?$")


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (1234567.891, 1, "12,34,567.9"),
    (1234567.891, 0, "12,34,568"),
    (999, 0, "999"),
    (1000, 0, "1,000"),
    (100000, 0, "1,00,000"),
    (12345678901234, 0, "1,23,45,67,89,01,234"),
    (-1234567.5, 0, "-12,34,568"),
    (2.675, 2, "2.68"),  # half-up on the written number, where float formatting gives 2.67
    (0.125, 2, "0.13"),
    (-0.04, 1, "0.0"),  # never "-0.0"
    (Decimal("1234.5"), 2, "1,234.50"),
    (7, 2, "7.00"),
])
def test_indian_grouping(value, decimals, expected):
    assert format_indian(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf"), float("-inf")])
def test_missing_values_show_a_dash(missing):
    assert format_indian(missing) == MISSING
    assert format_compact(missing) == MISSING
    assert format_percent(missing) == MISSING


def test_non_numbers_are_refused_with_their_type():
    with pytest.raises(TypeError, match="str '12'"):
        format_indian("12")
    with pytest.raises(TypeError, match="bool"):
        format_indian(True)
    with pytest.raises(ValueError, match="decimals"):
        format_indian(1.5, -1)
    with pytest.raises(ValueError, match="digits"):
        format_indian(1.5, digits="roman")


@pytest.mark.parametrize(("value", "expected"), [
    (12345678, "1.23 crore"),
    (1234567, "12.3 lakh"),
    (100000, "1 lakh"),
    (15000000, "1.5 crore"),
    (10**7, "1 crore"),
    (12345678901, "1,235 crore"),  # whole digits are never rounded away
    (9996000, "1 crore"),  # 99.96 lakh rounds into the next scale
    (99999.6, "1 lakh"),
    (45678, "45,678"),
    (45678.4, "45,678"),
    (0, "0"),
    (-12345678, "-1.23 crore"),
    (2.5 * 10**12, "2.5 lakh crore"),
])
def test_compact_in_lakh_and_crore(value, expected):
    assert format_compact(value) == expected


def test_compact_words_in_each_language():
    assert format_compact(12345678, "gu") == "1.23 કરોડ"
    assert format_compact(1234567, "gu") == "12.3 લાખ"
    assert format_compact(12345678, "hi") == "1.23 करोड़"
    assert format_compact(1234567, "hi") == "12.3 लाख"
    assert format_compact(12345678, "ml") == "1.23 കോടി"
    assert format_compact(1234567, "ml") == "12.3 ലക്ഷം"
    assert format_compact(1234567, "ta") == "12.3 lakh"  # a language we do not have falls back to English
    assert format_compact(12345678, "en", significant=5) == "1.2346 crore"


def test_native_digits_are_optional_and_latin_by_default():
    assert format_indian(1234567.891, 1, lang="gu") == "12,34,567.9"
    assert format_indian(1234567.891, 1, lang="gu", digits="native") == "૧૨,૩૪,૫૬૭.૯"
    assert format_indian(1234567.891, 1, lang="hi", digits="native") == "१२,३४,५६७.९"
    assert format_indian(1234567.891, 1, lang="ml", digits="native") == "൧൨,൩൪,൫൬൭.൯"
    assert format_indian(1234567.891, 1, lang="en", digits="native") == "12,34,567.9"
    assert format_compact(12345678, "gu", digits="native") == "૧.૨૩ કરોડ"
    assert format_percent(45.25, lang="hi", digits="native") == "४५.३%"


def test_percent():
    assert format_percent(45.25) == "45.3%"
    assert format_percent(100, 0) == "100%"
    assert format_percent(0.04, 2) == "0.04%"


def test_dates_with_month_names_in_each_language():
    day = date(2026, 11, 24)
    assert format_date(day) == "24 November 2026"
    assert format_date(day, style="short") == "24 Nov 2026"
    assert format_date(day, "gu") == "24 નવેમ્બર, 2026"
    assert format_date(day, "hi") == "24 नवंबर 2026"
    assert format_date(day, "ml") == "2026, നവംബർ 24"
    assert format_date(date(2027, 3, 1), "hi", style="short", digits="native") == "१ मार्च २०२७"
    assert format_date(None) == MISSING
    # Every month has its own name in every language.
    for lang in LANGUAGES:
        for style in ("long", "short"):
            names = {format_date(date(2026, m, 1), lang, style=style) for m in range(1, 13)}
            assert len(names) == 12, (lang, style)


def test_time_and_datetime_use_the_24_hour_clock():
    moment = datetime(2026, 11, 24, 9, 5)
    assert format_time(moment) == "09:05"
    assert format_datetime(moment) == "24 Nov 2026, 09:05"
    assert format_datetime(moment, "gu", digits="native") == "૨૪ નવે, ૨૦૨૬, ૦૯:૦૫"


@pytest.mark.parametrize(("seconds", "en", "gu", "hi", "ml"), [
    (5, "just now", "હમણાં જ", "अभी-अभी", "ഇപ്പോൾ"),
    (-90, "just now", "હમણાં જ", "अभी-अभी", "ഇപ്പോൾ"),
    (60, "1 minute ago", "1 મિનિટ પહેલાં", "1 मिनट पहले", "1 മിനിറ്റ് മുമ്പ്"),
    (3 * 3600 + 59, "3 hours ago", "3 કલાક પહેલાં", "3 घंटे पहले", "3 മണിക്കൂർ മുമ്പ്"),
    (3600, "1 hour ago", "1 કલાક પહેલાં", "1 घंटा पहले", "1 മണിക്കൂർ മുമ്പ്"),
    (2 * 86400, "2 days ago", "2 દિવસ પહેલાં", "2 दिन पहले", "2 ദിവസം മുമ്പ്"),
    (45 * 86400, "1 month ago", "1 મહિના પહેલાં", "1 महीना पहले", "1 മാസം മുമ്പ്"),
    (800 * 86400, "2 years ago", "2 વર્ષ પહેલાં", "2 साल पहले", "2 വർഷം മുമ്പ്"),
])
def test_age_in_each_language(seconds, en, gu, hi, ml):
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    then = now - timedelta(seconds=seconds)
    assert [format_age(then, now, lang) for lang in LANGUAGES] == [en, gu, hi, ml]


def test_language_codes_are_read_leniently():
    assert language("gu-IN") == "gu"
    assert language("HI") == "hi"
    assert language(None) == "en"
    assert language("fr") == "en"
    assert native_digits("Ward 12", "ml") == "Ward ൧൨"


@given(st.decimals(min_value=-10**15, max_value=10**15, places=3, allow_nan=False, allow_infinity=False),
       st.integers(min_value=0, max_value=3))
def test_grouping_property(value, decimals):
    text = format_indian(value, decimals)
    assert INDIAN_GROUPING.match(text), text
    # Removing the commas gives back the value rounded half-up.
    assert Decimal(text.replace(",", "")) == value.quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP")


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(LANGUAGES))
def test_native_digits_round_trip(value, lang):
    native = format_indian(value, lang=lang, digits="native")
    latin = format_indian(value, lang=lang)
    back = "".join(str(int(ch)) if ch.isdigit() else ch for ch in native)  # int() reads every script's digits
    assert back == latin
    assert (native == latin) == (lang == "en")


@given(st.integers(min_value=10**5, max_value=10**14))
def test_compact_stays_within_rounding_of_the_value(value):
    text = format_compact(value)
    amount, _, word = text.partition(" ")
    size = {"lakh": 10**5, "crore": 10**7, "lakh crore": 10**12}[word]
    shown = Decimal(amount.replace(",", "")) * size
    assert abs(shown - value) <= Decimal(value) * Decimal("0.005") + size // 100
    assert Decimal(amount.replace(",", "")) >= 1
