"""Cell parsers: numbers and dates as Indian government data writes them, encodings, delimiters."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpulse.ingest.parsing import (
    decode_bytes,
    detect_encoding,
    excel_serial_to_date,
    normalise_digits,
    parse_date,
    parse_dates,
    parse_number,
    parse_numbers,
    sniff_delimiter,
)

# --- numbers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,23,456", 123456.0),
        ("12,34,56,789", 123456789.0),
        ("1,234", 1234.0),
        ("1,234,567", 1234567.0),
        ("12.5", 12.5),
        (" 1 234 ", 1234.0),
        ("1\u00a0234\u202f567", 1234567.0),
        ("-5", -5.0),
        ("\u22125", -5.0),
        ("+7", 7.0),
        (".5", 0.5),
        ("12.5%", 12.5),
        ("૧,૨૩,૪૫૬", 123456.0),
        ("१२३.५", 123.5),
        ("൧൨", 12.0),
        ("₹1,23,456.50", 123456.5),
        ("₹ 500", 500.0),
        ("-₹5", -5.0),
        ("₹-5", -5.0),
        ("Rs. 500/-", 500.0),
        ("INR 1,00,000", 100000.0),
        ("1.5e3", 1500.0),
        ("1.23E+05", 123000.0),
        ("0", 0.0),
    ],
)
def test_parse_number_accepts(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("12..5", "is not a number"),
        ("1,2,3", "neither Indian (1,23,456) nor international"),
        ("123,45,678", "neither Indian"),
        ("1,2345", "neither Indian"),
        ("12,5", "decimal comma"),
        ("(123)", "brackets"),
        ("abc", "is not a number"),
        ("NA", "is not a number"),
        ("-", "is not a number"),
        ("--5", "is not a number"),
        ("12.", "is not a number"),
        ("1e999", "too large"),
        ("nan", "is not a number"),
        ("5 6", "is not a number"),
    ],
)
def test_parse_number_rejects_with_a_plain_message(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_number(text)


def _indian(n: int) -> str:
    digits = str(n)
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *groups, tail])


@given(st.integers(min_value=0, max_value=10**15))
def test_any_integer_in_indian_or_international_grouping_reads_back(n):
    assert parse_number(_indian(n)) == n
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"-{n:,}.25") == -(n + 0.25)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from([0x0966, 0x0AE6, 0x0D66, 0x0BE6]))
def test_digits_of_indian_scripts_read_like_ascii_digits(n, zero):
    native = "".join(chr(zero + int(digit)) for digit in str(n))
    assert normalise_digits(native) == str(n)
    assert parse_number(native) == n


_NUMBERISH = st.text(alphabet="0123456789,.-+ %₹Rs/e૧२()", max_size=12)


@settings(max_examples=300)
@given(st.lists(st.one_of(st.none(), _NUMBERISH), max_size=20))
def test_vectorised_numbers_agree_with_the_scalar_parser(cells):
    values, errors = parse_numbers(pa.array(cells, pa.string()))
    messages = dict(errors)
    for index, cell in enumerate(cells):
        if cell is None or not cell.strip():
            assert values[index].as_py() is None and index not in messages
            continue
        try:
            expected = parse_number(cell)
        except ValueError as error:
            assert values[index].as_py() is None
            assert messages[index] == str(error)
        else:
            assert values[index].as_py() == expected and index not in messages


def test_parse_numbers_reports_index_and_message():
    values, errors = parse_numbers(pa.array(["1,23,456", None, "abc", "", "12.5%", "1,2,3"]))
    assert values.to_pylist() == [123456.0, None, None, None, 12.5, None]
    assert [index for index, _ in errors] == [2, 5]
    assert "'abc' is not a number" in errors[0][1]


def test_parse_numbers_accepts_chunked_and_numeric_arrays():
    values, errors = parse_numbers(pa.chunked_array([["1"], ["2,000"]]))
    assert values.to_pylist() == [1.0, 2000.0] and errors == []
    values, errors = parse_numbers(pa.array([1, 2], pa.int64()))
    assert values.type == pa.float64() and values.to_pylist() == [1.0, 2.0] and errors == []


def test_a_million_numbers_parse_in_one_vectorised_call():
    rng = random.Random(42)
    pool = ["1,23,456", "12.5%", "₹5,000", "૧૨૩", "-17", "abc", None, "", "3.25"]
    cells = pa.array([rng.choice(pool) for _ in range(1_000_000)])
    values, errors = parse_numbers(cells)
    assert len(values) == 1_000_000
    assert len(errors) == cells.to_pylist().count("abc")


# --- dates --------------------------------------------------------------------------------------------------

NOV_24 = date(2026, 11, 24)


@pytest.mark.parametrize(
    "text",
    [
        "24-11-2026", "24/11/2026", "24.11.2026", "24 11 2026", "24-11-26", "2026-11-24", "2026/11/24",
        "20261124", "24-Nov-2026", "24 Nov 2026", "24-NOV-2026", "24 November 2026", "24th Nov 2026",
        "24-Nov-26", "Nov 24, 2026", "November 24 2026", "46350", "2026-11-24 10:30", "2026-11-24T10:30:00",
        "2026-11-24T10:30:00.123Z", "2026-11-24T23:30:00+05:30", "24/11/2026 10:30 PM", "24-11-2026 10:30:15",
        "૨૪-૧૧-૨૦૨૬", "२४/११/२०२६", "൨൪.൧൧.൨൦൨൬", " 24-11-2026 ",
    ],
)
def test_parse_date_accepts(text):
    assert parse_date(text) == NOV_24


def test_numeric_day_month_is_day_first_unless_told_otherwise():
    assert parse_date("03/04/2026") == date(2026, 4, 3)
    assert parse_date("03/04/2026", dayfirst=False) == date(2026, 3, 4)
    assert parse_date("11/24/2026", dayfirst=False) == NOV_24
    assert parse_date("2026-03-04", dayfirst=False) == date(2026, 3, 4)  # ISO order never flips


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("Nov 2026", "names a month"),
        ("2026-11", "names a month"),
        ("11/2026", "names a month"),
        ("11/24/2026", r"not a real date \(read day first: day 11, month 24\)"),
        ("31-02-2026", "not a real date"),
        ("29-02-2026", "not a real date"),
        ("2026", "is not a date"),
        ("5", "is not a date"),
        ("99999", "outside the Excel serial numbers"),
        ("24-Foo-2026", "'Foo' is not a month name"),
        ("tomorrow", "is not a date"),
        ("2026-11-24 25", "is not a date"),
    ],
)
def test_parse_date_rejects_with_a_plain_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_date(text)


def test_leap_day_and_two_digit_year_pivot():
    assert parse_date("29-02-2028") == date(2028, 2, 29)
    assert parse_date("01-01-68") == date(2068, 1, 1)
    assert parse_date("01-01-69") == date(1969, 1, 1)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(1, date(1900, 1, 1)), (59, date(1900, 2, 28)), (61, date(1900, 3, 1)), (46350, NOV_24), (46350.75, NOV_24)],
)
def test_excel_serial_numbers_with_the_1900_leap_year_bug(serial, expected):
    assert excel_serial_to_date(serial) == expected


def test_excel_serial_60_is_the_day_that_never_was():
    with pytest.raises(ValueError, match="29 Feb 1900"):
        excel_serial_to_date(60)
    with pytest.raises(ValueError, match="before 1 Jan 1900"):
        excel_serial_to_date(0)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_any_date_reads_back_from_every_common_form(day):
    serial = (day - date(1899, 12, 30)).days
    for text in (
        day.strftime("%d-%m-%Y"), day.strftime("%d/%m/%Y"), day.isoformat(), day.strftime("%d-%b-%Y"),
        day.strftime("%b %d, %Y"), f"{day.isoformat()} 13:05:00", str(serial),
    ):
        assert parse_date(text) == day, text


_DATEISH = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)).map(lambda d: d.strftime("%d-%m-%Y")),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)).map(lambda d: d.isoformat() + " 10:00"),
    st.text(alphabet="0123456789-/. :TNovJan", max_size=16),
)


@settings(max_examples=300)
@given(st.lists(st.one_of(st.none(), _DATEISH), max_size=20), st.booleans())
def test_vectorised_dates_agree_with_the_scalar_parser(cells, dayfirst):
    values, errors = parse_dates(pa.array(cells, pa.string()), dayfirst=dayfirst)
    messages = dict(errors)
    for index, cell in enumerate(cells):
        if cell is None or not cell.strip():
            assert values[index].as_py() is None and index not in messages
            continue
        try:
            expected = parse_date(cell, dayfirst=dayfirst)
        except ValueError as error:
            assert values[index].as_py() is None
            assert messages[index] == str(error)
        else:
            assert values[index].as_py() == expected and index not in messages


def test_parse_dates_rejects_rolled_over_days_on_the_fast_path():
    values, errors = parse_dates(pa.array(["31-02-2026", "2026-02-30", "30-04-2026"]))
    assert values.to_pylist() == [None, None, date(2026, 4, 30)]
    assert [index for index, _ in errors] == [0, 1]


def test_parse_dates_casts_timestamp_arrays():
    values, errors = parse_dates(pa.array([None], pa.timestamp("s")))
    assert values.type == pa.date32() and errors == []


def test_a_million_dates_parse_in_one_vectorised_call():
    rng = random.Random(42)
    start = date(2020, 1, 1)
    forms = ["%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y"]
    cells = [
        (start + timedelta(days=rng.randrange(3000))).strftime(rng.choice(forms)).replace("00:00", f"10:{i % 60:02d}")
        for i in range(1_000_000)
    ]
    values, errors = parse_dates(pa.array(cells))
    assert errors == [] and values.null_count == 0


# --- encodings and delimiters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("District,₹\n".encode(), "District,₹\n", "utf-8"),
        (b"\xef\xbb\xbf" + "Zilla,₹".encode(), "Zilla,₹", "utf-8-sig"),
        ("જિલ્લો,é".encode("utf-16"), "જિલ્લો,é", "utf-16-le"),
        (b"\xfe\xff" + "Zilla".encode("utf-16-be"), "Zilla", "utf-16-be"),
        ("District name,count".encode("utf-16-le"), "District name,count", "utf-16-le"),
        ("Café,€5".encode("cp1252"), "Café,€5", "cp1252"),
        (b"", "", "utf-8"),
    ],
)
def test_decode_bytes_guesses_the_encoding(data, text, encoding):
    assert decode_bytes(data) == (text, encoding)


def test_decode_bytes_says_when_nothing_fits():
    with pytest.raises(ValueError, match="neither UTF-8 .* nor Windows-1252"):
        decode_bytes(b"abc\x81\xff")
    with pytest.raises(ValueError, match=r"not valid ascii: byte 0xe2 at offset 1"):
        decode_bytes("a₹".encode(), "ascii")


def test_detect_encoding_reads_past_the_first_block():
    # (The rupee sign has no Windows-1252 code: such files write "Rs." or, from the old Rupee Foradian font, "`".)
    blocks = [b"District,Count\n" * 1000, "Chhot\u00e9pur,\u20ac5\n".encode("cp1252")]
    assert detect_encoding(blocks) == "cp1252"
    # A multi-byte UTF-8 character split across two blocks is still UTF-8.
    rupee = "₹".encode()
    assert detect_encoding([b"a" + rupee[:1], rupee[1:] + b"b"]) == "utf-8"


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("District,Births,Deaths\nSurat,1,2\n", ","),
        ("District;Births;Rate\nSurat;1,23,456;2,5\nAnand;7;8\n", ";"),
        ("District\tBirths\nSurat\t1,234\n", "\t"),
        ("District|Births\nSurat|1,234\n", "|"),
        ('"Name, full";Count\n"Patel, A";5\n', ";"),
        ("Single column\nvalue\n", ","),
        ("", ","),
    ],
)
def test_sniff_delimiter(sample, expected):
    assert sniff_delimiter(sample) == expected


def test_dictionary_encoded_cells_parse_like_plain_ones():
    cells = pa.array(["1,234", "24-11-2026", "1,234"]).dictionary_encode()
    assert parse_numbers(cells)[0].to_pylist() == [1234.0, None, 1234.0]
    assert parse_dates(cells)[0].to_pylist() == [None, NOV_24, None]
