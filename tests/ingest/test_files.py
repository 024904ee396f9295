"""csv_folder and excel_folder: the files government portals and desk officers actually produce."""

from __future__ import annotations

import gc
import os
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from govpulse.ingest.connectors import ConnectorError, ConnectorSettingsError, RecordChunk, SourceDataError
from govpulse.ingest.connectors.files import STATE_FILE, CsvFolderConnector, ExcelFolderConnector
from govpulse.ingest.parsing import parse_date


def read_all(connector) -> list[RecordChunk]:
    return list(connector.read())


def rows_of(chunks: list[RecordChunk]) -> list[dict]:
    return [row for chunk in chunks for row in chunk.table.to_pylist()]


def csv_folder(tmp_path: Path, **settings) -> CsvFolderConnector:
    return CsvFolderConnector({"folder": str(tmp_path), **settings}, name="births")


# --- CSV ----------------------------------------------------------------------------------------------------


def test_reads_values_as_strings_with_lineage(tmp_path):
    (tmp_path / "births.csv").write_text("District,Births,Date\nAhmedabad,\"1,23,456\",24-11-2026\nSurat,,  \n")
    (chunk,) = read_all(csv_folder(tmp_path))
    origin = str(tmp_path / "births.csv")
    assert chunk.origin == origin and chunk.problems == ()
    assert chunk.data_columns == ["District", "Births", "Date"]
    assert chunk.table.schema.field("_source_row").type == pa.int64()
    assert rows_of([chunk]) == [
        {"District": "Ahmedabad", "Births": "1,23,456", "Date": "24-11-2026", "_source_file": origin, "_source_row": 2},
        # An empty cell is null; a cell of spaces is kept as the source gave it.
        {"District": "Surat", "Births": None, "Date": "  ", "_source_file": origin, "_source_row": 3},
    ]


def test_empty_file_is_a_clear_error_naming_the_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(SourceDataError, match=r"empty\.csv: the file is empty \(0 bytes\)"):
        read_all(csv_folder(tmp_path))


def test_blank_file_is_a_clear_error(tmp_path):
    (tmp_path / "blank.csv").write_text("\n\n  \n")
    with pytest.raises(SourceDataError, match=r"blank\.csv: the file holds no rows"):
        read_all(csv_folder(tmp_path))


def test_header_only_file_gives_one_empty_chunk(tmp_path):
    (tmp_path / "none_yet.csv").write_text("District,Births\n")
    chunks = read_all(csv_folder(tmp_path))
    assert len(chunks) == 1
    assert chunks[0].num_rows == 0 and chunks[0].data_columns == ["District", "Births"]


def test_utf8_bom_is_not_part_of_the_first_column_name(tmp_path):
    (tmp_path / "bom.csv").write_bytes("\ufeffDistrict,Amount\nAmreli,₹5,00\n".encode())
    (chunk,) = read_all(csv_folder(tmp_path, delimiter=","))
    assert chunk.data_columns == ["District", "Amount"]


def test_utf16_file_as_excel_unicode_text_export(tmp_path):
    # Excel's "Unicode Text" export: UTF-16 LE with a BOM, tab separated.
    (tmp_path / "export.csv").write_bytes("જિલ્લો\tજન્મ\nઅમદાવાદ\t૧,૨૩૪\n".encode("utf-16"))
    (chunk,) = read_all(csv_folder(tmp_path))
    assert rows_of([chunk])[0] | {"_source_file": None} == {
        "જિલ્લો": "અમદાવાદ", "જન્મ": "૧,૨૩૪", "_source_file": None, "_source_row": 2,
    }


def test_windows_1252_file(tmp_path):
    (tmp_path / "ansi.csv").write_bytes("Name,Fee\nCafé Résidence,€5\nSeva Kendra,Rs. 500/-\n".encode("cp1252"))
    (chunk,) = read_all(csv_folder(tmp_path))
    assert chunk.table.column("Name").to_pylist() == ["Café Résidence", "Seva Kendra"]
    assert chunk.table.column("Fee").to_pylist() == ["€5", "Rs. 500/-"]


