"""Numbers, dates and ages as people in India read them, in English, Gujarati, Hindi and Malayalam.

Pure functions (no I/O, no locale database): the web layer passes the reader's language and digit setting.

- Indian digit grouping: the last three digits, then groups of two (``12,34,567.9``).
- Compact amounts in lakh (1,00,000) and crore (1,00,00,000), with each language's own words.
- Latin digits by default, since officials mostly read them; ``digits="native"`` writes Gujarati, Devanagari
  or Malayalam digits instead (English always keeps Latin digits).
- Dates with each language's month names, in the order CLDR gives for the language.
- Ages such as "3 hours ago".

Rounding is half-up on the number as written (``2.675`` rounds to ``2.68``), not on its binary float, so
what a person checks on a calculator is what the page shows. A missing or non-finite value shows as ``—``.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Digits = Literal["latin", "native"]
DateStyle = Literal["long", "short"]

LANGUAGES = ("en", "gu", "hi", "ml")
DEFAULT_LANGUAGE = "en"
MISSING = "—"

# First digit (zero) of each script; the other nine follow it in Unicode.
_NATIVE_ZERO = {"gu": 0x0AE6, "hi": 0x0966, "ml": 0x0D66}

_SCALE_WORDS = {
    "en": {"lakh": "lakh", "crore": "crore", "lakh_crore": "lakh crore"},
    "gu": {"lakh": "લાખ", "crore": "કરોડ", "lakh_crore": "લાખ કરોડ"},
    "hi": {"lakh": "लाख", "crore": "करोड़", "lakh_crore": "लाख करोड़"},
    "ml": {"lakh": "ലക്ഷം", "crore": "കോടി", "lakh_crore": "ലക്ഷം കോടി"},
}
# Largest first. A lakh crore (10^12) is how budgets and GSDP are spoken of; nothing larger is needed.
_SCALES = ((10**12, "lakh_crore"), (10**7, "crore"), (10**5, "lakh"))

_MONTHS_LONG = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "gu": ("જાન્યુઆરી", "ફેબ્રુઆરી", "માર્ચ", "એપ્રિલ", "મે", "જૂન", "જુલાઈ", "ઑગસ્ટ", "સપ્ટેમ્બર", "ઑક્ટોબર",
           "નવેમ્બર", "ડિસેમ્બર"),
    "hi": ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्तूबर", "नवंबर",
           "दिसंबर"),
    "ml": ("ജനുവരി", "ഫെബ്രുവരി", "മാർച്ച്", "ഏപ്രിൽ", "മേയ്", "ജൂൺ", "ജൂലൈ", "ഓഗസ്റ്റ്", "സെപ്റ്റംബർ",
           "ഒക്‌ടോബർ", "നവംബർ", "ഡിസംബർ"),
}
_MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "gu": ("જાન્યુ", "ફેબ્રુ", "માર્ચ", "એપ્રિલ", "મે", "જૂન", "જુલાઈ", "ઑગસ્ટ", "સપ્ટે", "ઑક્ટો", "નવે", "ડિસે"),
    "hi": ("जन॰", "फ़र॰", "मार्च", "अप्रैल", "मई", "जून", "जुल॰", "अग॰", "सित॰", "अक्तू॰", "नव॰", "दिस॰"),
    "ml": ("ജനു", "ഫെബ്രു", "മാർ", "ഏപ്രി", "മേയ്", "ജൂൺ", "ജൂലൈ", "ഓഗ", "സെപ്റ്റം", "ഒക്ടോ", "നവം", "ഡിസം"),
}
# Order of day, month and year (CLDR's long date pattern of each language).
_DATE_PATTERN = {"en": "{d} {m} {y}", "gu": "{d} {m}, {y}", "hi": "{d} {m} {y}", "ml": "{y}, {m} {d}"}

# Age phrases: unit -> (singular, plural) with {n}; "now" has no number.
_AGE_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60))
_AGE_WORDS: dict[str, dict[str, tuple[str, str] | str]] = {
    "en": {"now": "just now", "minute": ("{n} minute ago", "{n} minutes ago"),
           "hour": ("{n} hour ago", "{n} hours ago"), "day": ("{n} day ago", "{n} days ago"),
           "month": ("{n} month ago", "{n} months ago"), "year": ("{n} year ago", "{n} years ago")},
    "gu": {"now": "હમણાં જ", "minute": ("{n} મિનિટ પહેલાં", "{n} મિનિટ પહેલાં"),
           "hour": ("{n} કલાક પહેલાં", "{n} કલાક પહેલાં"), "day": ("{n} દિવસ પહેલાં", "{n} દિવસ પહેલાં"),
           "month": ("{n} મહિના પહેલાં", "{n} મહિના પહેલાં"), "year": ("{n} વર્ષ પહેલાં", "{n} વર્ષ પહેલાં")},
    "hi": {"now": "अभी-अभी", "minute": ("{n} मिनट पहले", "{n} मिनट पहले"),
           "hour": ("{n} घंटा पहले", "{n} घंटे पहले"), "day": ("{n} दिन पहले", "{n} दिन पहले"),
           "month": ("{n} महीना पहले", "{n} महीने पहले"), "year": ("{n} साल पहले", "{n} साल पहले")},
    "ml": {"now": "ഇപ്പോൾ", "minute": ("{n} മിനിറ്റ് മുമ്പ്", "{n} മിനിറ്റ് മുമ്പ്"),
           "hour": ("{n} മണിക്കൂർ മുമ്പ്", "{n} മണിക്കൂർ മുമ്പ്"), "day": ("{n} ദിവസം മുമ്പ്", "{n} ദിവസം മുമ്പ്"),
           "month": ("{n} മാസം മുമ്പ്", "{n} മാസം മുമ്പ്"), "year": ("{n} വർഷം മുമ്പ്", "{n} വർഷം മുമ്പ്")},
}

Number = int | float | Decimal


def language(lang: str | None) -> str:
    """``lang`` when govpulse formats for it, else English (``"gu-IN"`` counts as ``"gu"``)."""
    base = (lang or "").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def native_digits(text: str, lang: str) -> str:
    """``text`` with its digits 0-9 written in ``lang``'s script; unchanged for English."""
    zero = _NATIVE_ZERO.get(language(lang))
    if zero is None:
        return text
    return text.translate({ord("0") + i: chr(zero + i) for i in range(10)})


