"""The files of the year report and of the outcomes table open, and say what the report says."""

from __future__ import annotations

import csv
import io
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from reports import exports
from reports.selectors import outcomes
from reports.year_report import year_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_2017(demo):
    return year_report(year=2017)


@pytest.fixture
def report_2018(demo):
    return year_report(year=2018)


def docx_tables(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


def table_with(tables: list[list[list[str]]], text: str) -> list[list[str]]:
    return next(t for t in tables if any(text in row for row in t))


def row_with(rows: list[list], text: str) -> list:
    return next(row for row in rows if text in row)


def test_docx_in_dutch_has_a_heading_per_project_and_a_table_per_type(report_2017):
    data = exports.year_report_docx(report_2017, "nl")
    paragraphs, tables = docx_tables(data)
    document = Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == [
        "Grenzeloos Tewerkstellen",
        "Grenzeloos Competent",
        "Act'emploi",
        "AB Réfugiés",
    ]
    cohorts = table_with(tables, "Begeleidingsactie LKT")
    assert row_with(cohorts, "Begeleidingsactie LKT")[:3] == [
        "27/04/2017 \N{EN DASH} 27/07/2017",
        "LKT",
        "Begeleidingsactie LKT",
    ]
    # Starts per PES (Le Forem, Pôle emploi, VDAB), started, found work; then the total row.
    assert row_with(cohorts, "Begeleidingsactie LKT")[4:] == ["4", "5", "1", "10", "3"]
    assert cohorts[-1][4:] == ["4", "11", "4", "19", "9"]
    assert cohorts[0][4:] == [
        "Gestart, Le Forem",
        "Gestart, Pôle emploi",
        "Gestart, VDAB",
        "Gestart",
        "Vonden werk",
    ]
    assert cohorts[-1][:3] == ["Totaal", "", "2 acties"]
    assert "Geannuleerd" in paragraphs
    assert exports.answer_sheet(report_2017, "nl").projects[0].planned_next_heading in paragraphs
    trainings = table_with(tables, "Opleiding textiel COBOT")
    assert trainings[-1][-1] == "19"
    welder = next(line for project in report_2017.projects for line in project.cancelled)
    reason = welder.cancellation_reason.get("nl")
    assert any(
        reason in text and "Grensoverschrijdende opleiding lasser" in text for text in paragraphs
    )
    # The planned list of the next year, with the refugees who are interested.
    assert any("Begeleidingstraject voor vluchtelingen (Vlaamse kant)" in p for p in paragraphs)
    assert any(
        "Deelnames aan gezamenlijke opleidingsprogramma's" in row[0] for t in tables for row in t
    )


def test_docx_in_french_with_the_lower_bound(report_2018):
    paragraphs, tables = docx_tables(exports.year_report_docx(report_2018, "fr"))
    assert "Emploi sans frontières" in paragraphs
    assert "Compétences sans frontières" in paragraphs
    fair = table_with(tables, "Salon d'information et de l'emploi Dunkerque")
    row = row_with(fair, "Salon d'information et de l'emploi Dunkerque")
    assert row[-1] == "6"
    # "More than 200 came by": reached, not started.
    assert row[-3:-1] == ["0", "au moins 200"]
    assert (fair[0][-3], fair[0][-1]) == ("Entrés", "Agences d\u2019intérim")
    cohort = table_with(tables, "Action d'accompagnement printemps 2018")
    assert cohort[-1][-4:] == ["5", "3", "3", "11"]


def test_xlsx_in_dutch_keeps_figures_as_numbers(report_2017):
    workbook = load_workbook(io.BytesIO(exports.year_report_xlsx(report_2017, "nl")))
    answer, actions = workbook.worksheets
    rows = [list(row) for row in answer.iter_rows(values_only=True)]
    assert [v for v in row_with(rows, "Grenzeloos Tewerkstellen") if v] == [
        "Grenzeloos Tewerkstellen"
    ]
    lkt = row_with(rows, "Begeleidingsactie LKT")
    assert lkt[4:9] == [4, 5, 1, 10, 3]
    jobdating = row_with(rows, "Jobdating Veurne")
    assert [v for v in jobdating[4:] if v is not None] == [35, 11, 46, 7, 3, 3, 17]

    flat = [list(row) for row in actions.iter_rows(values_only=True)]
    header, body = flat[0], [dict(zip(flat[0], row, strict=True)) for row in flat[1:]]
    assert header[:4] == ["as_of", "year", "part", "project"]
    realised = [row for row in body if row["part"] == "realised"]
    # The flat table adds up to the report's totals.
    assert sum(row["starts"] for row in realised) == 104
    assert sum(row["starts_pole-emploi"] for row in realised) == 56
    assert sum(row["placements"] for row in realised) == 9
    assert [row["title"] for row in body if row["part"] == "cancelled"] == [
        "Grensoverschrijdende opleiding lasser"
    ]


def test_xlsx_in_french_shows_a_minimum_and_keeps_the_number(report_2018):
    workbook = load_workbook(io.BytesIO(exports.year_report_xlsx(report_2018, "fr")))
    answer = workbook.worksheets[0]
    cells = [
        cell
        for row in answer.iter_rows()
        for cell in row
        if row[2].value == "Salon d'information et de l'emploi Dunkerque"
    ]
    bounded = [cell for cell in cells if cell.value == 200]
    # The people reached, a minimum; the fair has no starts.
    assert [cell.number_format for cell in bounded] == ['"au moins "0']
    assert answer.title == "Réponse 2018"
    assert "Emploi sans frontières" in [row[0].value for row in answer.iter_rows()]


def test_csv_is_one_row_per_action_and_adds_up(report_2017):
    text = exports.year_report_csv(report_2017, "en").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    realised = [row for row in rows if row["part"] == "realised"]
    assert len(realised) == report_2017.totals["actions"] == 8
    assert sum(int(row["starts"]) for row in realised) == 104
    assert {
        pes: sum(int(row[f"starts_{pes}"]) for row in realised)
        for pes in ("le-forem", "pole-emploi", "vdab", "unknown")
    } == {"le-forem": 12, "pole-emploi": 56, "vdab": 17, "unknown": 19}
    lkt = next(row for row in rows if row["reference"] == "gt-2017-cohort-lkt")
    assert (lkt["when"], lkt["place"], lkt["starts"], lkt["placements"]) == (
        "27/04/2017 \N{EN DASH} 27/07/2017",
        "LKT",
        "10",
        "3",
    )
    welder = next(row for row in rows if row["part"] == "cancelled")
    assert welder["cancellation_reason"].startswith("No benefit-eligible French candidates")
    planned = [row["reference"] for row in rows if row["part"] == "planned"]
    assert "abr-2018-guidance-refugees" in planned and len(planned) == 14


def test_csv_marks_the_lower_bound(report_2018):
    text = exports.year_report_csv(report_2018, "nl").decode("utf-8-sig")
    fair = next(
        row
        # Semicolons: Dutch Excel's separator.
        for row in csv.DictReader(io.StringIO(text), delimiter=";")
        if row["reference"] == "gc-2018-job-fair-dunkerque"
    )
    assert (fair["starts"], fair["reached"], fair["lower_bounds"]) == ("0", "200", "reached")
    assert fair["project_name"] == "Grenzeloos Competent"


def test_html_file_is_a_standalone_document(report_2017):
    html = exports.year_report_html(report_2017, "fr").decode()
    assert html.startswith("<!doctype html>")
    assert '<html lang="fr">' in html
    assert "Action d'accompagnement LKT" in html or "Action d&#x27;accompagnement LKT" in html


def test_outcomes_exports(demo):
    table = outcomes(group_by=["action_type", "pes"], filters={"year": 2018})
    rows = list(csv.DictReader(io.StringIO(exports.outcomes_csv(table).decode("utf-8-sig"))))
    assert rows[0].keys() >= {"action_type", "pes", "starts", "reached", "lower_bounds"}
    # The fair's "more than 200 jobseekers came by": reached, never started.
    fair = next(row for row in rows if row["action_type"] == "job_fair")
    assert (fair["pes"], fair["starts"], fair["reached"], fair["lower_bounds"]) == (
        "",
        "0",
        "200",
        "reached",
    )

    data = json.loads(exports.outcomes_json(table))
    assert (data["totals"]["starts"], data["totals"]["reached"]) == (18, 200)
    assert data["totals"]["lower_bounds"] == ["reached"]
    assert data["group_by"] == ["action_type", "pes"]

    sheet = load_workbook(io.BytesIO(exports.outcomes_xlsx(table, "en"))).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:6] == ["Type", "PES", "Actions", "Interested", "Reached", "Started"]
    assert values[-1][:6] == ["Total", None, 5, 0, 200, 18]
    assert row_with(values, "job_fair")[:2] == ["job_fair", "unknown PES"]
    total_reached = sheet.cell(row=sheet.max_row, column=5)
    assert total_reached.value == 200 and "at least" in total_reached.number_format
    total_starts = sheet.cell(row=sheet.max_row, column=6)
    assert total_starts.value == 18 and "at least" not in total_starts.number_format