def test_a_non_ascii_byte_far_into_the_file_still_decides_the_encoding(tmp_path):
    lines = ["District,Name"] + [f"D{i},Plain" for i in range(20_000)] + ["Surat,Zoé"]
    (tmp_path / "late.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    chunks = read_all(csv_folder(tmp_path))
    assert rows_of(chunks)[-1]["Name"] == "Zoé"


def test_wrong_explicit_encoding_names_the_file(tmp_path):
    (tmp_path / "utf8.csv").write_bytes("District\nમહેસાણા\n".encode())
    with pytest.raises(SourceDataError, match=r"utf8\.csv: not valid ascii text"):
        read_all(csv_folder(tmp_path, encoding="ascii"))


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("District;Births;Rate\nSurat;1,23,456;2,5\n", "auto"),
        ("District\tBirths\tRate\nSurat\t1,23,456\t2,5\n", "auto"),
        ("District\tBirths\tRate\nSurat\t1,23,456\t2,5\n", "tab"),
        ("District|Births|Rate\nSurat|1,23,456|2,5\n", "auto"),
    ],
)
def test_semicolon_tab_and_pipe_delimiters(tmp_path, text, delimiter):
    (tmp_path / "d.csv").write_text(text)
    (chunk,) = read_all(csv_folder(tmp_path, delimiter=delimiter))
    assert rows_of([chunk])[0]["Births"] == "1,23,456" and rows_of([chunk])[0]["Rate"] == "2,5"


def test_header_on_row_3_below_two_title_rows(tmp_path):
    (tmp_path / "portal.csv").write_text(
        "Government of Gujarat - Health Department,,\n"
        "Report generated on 24-11-2026,,\n"
        "District,Institutional deliveries,Home deliveries\n"
        "Kutch,120,4\n"
        "Patan,98,1\n"
    )
    (chunk,) = read_all(csv_folder(tmp_path, header_row=3))
    assert chunk.data_columns == ["District", "Institutional deliveries", "Home deliveries"]
    assert chunk.table.column("_source_row").to_pylist() == [4, 5]


def test_skip_rows_below_the_header_and_blank_rows_keep_their_numbers(tmp_path):
    (tmp_path / "units.csv").write_text("District,Births\n(name),(count)\nKutch,1\n\n,\nPatan,2\n")
    (chunk,) = read_all(csv_folder(tmp_path, skip_rows=1))
    assert chunk.table.column("District").to_pylist() == ["Kutch", "Patan"]
    assert chunk.table.column("_source_row").to_pylist() == [3, 6]


def test_a_quoted_multiline_cell_stays_in_one_row(tmp_path):
    (tmp_path / "notes.csv").write_text('District,Remark\nKutch,"line one\nline two"\nPatan,ok\n')
    (chunk,) = read_all(csv_folder(tmp_path))
    assert chunk.table.column("Remark").to_pylist() == ["line one\nline two", "ok"]
    assert chunk.table.column("_source_row").to_pylist() == [2, 3]


def test_ragged_rows_are_reported_with_file_and_row_not_a_crash(tmp_path):
    (tmp_path / "ragged.csv").write_text(
        "District,Births,Deaths\nKutch,1,2\nPatan,5\nSurat,1,2,3\nAnand,4,5,,\nDang,7,8\n"
    )
    (chunk,) = read_all(csv_folder(tmp_path))
    assert chunk.table.column("District").to_pylist() == ["Kutch", "Anand", "Dang"]
    problems = [(problem.row, problem.message) for problem in chunk.problems]
    assert problems == [(3, "has 2 fields where the header has 3"), (4, "has 4 fields where the header has 3")]
    assert str(chunk.problems[0]) == f"{tmp_path / 'ragged.csv'}, row 3: has 2 fields where the header has 3"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("District,Births,District", r"repeats the column name 'District' \(columns 1 and 3\)"),
        ("District, births ,BIRTHS", r"repeats the column name 'BIRTHS' \(columns 2 and 3\)"),
        ("District,_source_row", "reserved for lineage"),
        (",,", "header \\(row 1\\) is empty"),
    ],
)
def test_unusable_headers_are_clear_errors(tmp_path, header, message):
    (tmp_path / "bad.csv").write_text(f"{header}\n1,2,3\n")
    with pytest.raises(SourceDataError, match=rf"bad\.csv: .*{message}"):
        read_all(csv_folder(tmp_path))