def _digits(text: str, lang: str, digits: Digits) -> str:
    if digits not in ("latin", "native"):
        raise ValueError(f"digits must be 'latin' or 'native', not {digits!r}")
    return native_digits(text, lang) if digits == "native" else text


def _decimal(value: Number | None) -> Decimal | None:
    """The value as a Decimal of its written form, or None when it is missing, NaN or infinite."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"expected a number, got {type(value).__name__} {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number if number.is_finite() else None


def _round(number: Decimal, decimals: int) -> Decimal:
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, not {decimals}")
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # never "-0.0"


def _group_indian(whole: str) -> str:
    """``"1234567"`` -> ``"12,34,567"``: three digits at the right, then pairs."""
    if len(whole) <= 3:
        return whole
    head, tail = whole[:-3], whole[-3:]
    pairs = [head[max(0, i - 2):i] for i in range(len(head), 0, -2)]
    return ",".join(reversed(pairs)) + "," + tail


def _plain_indian(number: Decimal, decimals: int) -> str:
    text = f"{_round(number, decimals):f}"
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    return sign + _group_indian(whole) + (f".{fraction}" if fraction else "")


def format_indian(value: Number | None, decimals: int = 0, *, lang: str = "en", digits: Digits = "latin") -> str:
    """``1234567.891`` with ``decimals=1`` -> ``"12,34,567.9"``; ``None`` or NaN -> ``"—"``."""
    number = _decimal(value)
    if number is None:
        return MISSING
    return _digits(_plain_indian(number, decimals), lang, digits)


def _significant_text(scaled: Decimal, significant: int) -> tuple[Decimal, str]:
    """``scaled`` rounded to ``significant`` digits but never losing a whole digit, without trailing zeros."""
    whole_digits = len(str(int(scaled))) if scaled >= 1 else 1
    rounded = _round(scaled, max(0, significant - whole_digits))
    text = _plain_indian(rounded, max(0, -rounded.as_tuple().exponent))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return rounded, text


def format_compact(value: Number | None, lang: str = "en", *, digits: Digits = "latin", significant: int = 3) -> str:
    """Large amounts in lakh and crore: ``12345678`` -> ``"1.23 crore"``, ``1234567`` -> ``"12.3 lakh"``,
    in Gujarati ``"1.23 કરોડ"``. Amounts under a lakh keep Indian grouping (``"45,678"``)."""
    if significant < 1:
        raise ValueError(f"significant must be 1 or more, not {significant}")
    number = _decimal(value)
    if number is None:
        return MISSING
    lang = language(lang)
    sign = "-" if number < 0 else ""
    magnitude = number.copy_abs()
    index = next((i for i, (size, _) in enumerate(_SCALES) if magnitude >= size), None)
    if index is None:
        whole = _round(magnitude, 0)
        if whole < _SCALES[-1][0]:
            return _digits(("" if whole.is_zero() else sign) + _group_indian(f"{whole:f}"), lang, digits)
        index = len(_SCALES) - 1  # 99,999.6 rounds up to a lakh
    rounded, text = _significant_text(magnitude / _SCALES[index][0], significant)
    if index > 0 and rounded * _SCALES[index][0] >= _SCALES[index - 1][0]:
        index -= 1  # rounding carried into the next scale: 99.96 lakh is "1 crore", not "100 lakh"
        rounded, text = _significant_text(magnitude / _SCALES[index][0], significant)
    return _digits(f"{sign}{text} {_SCALE_WORDS[lang][_SCALES[index][1]]}", lang, digits)


def format_percent(value: Number | None, decimals: int = 1, *, lang: str = "en", digits: Digits = "latin") -> str:
    """A value already in percent: ``45.25`` -> ``"45.3%"`` (Indian grouping for the rare large one)."""
    text = format_indian(value, decimals, lang=lang, digits=digits)
    return text if text == MISSING else f"{text}%"


def format_date(day: date | None, lang: str = "en", *, style: DateStyle = "long", digits: Digits = "latin") -> str:
    """``date(2026, 11, 24)`` -> ``"24 November 2026"``; Gujarati ``"24 નવેમ્બર, 2026"``; Malayalam
    ``"2026, നവംബർ 24"``. ``style="short"`` uses abbreviated month names."""
    if day is None:
        return MISSING
    lang = language(lang)
    months = _MONTHS_SHORT if style == "short" else _MONTHS_LONG
    text = _DATE_PATTERN[lang].format(d=day.day, m=months[lang][day.month - 1], y=day.year)
    return _digits(text, lang, digits)


def format_time(moment: datetime | None, lang: str = "en", *, digits: Digits = "latin") -> str:
    """24-hour clock time, ``"14:05"``, as the moment's own wall clock (convert time zones before)."""
    if moment is None:
        return MISSING
    return _digits(f"{moment.hour:02d}:{moment.minute:02d}", lang, digits)


def format_datetime(moment: datetime | None, lang: str = "en", *, style: DateStyle = "short",
                    digits: Digits = "latin") -> str:
    """Date and 24-hour time, ``"24 Nov 2026, 14:05"``, as the moment's own wall clock."""
    if moment is None:
        return MISSING
    return f"{format_date(moment.date(), lang, style=style, digits=digits)}, {format_time(moment, lang, digits=digits)}"


def format_age(then: datetime | None, now: datetime, lang: str = "en", *, digits: Digits = "latin") -> str:
    """How long ago ``then`` was, seen at ``now``: ``"3 hours ago"``, ``"3 કલાક પહેલાં"``. Under a minute,
    or in the future (clocks a little apart), is "just now". Both must be aware, or both naive."""
    if then is None:
        return MISSING
    words = _AGE_WORDS[language(lang)]
    seconds = (now - then).total_seconds()
    for unit, length in _AGE_UNITS:
        if seconds >= length:
            count = int(seconds // length)
            singular, plural = words[unit]
            return _digits((singular if count == 1 else plural).format(n=count), lang, digits)
    return str(words["now"])
