"""`manage.py report`: scheduled exports of the outcomes table and of the year report."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from docx import Document
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_outcomes_as_csv_to_stdout(demo):
    text = run("outcomes", "--year", "2017", "--group-by", "action_type,pes", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    cohorts = {r["pes"]: int(r["starts"]) for r in rows if r["action_type"] == "guidance_cohort"}
    assert cohorts == {"le-forem": 4, "pole-emploi": 11, "vdab": 4}
    assert sum(int(r["starts"]) for r in rows) == 104


def test_outcomes_as_json_with_filters(demo):
    text = run(
        "outcomes",
        "--year",
        "2017",
        "--project",
        "grenzeloos-tewerkstellen",
        "--action-type",
        "jobdating",
        "--action-type",
        "company_visit",
        "--group-by",
        "semester",
        "--format",
        "json",
    )
    data = json.loads(text)
    assert {k: data["totals"][k] for k in ("actions", "starts", "hires", "vacancies")} == {
        "actions": 2,
        "starts": 66,
        "hires": 9,
        "vacancies": 17,
    }
    assert [(r["semester"], r["starts"]) for r in data["results"]] == [
        ("2017-S1", 20),
        ("2017-S2", 46),
    ]


def test_outcomes_status_and_dates_filters(demo):
    data = json.loads(
        run(
            "outcomes",
            "--status",
            "planned",
            "--project",
            "ab-refugies",
            "--date-from",
            "2018-01-01",
            "--date-to",
            "2018-12-31",
            "--format",
            "json",
        )
    )
    assert data["totals"]["interested"] == 6


def test_outcomes_as_xlsx_to_a_file(demo, tmp_path):
    target = tmp_path / "outcomes-2018.xlsx"
    run("outcomes", "--year", "2018", "--group-by", "pes", "--format", "xlsx", "-o", str(target))
    sheet = load_workbook(target).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:5] == ["PES", "Actions", "Interested", "Reached", "Started"]
    assert [row[0] for row in values[1:]] == [
        "le-forem",
        "pole-emploi",
        "vdab",
        "unknown PES",
        "Total",
    ]
    # The fair's visitors apart from the jobseekers who started.
    assert values[-1][3:5] == [200, 18]


def test_year_report_as_docx_in_dutch(demo, tmp_path):
    target = tmp_path / "answer-2017.docx"
    run("year", "2017", "--format", "docx", "-o", str(target), "--lang", "nl")
    document = Document(target)
    assert "Grenzeloos Tewerkstellen" in [p.text for p in document.paragraphs]
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert next(row for row in cells if "Jobdating Veurne" in row)[4:] == [
        "35",
        "11",
        "46",
        "7",
        "3",
        "3",
        "17",
    ]


def test_year_report_as_xlsx_in_french_for_one_project(demo, tmp_path):
    target = tmp_path / "answer-2018.xlsx"
    run(
        "year",
        "2018",
        "--format",
        "xlsx",
        "-o",
        str(target),
        "--lang",
        "fr",
        "--project",
        "grenzeloos-competent",
    )
    actions = load_workbook(target).worksheets[1]
    rows = [list(row) for row in actions.iter_rows(values_only=True)]
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {row["project_name"] for row in body} == {"Compétences sans frontières"}
    # The fair's "more than 200" reached are no starts.
    assert sum(row["starts"] for row in body if row["part"] == "realised") == 7


def test_year_report_as_csv_and_html_to_stdout(demo):
    rows = list(csv.DictReader(io.StringIO(run("year", "2017", "--format", "csv"))))
    assert sum(int(r["starts"]) for r in rows if r["part"] == "realised") == 104
    html = run("year", "2018", "--lang", "nl")
    assert html.startswith("<!doctype html>") and "Grenzeloos Competent" in html


def test_writing_again_gives_the_same_file_and_leaves_nothing_behind(demo, tmp_path):
    target = tmp_path / "answer-2017.csv"
    run("year", "2017", "--format", "csv", "-o", str(target))
    first = target.read_bytes()
    run("year", "2017", "--format", "csv", "-o", str(target))
    assert target.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["answer-2017.csv"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["outcomes", "--group-by", "nope"], "--group-by: Unknown dimension “nope”"),
        (["outcomes", "--year", "17"], "--year: “17” is not a year between 2000 and 2100."),
        (["outcomes", "--pes", "nope"], "--pes: "),
        (["outcomes", "--date-from", "2017-13-01"], "--date-from: Enter a valid date."),
        (["outcomes", "--format", "pdf"], "--format: “pdf” is not a format"),
        (["outcomes", "--format", "xlsx"], "-o/--output: a .xlsx file is binary"),
        (["outcomes", "--lang", "de"], "--lang: “de” is not a language"),
        (["year", "20x7"], "year: “20x7” is not a year between 2000 and 2100."),
        (["year", "1999"], "year: “1999” is not a year between 2000 and 2100."),
        (["year", "2017", "--project", "nope"], "--project: Unknown project “nope”."),
        (["year", "2017", "--format", "docx"], "-o/--output: a .docx file is binary"),
        (["year", "2017", "--format", "json"], "--format: “json” is not a format"),
        (["year", "2017", "-o", "/no/such/folder/a.html"], "-o/--output: the folder"),
    ],
)
def test_bad_parameters_are_a_command_error_naming_the_parameter(db, args, message):
    # In the site's language, whatever language the caller left active.
    with pytest.raises(CommandError) as excinfo, translation.override("nl"):
        run(*args)
    assert str(excinfo.value).startswith(message)


def test_from_the_shell_a_bad_parameter_exits_non_zero_without_a_traceback():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "crossborder.settings_test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "report", "outcomes", "--group-by", "nope"],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "--group-by: Unknown dimension “nope”" in result.stderr