def test_header_names_are_tidied_and_blank_ones_named_by_position(tmp_path):
    (tmp_path / "h.csv").write_text('" District\n name ",,Births,,\nKutch,x,1,,\n')
    (chunk,) = read_all(csv_folder(tmp_path))
    assert chunk.data_columns == ["District name", "column_2", "Births"]


def test_header_row_beyond_the_end_of_the_file(tmp_path):
    (tmp_path / "short.csv").write_text("only one row\n")
    with pytest.raises(SourceDataError, match=r"short\.csv: the file has fewer than 5 rows"):
        read_all(csv_folder(tmp_path, header_row=5))


def test_huge_file_streams_in_bounded_memory(tmp_path):
    rows = 300_000
    path = tmp_path / "huge.csv"
    with path.open("w") as out:
        out.write("village_code,district,births,deaths,date\n")
        for i in range(rows):
            out.write(f"{500000 + i},Banaskantha,{i % 97},{i % 13},24-11-2026\n")
    connector = csv_folder(tmp_path, chunk_rows=50_000)
    gc.collect()
    tracemalloc.start()
    arrow_peak, count, chunk_sizes, last_row = 0, 0, [], 0
    try:
        for chunk in connector.read():
            chunk_sizes.append(chunk.num_rows)
            last_row = chunk.table.column("_source_row")[-1].as_py()
            arrow_peak = max(arrow_peak, pa.total_allocated_bytes())
            count += chunk.num_rows
            del chunk
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert chunk_sizes == [50_000] * 6
    assert count == rows and last_row == rows + 1
    file_size = path.stat().st_size
    # All 300k rows held at once as Python strings take about 15 times the file's size (150 MB here); one chunk
    # of 50k rows at a time stays near 2.5 times, whatever the file's length.
    assert python_peak < 3 * file_size, f"Python peak {python_peak:,} B for a {file_size:,} B file"
    assert arrow_peak < file_size, f"Arrow peak {arrow_peak:,} B for a {file_size:,} B file"


# --- processed files ----------------------------------------------------------------------------------------


def test_keep_reads_every_file_every_time_in_name_order(tmp_path):
    for name in ("b.csv", "a.csv"):
        (tmp_path / name).write_text("x\n1\n")
    (tmp_path / "notes.txt").write_text("not matched")
    connector = csv_folder(tmp_path)
    assert [Path(chunk.origin).name for chunk in connector.read()] == ["a.csv", "b.csv"]
    connector.mark_processed(str(tmp_path / "a.csv"))
    assert len(read_all(connector)) == 2


def test_archive_moves_a_marked_file_and_it_is_not_read_again(tmp_path):
    (tmp_path / "day1.csv").write_text("x\n1\n")
    connector = csv_folder(tmp_path, after_read="archive")
    (chunk,) = read_all(connector)
    assert read_all(connector), "reading alone must not archive anything"
    connector.mark_processed(chunk.origin)
    assert not (tmp_path / "day1.csv").exists() and (tmp_path / "archive" / "day1.csv").exists()
    assert read_all(connector) == []
    # The same name dropped again is archived beside the first, not over it.
    (tmp_path / "day1.csv").write_text("x\n2\n")
    connector.mark_processed(read_all(connector)[0].origin)
    assert len(list((tmp_path / "archive").glob("day1*.csv"))) == 2


