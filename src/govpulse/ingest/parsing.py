"""Cell parsers for messy Indian government data: numbers, dates, text encodings and CSV delimiters.

Pure functions, no I/O. Each parser comes twice: a scalar form that raises ``ValueError`` with a sentence a data
operator can act on (``parse_number``, ``parse_date``), and a vectorised form over a ``pyarrow`` array that returns
the parsed array plus ``(index, message)`` for every cell that failed (``parse_numbers``, ``parse_dates``). Both
forms accept exactly the same texts; the vectorised one asks the scalar one for its messages.

Numbers
    ``1,23,456`` (Indian grouping), ``1,234,567`` (international), ``1 234 567``, ``12.5``, ``-5``, ``1.5e3``,
    ``12.5%`` (gives 12.5), ``₹1,23,456.50``, ``Rs. 500/-``, and digits of any Indian script (Devanagari,
    Gujarati, Malayalam, Bengali, Gurmukhi, Oriya, Tamil, Telugu, Kannada) or Urdu. Rejected: ``(123)``,
    ``12..5``, ``1,2,3`` (groups that are neither Indian nor international), ``12,5`` (decimal comma), ``abc``,
    ``NA``, ``-``, blank.

Dates
    ``24-11-2026``, ``24/11/2026``, ``24.11.2026``, ``24 11 2026``, ``24-11-26``, ``2026-11-24``, ``20261124``,
    ``24-Nov-2026``, ``24 November 2026``, ``24th Nov 2026``, ``Nov 24, 2026``, any of these followed by a time
    (``10:30``, ``10:30:15.5``, ``10:30 PM``, ``T10:30:00Z``, ``+05:30``; the date is taken as written, never
    shifted between time zones) and Excel serial numbers from 1 Jan 1950 to 31 Dec 2100 (``46350`` is
    24 Nov 2026). Numeric day-month forms are read day first (Indian usage) unless ``dayfirst=False``; a form
    that is invalid in the chosen order is rejected, never silently swapped. ``Nov 2026`` is a month, i.e. a
    period, and is rejected with a message saying so.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "CSV_DELIMITERS",
    "decode_bytes",
    "detect_encoding",
    "excel_serial_to_date",
    "normalise_digits",
    "parse_date",
    "parse_dates",
    "parse_number",
    "parse_numbers",
    "sniff_delimiter",
]

# --- digits -------------------------------------------------------------------------------------------------

# Code point of the digit zero in every script whose digits appear in Indian government data.
_DIGIT_ZEROS = {
    "Devanagari": 0x0966,
    "Bengali": 0x09E6,
    "Gurmukhi": 0x0A66,
    "Gujarati": 0x0AE6,
    "Oriya": 0x0B66,
    "Tamil": 0x0BE6,
    "Telugu": 0x0C66,
    "Kannada": 0x0CE6,
    "Malayalam": 0x0D66,
    "Arabic-Indic": 0x0660,
    "Urdu (extended Arabic-Indic)": 0x06F0,
    "Fullwidth": 0xFF10,
}
_DIGITS = {zero + n: str(n) for zero in _DIGIT_ZEROS.values() for n in range(10)}
# For numbers and dates also: the spaces spreadsheets put between digit groups, and the typographic minus.
_CELL = _DIGITS | {0x00A0: " ", 0x2007: " ", 0x2009: " ", 0x202F: " ", 0x2212: "-"}


def normalise_digits(text: str) -> str:
    """Replace the digits of any Indian script (and Urdu, full-width) by ASCII digits: ``"૧૨"`` -> ``"12"``."""
    return text.translate(_DIGITS)


def _normalise_cell(text: str) -> str:
    return text.strip().translate(_CELL).strip()


def _normalise_array(strings: pa.Array) -> pa.Array:
    """Trim every cell and normalise the non-ASCII ones in Python (they are few; ASCII cells never need it)."""
    trimmed = pc.utf8_trim_whitespace(strings)
    non_ascii = pc.fill_null(pc.invert(pc.string_is_ascii(trimmed)), False)
    if not pc.any(non_ascii).as_py():
        return trimmed
    subset = pc.filter(trimmed, non_ascii).to_pylist()
    return pc.replace_with_mask(trimmed, non_ascii, pa.array([_normalise_cell(s) for s in subset], pa.string()))


def _as_strings(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    if pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type):
        return array.cast(pa.string())
    return array


# --- numbers ------------------------------------------------------------------------------------------------

# Written for both Python ``re`` and RE2 (pyarrow.compute): ASCII classes only, no look-arounds.
_CURRENCY = r"(?:₹|[Rr][Ss]\.?|INR)"
_GROUPED = (
    r"(?:[0-9]{1,3}(?:,[0-9]{3})+"  # international 1,234,567
    r"|[0-9]{1,2}(?:,[0-9]{2})*,[0-9]{3}"  # Indian 12,34,567
    r"|[0-9]{1,3}(?: [0-9]{3})+"  # spaced 1 234 567
    r")(?:\.[0-9]+)?"
)
_PLAIN = r"(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_SIGN_AND_CURRENCY = rf"(?:[+-]?[ \t]*(?:{_CURRENCY}[ \t]*)?|{_CURRENCY}[ \t]*[+-][ \t]*)"
_NUMBER_PATTERN = rf"^{_SIGN_AND_CURRENCY}(?:{_GROUPED}|{_PLAIN})[ \t]*(?:%|/-)?$"
_NUMBER_NOISE_PATTERN = rf"/-|{_CURRENCY}|[, \t%+]"
_NUMBER = re.compile(_NUMBER_PATTERN)
_NUMBER_NOISE = re.compile(_NUMBER_NOISE_PATTERN)


def parse_number(text: str) -> float:
    """Read one number as people write it in Indian reports; raise ``ValueError`` saying what is wrong.

    ``"₹1,23,456.50"`` -> 123456.5, ``"12.5%"`` -> 12.5, ``"૧,૨૩૪"`` -> 1234.0. See the module docstring for
    every accepted and rejected form.
    """
    cell = _normalise_cell(text)
    if not cell:
        raise ValueError("empty: no number given")
    if not _NUMBER.match(cell):
        raise ValueError(_why_not_a_number(text, cell))
    value = float(_NUMBER_NOISE.sub("", cell))
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is too large to be a number")
    return value


def _why_not_a_number(text: str, cell: str) -> str:
    if "," in cell and _NUMBER.match(cell.replace(",", "")):
        if re.fullmatch(r"[+-]?[0-9]+,[0-9]{1,2}", cell):
            return f"{text!r} uses a decimal comma; write {cell.replace(',', '.')!r}"
        return f"{text!r} has digit groups that are neither Indian (1,23,456) nor international (1,234,567)"
    if cell.startswith("(") and cell.endswith(")"):
        return f"{text!r}: brackets are not read as a minus sign; write -{cell[1:-1]}"
    return f"{text!r} is not a number"


def parse_numbers(array: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, list[tuple[int, str]]]:
    """Vectorised ``parse_number``: a float64 array and ``(index, message)`` for every cell that is not a number.

    Null and blank cells give null without an error (a missing value is not a malformed one; whether it is
    allowed is the validator's decision). Numeric input arrays are cast to float64 unchanged.
    """
    array = _as_strings(array)
    if not pa.types.is_string(array.type):
        return pc.cast(array, pa.float64()), []
    cells = _normalise_array(array)
    blank = pc.fill_null(pc.equal(cells, ""), True)
    valid = pc.fill_null(pc.match_substring_regex(cells, _NUMBER_PATTERN), False)
    cleaned = pc.replace_substring_regex(cells, pattern=_NUMBER_NOISE_PATTERN, replacement="")
    values = pc.cast(pc.if_else(valid, cleaned, pa.scalar(None, pa.string())), pa.float64())
    infinite = pc.fill_null(pc.is_inf(values), False)
    values = pc.if_else(infinite, pa.scalar(None, pa.float64()), values)
    bad = pc.and_(pc.invert(blank), pc.or_(pc.invert(valid), infinite))
    return values, _messages(array, bad, parse_number)


def _messages(original: pa.Array, bad: pa.Array, parser) -> list[tuple[int, str]]:
    errors = []
    for index in pc.indices_nonzero(bad).to_pylist():
        try:
            parser(original[index].as_py())
        except ValueError as error:
            errors.append((index, str(error)))
        else:  # pragma: no cover - the two paths disagree: a bug, reported rather than hidden
            errors.append((index, f"{original[index].as_py()!r}: rejected by the fast path only (please report)"))
    return errors


# --- dates --------------------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
_TIME = (
    r"(?:(?:[ ]+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[ ]*[AaPp]\.?[Mm]\.?)?"
    r"(?:[ ]*(?:Z|[+-][0-9]{2}:?[0-9]{2}))?)?"
)
_ISO = re.compile(rf"([0-9]{{4}})([-/.])([0-9]{{1,2}})\2([0-9]{{1,2}}){_TIME}")
_NUMERIC = re.compile(rf"([0-9]{{1,2}})([-/. ])([0-9]{{1,2}})\2([0-9]{{4}}|[0-9]{{2}}){_TIME}")
_DAY_MONTH_NAME = re.compile(
    rf"([0-9]{{1,2}})(?:st|nd|rd|th)?[-/. ]*([A-Za-z]{{3,9}})\.?[-/., ]*([0-9]{{4}}|[0-9]{{2}}){_TIME}"
)
_MONTH_NAME_DAY = re.compile(rf"([A-Za-z]{{3,9}})\.?[-. ]*([0-9]{{1,2}})(?:st|nd|rd|th)?,?[ -]*([0-9]{{4}}){_TIME}")
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_SERIAL = re.compile(r"([0-9]{5})(?:\.[0-9]+)?")
_MONTH_ONLY = re.compile(
    r"[A-Za-z]{3,9}\.?[-/., ]*(?:[0-9]{4}|[0-9]{2})"  # Nov 2026, November-26
    r"|[0-9]{1,2}[-/.][0-9]{4}|[0-9]{4}[-/.][0-9]{1,2}"  # 11/2026, 2026-11
)

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 0 once Excel's phantom 29 Feb 1900 is accounted for
SERIAL_RANGE = (18264, 73415)
"""Excel serial numbers ``parse_date`` accepts: 1 Jan 1950 to 31 Dec 2100 (outside it a number is not a date)."""


def excel_serial_to_date(serial: float) -> date:
    """The date of an Excel (1900 date system) serial number; any time-of-day fraction is dropped.

    Excel counts 1 Jan 1900 as day 1 and, copying a Lotus 1-2-3 bug, also counts 29 Feb 1900, which never
    existed: serial 60 is rejected, serials below it are one day later than a naive count gives.
    """
    whole = int(serial)
    if whole < 1:
        raise ValueError(f"Excel serial number {serial!r} is before 1 Jan 1900, the first Excel date")
    if whole == 60:
        raise ValueError("Excel serial number 60 is 29 Feb 1900, a day that never existed (Excel's leap-year bug)")
    return _EXCEL_EPOCH + timedelta(days=whole + 1 if whole < 60 else whole)


def parse_date(text: str, *, dayfirst: bool = True) -> date:
    """Read one date as Indian sources write it; raise ``ValueError`` saying what is wrong.

    ``"24-11-2026"``, ``"24-Nov-2026"``, ``"2026-11-24 10:30"`` and ``"46350"`` (Excel) all give
    ``date(2026, 11, 24)``. See the module docstring for every accepted form.
    """
    cell = _normalise_cell(text)
    if not cell:
        raise ValueError("empty: no date given")
    if match := _ISO.fullmatch(cell):
        return _make_date(text, int(match[1]), int(match[3]), int(match[4]))
    if match := _NUMERIC.fullmatch(cell):
        first, second, year = int(match[1]), int(match[3]), _full_year(match[4])
        day, month = (first, second) if dayfirst else (second, first)
        order = "day first" if dayfirst else "month first"
        return _make_date(text, year, month, day, hint=f" (read {order}: day {day}, month {month})")
    if match := _DAY_MONTH_NAME.fullmatch(cell):
        return _make_date(text, _full_year(match[3]), _month_number(text, match[2]), int(match[1]))
    if match := _MONTH_NAME_DAY.fullmatch(cell):
        return _make_date(text, int(match[3]), _month_number(text, match[1]), int(match[2]))
    if match := _COMPACT.fullmatch(cell):
        return _make_date(text, int(match[1]), int(match[2]), int(match[3]))
    if match := _SERIAL.fullmatch(cell):
        serial = int(match[1])
        if not SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
            raise ValueError(f"{text!r} is outside the Excel serial numbers read as dates (1950-2100)")
        return excel_serial_to_date(serial)
    if _MONTH_ONLY.fullmatch(cell):
        raise ValueError(f"{text!r} names a month (a period), not a date")
    raise ValueError(f"{text!r} is not a date")


def _full_year(digits: str) -> int:
    # Two-digit years follow the POSIX strptime pivot: 69-99 -> 1900s, 00-68 -> 2000s.
    year = int(digits)
    if len(digits) == 2:
        return year + (1900 if year >= 69 else 2000)
    return year


def _month_number(text: str, name: str) -> int:
    try:
        return _MONTHS[name.lower()]
    except KeyError:
        raise ValueError(f"{text!r}: {name!r} is not a month name") from None


def _make_date(text: str, year: int, month: int, day: int, *, hint: str = "") -> date:
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a real date{hint}: {error}") from None


_ISO_WITH_TIME_PATTERN = rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_TIME}$"
# Cells in these exact shapes go through pyarrow's strptime; everything else through ``parse_date``.
_FAST_DATE_FORMATS = [
    (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "%Y-%m-%d", "%Y-%m-%d"),
    (r"^[0-9]{2}-[0-9]{2}-[0-9]{4}$", "%d-%m-%Y", "%m-%d-%Y"),
    (r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$", "%d/%m/%Y", "%m/%d/%Y"),
    (r"^[0-9]{2}\.[0-9]{2}\.[0-9]{4}$", "%d.%m.%Y", "%m.%d.%Y"),
]


def parse_dates(array: pa.Array | pa.ChunkedArray, *, dayfirst: bool = True) -> tuple[pa.Array, list[tuple[int, str]]]:
    """Vectorised ``parse_date``: a date32 array and ``(index, message)`` for every cell that is not a date.

    Null and blank cells give null without an error. Each distinct text is parsed once (a date column holds few
    distinct values), common shapes by pyarrow's strptime. Timestamp and date arrays are cast to date32.
    """
    array = _as_strings(array)
    if pa.types.is_timestamp(array.type) or pa.types.is_date(array.type):
        return pc.cast(array, pa.date32()), []
    cells = _normalise_array(array)
    # Date-times in ISO order differ in their time part only: drop it first so that few distinct texts remain.
    iso_with_time = pc.fill_null(pc.match_substring_regex(cells, _ISO_WITH_TIME_PATTERN), False)
    cells = pc.if_else(iso_with_time, pc.utf8_slice_codeunits(cells, 0, 10), cells)
    encoded = pc.dictionary_encode(cells)
    distinct, indices = encoded.dictionary, encoded.indices
    parsed, bad_distinct = _parse_distinct_dates(distinct, dayfirst)
    values = pc.take(parsed, indices)
    bad = pc.fill_null(pc.is_in(indices, value_set=pa.array(bad_distinct, pa.int32())), False)
    return values, _messages(array, bad, lambda text: parse_date(text, dayfirst=dayfirst))


def _parse_distinct_dates(distinct: pa.Array, dayfirst: bool) -> tuple[pa.Array, list[int]]:
    parsed = pa.nulls(len(distinct), pa.date32())
    for shape, dayfirst_format, monthfirst_format in _FAST_DATE_FORMATS:
        fits = pc.match_substring_regex(distinct, shape)
        date_format = dayfirst_format if dayfirst else monthfirst_format
        stamps = pc.strptime(distinct, format=date_format, unit="s", error_is_null=True)
        # strptime rolls 31-02 over into March: keep only dates that print back as the text they came from.
        fits = pc.and_(fits, pc.equal(pc.strftime(stamps, format=date_format), distinct))
        parsed = pc.if_else(pc.fill_null(fits, False), pc.cast(stamps, pa.date32()), parsed)
    remaining = pc.indices_nonzero(pc.is_null(parsed)).to_pylist()
    results: dict[int, date] = {}
    bad: list[int] = []
    for position in remaining:
        text = distinct[position].as_py()
        if text == "":
            continue
        try:
            results[position] = parse_date(text, dayfirst=dayfirst)
        except ValueError:
            bad.append(position)
    if results:
        mask = pa.array([position in results for position in range(len(distinct))])
        parsed = pc.replace_with_mask(parsed, mask, pa.array(list(results.values()), pa.date32()))
    return parsed, bad


# --- text encodings and delimiters --------------------------------------------------------------------------

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# Bytes that Windows-1252 leaves undefined: a text holding them is in none of the encodings we guess.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def detect_encoding(blocks: Iterable[bytes]) -> str:
    """Guess the encoding of a text given as consecutive byte blocks (a whole file, read block by block).

    A byte-order mark decides at once (``utf-8-sig``, ``utf-16-le``, ``utf-16-be``); otherwise the first block
    is checked for BOM-less UTF-16 (NUL bytes in every other place), then the whole text must be valid UTF-8
    (``utf-8``), else valid Windows-1252 (``cp1252``, the usual "ANSI" export of Excel on Indian desktops).
    Raises ``ValueError`` when nothing fits.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, cp1252_ok, first, offset = True, True, True, 0
    for block in blocks:
        if first:
            first = False
            for bom, name in _BOMS:
                if block.startswith(bom):
                    return name
            if utf16 := _bomless_utf16(block):
                return utf16
        if utf8_ok:
            try:
                utf8.decode(block, final=False)
            except UnicodeDecodeError as error:
                utf8_ok, utf8_error_at = False, offset + error.start
        if cp1252_ok and not _CP1252_UNDEFINED.isdisjoint(block):
            cp1252_ok = False
        offset += len(block)
        if not utf8_ok and not cp1252_ok:
            break
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            utf8_error_at = offset
    if cp1252_ok:
        return "cp1252"
    raise ValueError(
        f"the text is neither UTF-8 (invalid byte at offset {utf8_error_at}), UTF-16 nor Windows-1252; "
        "give its encoding explicitly"
    )


def _bomless_utf16(block: bytes) -> str | None:
    sample = block[:4096]
    pairs = len(sample) // 2
    if pairs < 4 or b"\x00" not in sample:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nuls > 0.4 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.4 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Decode bytes to text, guessing the encoding when it is ``"auto"``; returns ``(text, encoding_used)``.

    Any byte-order mark is removed from the text. Raises ``ValueError`` naming the encoding and the offset of the
    first byte that does not fit.
    """
    used = detect_encoding([data]) if encoding == "auto" else encoding
    body = data
    if used in ("utf-16-le", "utf-16-be") and data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        body = data[2:]
    try:
        return body.decode(used), used
    except UnicodeDecodeError as error:
        raise ValueError(f"not valid {used}: byte {data[error.start]:#04x} at offset {error.start}") from None
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None


CSV_DELIMITERS = (",", ";", "\t", "|")
"""The delimiters ``sniff_delimiter`` chooses among, in order of preference when the evidence ties."""


def sniff_delimiter(sample: str, *, candidates: Iterable[str] = CSV_DELIMITERS) -> str:
    """The delimiter of a delimited text, from a sample of its first lines (header first).

    The winner splits the header into the most fields while giving the following records the same number of
    fields; a text that no candidate splits is taken as one column of comma-separated values (``","``).
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may end in the middle of a line
    text = "".join(lines[:50])
    best, best_score = ",", (0.0, 1)
    for delimiter in candidates:
        records = [record for record in csv.reader(io.StringIO(text), delimiter=delimiter) if record]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(len(record) == width for record in records) / len(records), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best
