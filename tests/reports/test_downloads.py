"""Every download goes through the one CSV and one .xlsx writer: a text Excel would run as a
formula comes out as text, an empty selection is a file with its header, and a format that an
output does not offer is refused naming the ones it does."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from crossborder.core.formats import UnknownFormat
from crossborder.core.writers import XlsxWorkbook, guard, write_csv
from reports import exports
from reports.year_report import year_report
from tests.factories import ActionFactory, FigureFactory

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1)"]


@pytest.fixture
def formula_actions(vdab) -> list:
    actions = [ActionFactory(title=title) for title in FORMULAS]
    FigureFactory(action=actions[0], pes=vdab, value=5)
    return actions


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def sheet_rows(content: bytes, index: int = 0) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[index]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_formula_guard_quotes_texts_and_leaves_numbers():
    assert [guard(text) for text in FORMULAS] == [f"'{text}" for text in FORMULAS]
    assert [guard(value) for value in ("\tx", "\rx", "-x", "a=b", -3, 2.5, None)] == [
        "'\tx",
        "'\rx",
        "'-x",
        "a=b",
        -3,
        2.5,
        None,
    ]


def test_csv_writer_keeps_the_caller_s_delimiter_a_byte_order_mark_and_crlf():
    content = write_csv([{"a": 1, "b": None}], columns=["a", "b"], delimiter=";")
    assert content == "\ufeffa;b\r\n1;\r\n".encode()
    assert write_csv([], columns=["action", "pes"], headings=["Action", "PES"]).endswith(
        b"Action,PES\r\n"
    )


def test_xlsx_writer_heads_in_bold_freezes_the_header_and_formats_minimums():
    workbook = XlsxWorkbook(lower_bound_format='"at least "0')
    sheet = workbook.sheet("Outcomes: 2017/2018")
    sheet.header(["Type", "Started"])
    sheet.append(["=1+1", 200], lower_bounds={1})
    loaded = load_workbook(io.BytesIO(workbook.to_bytes())).worksheets[0]
    assert loaded.title == "Outcomes 20172018"
    assert loaded.freeze_panes == "A2"
    assert loaded["A1"].font.bold and not loaded["A2"].font.bold
    assert (loaded["A2"].value, loaded["A2"].data_type) == ("'=1+1", "s")
    assert (loaded["B2"].value, loaded["B2"].number_format) == (200, '"at least "0')


def test_action_list_csv_writes_formulas_as_text(client, manager, formula_actions):
    client.force_login(manager)
    header, *rows = csv_rows(client.get("/actions/?export=csv&sort=title").content)
    titles = {row[header.index("Title")] for row in rows}
    assert titles == {f"'{title}" for title in FORMULAS}
    hyperlink = next(row for row in rows if "HYPERLINK" in row[header.index("Title")])
    assert hyperlink[header.index("Started")] == "5"


def test_action_list_xlsx_writes_formulas_as_text_and_figures_as_numbers(
    client, manager, formula_actions
):
    client.force_login(manager)
    response = client.get("/actions/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    title, started = header.index("Title") + 1, header.index("Started") + 1
    cells = [sheet.cell(row=row, column=title) for row in range(2, sheet.max_row + 1)]
    assert {cell.value for cell in cells} == {f"'{text}" for text in FORMULAS}
    assert {cell.data_type for cell in cells} == {"s"}
    figures = [sheet.cell(row=row, column=started).value for row in range(2, sheet.max_row + 1)]
    assert sorted(figures) == [0, 0, 5]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold


def test_year_report_xlsx_writes_formulas_as_text(formula_actions):
    content = exports.year_report_xlsx(year_report(year=2017), "en")
    answer = [value for row in sheet_rows(content, 0) for value in row if isinstance(value, str)]
    flat = sheet_rows(content, 1)
    titles = [row[flat[0].index("title")] for row in flat[1:]]
    for text in FORMULAS:
        assert f"'{text}" in answer
        assert f"'{text}" in titles
        assert text not in answer and text not in titles


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_an_empty_action_list_downloads_its_header_only(client, manager, export):
    client.force_login(manager)
    assert client.get("/actions/?year=2016").status_code == 200
    response = client.get(f"/actions/?year=2016&export={export}")
    assert response.status_code == 200
    if export == "csv":
        rows = csv_rows(response.content)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
    else:
        rows = sheet_rows(response.content)
    assert len(rows) == 1
    assert rows[0][:2] == ["Reference", "Title"]
    assert response["Content-Disposition"].endswith(f'.{export}"')


def test_an_unknown_download_format_is_a_400_naming_the_formats(client, manager):
    client.force_login(manager)
    response = client.get("/actions/?export=pdf")
    assert response.status_code == 400
    assert "“pdf” is not a format; use any of: csv, xlsx." in response.content.decode()
    response = client.get("/reports/year/2017/?format=pdf")
    assert response.status_code == 400
    assert response.content.decode() == (
        "format: “pdf” is not a format; use any of: html, xlsx, docx, csv.\n"
    )


def test_each_output_offers_its_formats():
    assert exports.ACTION_LIST.names == ("csv", "xlsx")
    assert exports.OUTCOMES.names == ("csv", "json", "xlsx")
    assert exports.YEAR_REPORT.names == ("html", "xlsx", "docx", "csv")
    with pytest.raises(UnknownFormat, match="use any of: csv, json, xlsx"):
        exports.OUTCOMES.get("docx")


def test_the_command_names_the_formats_of_each_report(db):
    with pytest.raises(CommandError, match="use any of: html, xlsx, docx, csv"):
        call_command("report", "year", "2017", "--format", "json", stdout=io.StringIO())
    with pytest.raises(CommandError, match="use any of: csv, json, xlsx"):
        call_command("report", "outcomes", "--format", "docx", stdout=io.StringIO())