def test_remember_skips_a_processed_file_until_it_changes(tmp_path):
    path = tmp_path / "daily.csv"
    path.write_text("x\n1\n")
    connector = csv_folder(tmp_path, after_read="remember")
    (chunk,) = read_all(connector)
    connector.mark_processed(chunk.origin)
    assert (tmp_path / STATE_FILE).exists()
    assert read_all(connector) == []
    assert csv_folder(tmp_path, after_read="remember").pending_files() == []  # the state outlives the object
    path.write_text("x\n1\n2\n")  # re-exported with more rows
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    assert rows_of(read_all(connector))[-1]["x"] == "2"


def test_since_reads_only_files_modified_after_it(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("x\n1\n")
    new.write_text("x\n2\n")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    since = datetime.now(timezone.utc) - timedelta(minutes=5)
    assert [Path(chunk.origin).name for chunk in csv_folder(tmp_path).read(since)] == ["new.csv"]
    naive_since = datetime.now() - timedelta(minutes=5)
    assert [Path(chunk.origin).name for chunk in csv_folder(tmp_path).read(naive_since)] == ["new.csv"]


def test_missing_folder_is_reported_when_reading(tmp_path):
    connector = csv_folder(tmp_path / "nowhere")
    with pytest.raises(ConnectorError, match=r"csv_folder connector 'births': folder .*nowhere does not exist"):
        read_all(connector)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"delimeter": ";"}, "setting 'delimeter': unknown setting"),
        ({"encoding": "klingon"}, "unknown encoding 'klingon'"),
        ({"delimiter": ";;"}, "one character"),
        ({"header_row": 0}, "setting 'header_row'"),
        ({"after_read": "delete"}, "setting 'after_read'"),
    ],
)
def test_settings_are_checked_with_clear_errors(tmp_path, settings, message):
    with pytest.raises(ConnectorSettingsError, match=message):
        csv_folder(tmp_path, **settings)


def test_describe_is_one_line_for_people(tmp_path):
    text = csv_folder(tmp_path, header_row=3, delimiter=";", after_read="archive").describe()
    assert "\n" not in text
    assert "'*.csv'" in text and "header on row 3" in text and "delimiter ';'" in text and "archive" in text


# --- Excel --------------------------------------------------------------------------------------------------


def write_portal_workbook(path: Path) -> None:
    """A workbook as state portals export it: a summary sheet, then data below merged title rows."""
    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["Total", 3])
    sheet = workbook.create_sheet("Deliveries")
    sheet["A1"] = "Health & Family Welfare Department, Gujarat"
    sheet.merge_cells("A1:E1")
    sheet["A2"] = "Institutional deliveries, November 2026"
    sheet.merge_cells("A2:E2")
    sheet.append(["District", "Report date", "Deliveries", "Share", "Verified"])
    sheet.append(["Kutch", datetime(2026, 11, 24), 120, 0.25, True])
    sheet.append(["Patan", 46350, 98.0, 12.5, False])  # a date typed as its serial number
    sheet.append([])
    sheet.append(["Surat", datetime(2026, 11, 24, 10, 30), None, None, None])
    sheet["B4"].number_format = "DD-MM-YYYY"
    workbook.save(path)


def excel_folder(tmp_path: Path, **settings) -> ExcelFolderConnector:
    return ExcelFolderConnector({"folder": str(tmp_path), **settings}, name="deliveries")


def test_excel_sheet_below_merged_title_rows(tmp_path):
    write_portal_workbook(tmp_path / "deliveries.xlsx")
    (chunk,) = read_all(excel_folder(tmp_path, sheet="Deliveries", header_row=3))
    rows = [{key: value for key, value in row.items() if key != "_source_file"} for row in rows_of([chunk])]
    assert rows == [
        {"District": "Kutch", "Report date": "2026-11-24", "Deliveries": "120", "Share": "0.25", "Verified": "TRUE",
         "_source_row": 4},
        {"District": "Patan", "Report date": "46350", "Deliveries": "98", "Share": "12.5", "Verified": "FALSE",
         "_source_row": 5},
        {"District": "Surat", "Report date": "2026-11-24 10:30:00", "Deliveries": None, "Share": None,
         "Verified": None, "_source_row": 7},
    ]
    # Real Excel dates and serial numbers come out as the same day.
    assert {parse_date(cell) for cell in chunk.table.column("Report date").to_pylist()} == {date(2026, 11, 24)}


