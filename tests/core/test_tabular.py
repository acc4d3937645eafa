"""Reading uploads: a hostile or mis-saved file is refused with a message saying what to fix,
quickly and in little memory, never read into rows no one wrote."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from crossborder.core import tabular
from crossborder.core.tabular import FileRefused, read_table

KNOWN = ("pes", "reference", "status")
HEADER = ["pes", "reference", "status"]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML changed by change(xml) -> xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(member.filename, content)
    return buffer.getvalue()


def read(filename: str, data: bytes, **kwargs) -> tabular.Table:
    return read_table(filename, data, known=KNOWN, required=(), **kwargs)


def refusal(filename: str, data: bytes, **kwargs) -> str:
    with pytest.raises(FileRefused) as refused:
        read(filename, data, **kwargs)
    return refused.value.message


def measured(function):
    """(result, peak bytes allocated by Python). Memory only: the time it takes is the
    benchmark's to measure, not a test's (a loaded machine would fail a timed test)."""
    tracemalloc.start()
    try:
        result = function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, peak


def test_a_small_workbook_reaching_row_a_million_is_refused_at_once():
    data = workbook([HEADER, ["vdab", "A1", "completed"]])
    data = rewrite_sheet(
        data,
        lambda xml: xml.replace(
            b"</sheetData>",
            b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>'
            b"</sheetData>",
        ),
    )
    assert len(data) < 10_000

    message, peak = measured(lambda: refusal("a.xlsx", data))

    assert message == (
        "The file goes on beyond row 20001, blank rows included; delete the rows below the data, "
        "or split it into smaller files."
    )
    # Measured: 0.2 MB (it was 105 MB, and 19 s, when every row was built first).
    assert peak < 50 * 1024 * 1024


def test_a_declared_million_rows_and_columns_are_not_believed():
    data = rewrite_sheet(
        workbook([HEADER, ["vdab", "A1", "completed"]]),
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml),
    )

    table, peak = measured(lambda: read("a.xlsx", data))

    assert table.rows == [(2, {"pes": "vdab", "reference": "A1", "status": "completed"})]
    assert peak < 50 * 1024 * 1024


def test_a_row_of_a_million_cells_is_refused_before_it_is_built():
    cells = b"<c/>" * 1_000_000
    data = rewrite_sheet(
        workbook([HEADER, ["vdab", "A1", "completed"]]),
        lambda xml: xml.replace(b"</sheetData>", b"<row>" + cells + b"</row></sheetData>"),
    )
    assert len(data) < 50_000

    message, peak = measured(lambda: refusal("a.xlsx", data))

    assert message == (
        "Row 3 goes on beyond column 100; delete the columns to the right of the data."
    )
    assert peak < 50 * 1024 * 1024


def test_a_cell_far_to_the_right_is_refused_by_its_row():
    data = workbook([HEADER, ["vdab", "A1", "completed", *[None] * 200, "x"]])

    assert refusal("a.xlsx", data) == (
        "Row 2 goes on beyond column 100; delete the columns to the right of the data."
    )


def test_a_csv_of_a_million_blank_lines_is_refused_at_once():
    data = b"pes;reference;status\r\nvdab;A1;completed\r\n" + b"\r\n" * 1_000_000

    message, peak = measured(lambda: refusal("a.csv", data))

    assert message.startswith("The file goes on beyond row 20001")
    assert peak < 50 * 1024 * 1024


def test_blank_rows_count_towards_the_rows_an_import_reads():
    rows = "pes;reference;status\n" + "\n" * 10 + "vdab;A1;completed\n"

    assert refusal("a.csv", rows.encode(), max_rows=4) == (
        "The file goes on beyond row 9, blank rows included; delete the rows below the data, or "
        "split it into smaller files."
    )
    assert len(read("a.csv", rows.encode(), max_rows=6).rows) == 1


def test_a_workbook_that_unpacks_into_too_much_is_refused_unread(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 100 * 1024)
    data = workbook([HEADER, *[["vdab", f"A{n}", "completed"] for n in range(3000)]])

    assert refusal("a.xlsx", data).startswith("The workbook unpacks into ")


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),
        ("utf-32-le", "UTF-32"),
    ],
)
def test_a_utf16_or_utf32_csv_is_refused_by_its_encoding(encoding, name):
    data = "pes\treference\tstatus\r\nvdab\tA1\tcompleted\r\n".encode(encoding)

    assert refusal("a.csv", data) == (
        f'The file is {name}; save it from Excel as "CSV UTF-8" or as .xlsx.'
    )


def test_a_nul_character_in_a_csv_cell_is_refused_by_row_and_column():
    data = b"pes;reference;status\nvdab;A1;completed\nvdab;A\x002;completed\n"

    assert refusal("a.csv", data) == (
        "Row 3, column reference holds a NUL character (an invisible character that cannot be "
        "stored); delete it, or save the file again as .xlsx."
    )


def test_a_nul_character_in_a_column_name_is_refused_by_its_place():
    assert refusal("a.csv", b"pes;refer\x00ence\nvdab;A1\n").startswith(
        "Row 1, column 2 holds a NUL character"
    )


def test_a_nul_character_in_a_workbook_is_refused_as_unreadable():
    # XML cannot hold a NUL, not even as &#0;: such a sheet is no workbook.
    for nul in (b"\x00", b"&#0;"):
        data = rewrite_sheet(
            workbook([HEADER, ["vdab", "A1", "completed"]]),
            lambda xml, nul=nul: xml.replace(b"<t>A1</t>", b"<t>A" + nul + b"1</t>").replace(
                b">A1<", b">A" + nul + b"1<"
            ),
        )
        assert refusal("a.xlsx", data) == (
            "The file is not a readable .xlsx workbook (an old .xls? save it again as .xlsx)."
        )


def test_a_plain_workbook_and_csv_are_read_as_before():
    data = workbook([HEADER, ["vdab", "A1", "completed"], [], ["vdab", "A2", None]])
    expected = [
        (2, {"pes": "vdab", "reference": "A1", "status": "completed"}),
        (4, {"pes": "vdab", "reference": "A2", "status": None}),
    ]

    assert read("a.xlsx", data).rows == expected
    csv_rows = read("a.csv", b"pes;reference;status\nvdab;A1;completed\n;;\nvdab;A2\n").rows
    assert csv_rows == [
        (2, {"pes": "vdab", "reference": "A1", "status": "completed"}),
        (4, {"pes": "vdab", "reference": "A2", "status": None}),
    ]