def test_excel_sheet_by_position_and_default_first(tmp_path):
    write_portal_workbook(tmp_path / "deliveries.xlsx")
    (by_position,) = read_all(excel_folder(tmp_path, sheet=2, header_row=3))
    assert by_position.num_rows == 3
    (first,) = read_all(excel_folder(tmp_path))
    assert first.data_columns == ["Total", "3"] and first.num_rows == 0


def test_excel_missing_sheet_lists_the_sheets(tmp_path):
    write_portal_workbook(tmp_path / "deliveries.xlsx")
    with pytest.raises(SourceDataError, match=r"no sheet named 'Births'; its sheets are 'Summary', 'Deliveries'"):
        read_all(excel_folder(tmp_path, sheet="Births"))
    with pytest.raises(SourceDataError, match="has 2 sheet\\(s\\), so no sheet number 3"):
        read_all(excel_folder(tmp_path, sheet=3))


def test_excel_header_only_and_chunking(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Village", "Children"])
    workbook.save(tmp_path / "a_empty.xlsx")
    workbook = openpyxl.Workbook()
    workbook.active.append(["Village", "Children"])
    for i in range(25):
        workbook.active.append([f"V{i}", i])
    workbook.save(tmp_path / "b_full.xlsx")
    chunks = read_all(excel_folder(tmp_path, chunk_rows=10))
    assert [(Path(chunk.origin).name, chunk.num_rows) for chunk in chunks] == [
        ("a_empty.xlsx", 0), ("b_full.xlsx", 10), ("b_full.xlsx", 10), ("b_full.xlsx", 5)
    ]
    assert chunks[-1].table.column("_source_row").to_pylist() == [22, 23, 24, 25, 26]


def test_excel_duplicate_header_and_stray_cells(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Village", "Village"])
    workbook.save(tmp_path / "dup.xlsx")
    with pytest.raises(SourceDataError, match=r"dup\.xlsx: the header \(row 1\) repeats the column name 'Village'"):
        read_all(excel_folder(tmp_path))
    (tmp_path / "dup.xlsx").unlink()
    workbook = openpyxl.Workbook()
    workbook.active.append(["Village", "Children"])
    workbook.active.append(["Vav", 3, None, "stray note"])
    workbook.save(tmp_path / "stray.xlsx")
    (chunk,) = read_all(excel_folder(tmp_path))
    assert chunk.num_rows == 0
    assert [(problem.row, problem.message) for problem in chunk.problems] == [
        (2, "has a value in column 4, right of the 2 named columns")
    ]


def test_excel_empty_broken_and_old_files(tmp_path):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    with pytest.raises(SourceDataError, match=r"empty\.xlsx: the file is empty"):
        read_all(excel_folder(tmp_path))
    (tmp_path / "empty.xlsx").write_text("District,Births\n")
    with pytest.raises(SourceDataError, match=r"empty\.xlsx: not a readable \.xlsx workbook"):
        read_all(excel_folder(tmp_path))
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SourceDataError, match=r"old\.xls: old-style \.xls workbooks cannot be read"):
        read_all(excel_folder(tmp_path, pattern="*.xls"))


def test_mark_processed_refuses_a_file_outside_the_folder(tmp_path):
    (tmp_path / "drop").mkdir()
    (tmp_path / "elsewhere.csv").write_text("x\n1\n")
    connector = csv_folder(tmp_path / "drop", after_read="archive")
    with pytest.raises(ConnectorError, match="cannot mark .*elsewhere.csv: no such file in"):
        connector.mark_processed(str(tmp_path / "elsewhere.csv"))
    assert (tmp_path / "elsewhere.csv").exists()
