"""Imports of jobseekers with their participation, and of figures: every format, every mistake.

The files are made here as coordinators' Excel makes them: .xlsx, and CSV with semicolons in
Windows-1252 (Belgian and French Excel), or with commas in UTF-8 with or without a byte-order mark.
"""

from __future__ import annotations

import csv
import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import translation
from openpyxl import Workbook, load_workbook

from actions.imports import import_figures
from actions.imports import template as figure_template
from actions.models import Figure
from crossborder.core.metrics import Metric
from crossborder.core.writers import UnknownSeparator
from participants.imports import import_participations
from participants.imports import template as participation_template
from participants.models import Jobseeker, Participation, pseudonym_for
from projects.models import FormerName
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CohortFactory,
    CompanyFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db

HEADER = ["pes", "reference", "given_name", "family_name", "status", "started_on", "placed_on"]
GOOD_ROWS = [
    ["Pôle emploi", "PE-001", "Hélène", "Dupré", "completed", "28/11/2017", "2017-12-15"],
    ["vdab", "V-002", "Zoë", "Vandenbroucke", "started", "2017-11-28", ""],
]


def xlsx_file(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(rows: list[list[object]], *, delimiter: str, encoding: str) -> bytes:
    lines = [delimiter.join("" if c is None else str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def action(vdab, le_forem, pole_emploi):
    FormerName.objects.create(
        organisation=pole_emploi, name="Pôle emploi", used_until=datetime.date(2023, 12, 31)
    )
    return ActionFactory(reference="gt-2017-jobdating-veurne")


def problems(result) -> list[str]:
    return [str(problem) for problem in result.problems]


def nothing_written() -> bool:
    return not Jobseeker.objects.exists() and not Participation.objects.exists()


def test_xlsx_preview_writes_nothing_and_then_the_import_writes_everything(action):
    data = xlsx_file(
        [
            HEADER,
            # Excel keeps typed dates as dates and a numeric reference as a number.
            ["Pôle emploi", 1234, "Hélène", "Dupré", "completed", datetime.datetime(2017, 11, 28)],
            GOOD_ROWS[1],
        ]
    )

    preview = import_participations(action=action, filename="liste.xlsx", data=data)

    assert problems(preview) == []
    assert [(o.number, o.jobseeker, o.outcome) for o in preview.outcomes] == [
        (2, "France Travail 1234", "new jobseeker, new participation"),
        (3, "VDAB V-002", "new jobseeker, new participation"),
    ]
    assert not preview.written
    assert nothing_written()

    result = import_participations(action=action, filename="liste.xlsx", data=data, dry_run=False)

    assert result.written
    assert result.summary() == "2 rows: 2 new participations, 0 updated."
    helene = Jobseeker.objects.get(external_ref="1234")
    assert (helene.pes.slug, helene.given_name, helene.family_name) == (
        "pole-emploi",
        "Hélène",
        "Dupré",
    )
    assert helene.pseudonym
    participation = helene.participations.get()
    assert (participation.action, participation.status, participation.started_on) == (
        action,
        "completed",
        datetime.date(2017, 11, 28),
    )


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "cp1252"), (",", "utf-8-sig"), (",", "utf-8"), (";", "utf-8-sig"), ("\t", "utf-8")],
    ids=["semicolon-windows-1252", "comma-utf8-bom", "comma-utf8", "semicolon-utf8-bom", "tab"],
)
def test_csv_in_every_encoding_and_separator_keeps_the_accents(action, delimiter, encoding):
    data = csv_file([HEADER, *GOOD_ROWS], delimiter=delimiter, encoding=encoding)

    result = import_participations(action=action, filename="liste.csv", data=data, dry_run=False)

    assert problems(result) == []
    assert sorted(Jobseeker.objects.values_list("given_name", "family_name", "pes__slug")) == [
        ("Hélène", "Dupré", "pole-emploi"),
        ("Zoë", "Vandenbroucke", "vdab"),
    ]
    assert sorted(
        Participation.objects.values_list("jobseeker__external_ref", "status", "placed_on")
    ) == [
        ("PE-001", "completed", datetime.date(2017, 12, 15)),
        ("V-002", "started", None),
    ]


def test_headers_are_matched_whatever_their_case_and_spacing(action):
    header = [
        "PES",
        " Reference ",
        "Given name",
        "Family-Name",
        "STATUS",
        "started on",
        "placed_on",
    ]
    data = csv_file([header, *GOOD_ROWS], delimiter=";", encoding="cp1252")

    assert problems(import_participations(action=action, filename="a.csv", data=data)) == []


BAD_FILES = [
    (
        "wrong-date",
        [HEADER, GOOD_ROWS[0], ["vdab", "V-002", "Zoë", "V", "started", "31/02/2017", ""]],
        [
            'Row 3, column started_on: "31/02/2017" is not a date; write it as 2017-11-28 or '
            "28/11/2017."
        ],
    ),
    (
        "unknown-pes",
        [HEADER, GOOD_ROWS[0], ["Actiris", "A-1", "Zoë", "V", "started", "", ""]],
        ['Row 3, column pes: "Actiris" is not a PES; use vdab, le-forem or pole-emploi.'],
    ),
    (
        "missing-column",
        [HEADER[:4] + HEADER[5:], [c for i, c in enumerate(GOOD_ROWS[0]) if i != 4]],
        ["Missing column: status. Add it to the first row (download the template)."],
    ),
    (
        "unknown-column",
        [[*HEADER, "email"], [*GOOD_ROWS[0], "helene@example.org"]],
        [
            "Unknown column: email. The columns are: action, pes, reference, given_name, "
            "family_name, birth_year, gender, education_level, refugee, status, started_on, "
            "completed_on, placed_on, hired_on, hired_by, certified_on, certificate, "
            "entry_status, unemployment_duration, leaving_situation, leaving_checked_on, "
            "leaving_source, six_month_situation, six_month_checked_on, six_month_source "
            "(download the template)."
        ],
    ),
    (
        "duplicate-jobseeker",
        [HEADER, *GOOD_ROWS, ["VDAB", "v-002", "Zoë", "Vandenbroucke", "started", "", ""]],
        [
            "Row 4, column reference: VDAB jobseeker v-002 is also on row 3; keep one row per "
            "jobseeker."
        ],
    ),
    (
        "unknown-status",
        [HEADER, ["vdab", "V-1", "", "", "gestart", "", ""]],
        [
            'Row 2, column status: "gestart" is not a status; use interested, started, '
            "completed, dropped_out."
        ],
    ),
    (
        "rule-of-the-model",
        [HEADER, ["vdab", "V-1", "", "", "interested", "", "2018-01-15"]],
        ["Row 2, column placed_on: Only for a jobseeker who started: change the status first."],
    ),
    (
        "several-mistakes-in-one-row",
        [
            [*HEADER, "birth_year", "refugee"],
            ["", "", "", "", "started", "2017-13-01", "", "-1990", "maybe"],
        ],
        [
            "Row 2, column pes: required: vdab, le-forem or pole-emploi.",
            "Row 2, column reference: required: the jobseeker's reference at the PES.",
            "Row 2, column birth_year: -1990 is negative; a count is 0 or more.",
            'Row 2, column refugee: "maybe" is not yes or no; write yes, no, or leave it empty.',
            'Row 2, column started_on: "2017-13-01" is not a date; write it as 2017-11-28 or '
            "28/11/2017.",
        ],
    ),
    ("header-only", [HEADER], ["The file has no rows below the column names."]),
]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize(
    ("rows", "expected"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES]
)
def test_a_bad_file_gives_its_message_and_writes_nothing(action, file_format, rows, expected):
    data = (
        xlsx_file(rows)
        if file_format == "xlsx"
        else csv_file(rows, delimiter=";", encoding="cp1252")
    )

    result = import_participations(
        action=action, filename=f"liste.{file_format}", data=data, dry_run=False
    )

    assert problems(result) == expected
    assert not result.written
    assert nothing_written()


def test_one_bad_row_after_good_ones_writes_nothing(action):
    rows = [HEADER, *GOOD_ROWS]
    rows += [["vdab", f"V-{n}", "", "", "started", "2017-11-28", ""] for n in range(10, 20)]
    rows.append(["vdab", "V-99", "", "", "started", "2017-11-31", ""])
    data = csv_file(rows, delimiter=";", encoding="cp1252")

    result = import_participations(action=action, filename="a.csv", data=data, dry_run=False)

    assert problems(result) == [
        'Row 14, column started_on: "2017-11-31" is not a date; write it as 2017-11-28 or '
        "28/11/2017."
    ]
    assert nothing_written()


def test_a_cohort_refuses_a_thirteenth_start_and_the_whole_file_with_it(vdab):
    cohort = CohortFactory(reference="gt-cohort")
    rows = [HEADER] + [["vdab", f"V-{n}", "", "", "started", "", ""] for n in range(13)]
    data = csv_file(rows, delimiter=",", encoding="utf-8")

    result = import_participations(action=cohort, filename="a.csv", data=data, dry_run=False)

    assert problems(result) == [
        "Row 14, column status: A guidance cohort takes at most 12 jobseekers; this one would "
        "have 13."
    ]
    assert nothing_written()


def test_a_pes_that_gave_figures_cannot_also_send_records(action, vdab):
    FigureFactory(action=action, pes=vdab, metric=Metric.STARTS, value=4)
    data = csv_file([HEADER, GOOD_ROWS[1]], delimiter=";", encoding="cp1252")

    result = import_participations(action=action, filename="a.csv", data=data, dry_run=False)

    assert problems(result) == [
        "Row 2, column pes: VDAB already gave aggregate figures for this action; its jobseekers "
        "are counted from those. Delete the figures before adding individual records."
    ]
    assert nothing_written()


def test_a_jobseeker_already_in_the_action_is_caught_unless_updating(action, vdab):
    held = JobseekerFactory(pes=vdab, external_ref="V-002", given_name="Zoë")
    ParticipationFactory(action=action, jobseeker=held, status="interested")
    data = csv_file([HEADER, GOOD_ROWS[1]], delimiter=";", encoding="cp1252")

    refused = import_participations(action=action, filename="a.csv", data=data, dry_run=False)

    assert problems(refused) == [
        "Row 2, column reference: VDAB jobseeker V-002 already takes part in this action; tick "
        "“update existing records” to change the record, or remove the row."
    ]
    assert Participation.objects.get().status == "interested"

    updated = import_participations(
        action=action, filename="a.csv", data=data, dry_run=False, update_existing=True
    )

    assert updated.summary() == "1 row: 0 new participations, 1 updated."
    assert Participation.objects.get().status == "started"
    assert Jobseeker.objects.count() == 1


def test_a_known_jobseeker_is_matched_and_a_different_name_is_reported(action, vdab):
    JobseekerFactory(pes=vdab, external_ref="V-002", given_name="Zoe", family_name="")
    data = csv_file([HEADER, GOOD_ROWS[1]], delimiter=";", encoding="cp1252")

    result = import_participations(action=action, filename="a.csv", data=data, dry_run=False)

    assert problems(result) == [
        'Row 2, column given_name: the VDAB jobseeker V-002 is held with "Zoe", the file says '
        '"Zoë"; correct the file or tick “update existing records”.'
    ]
    assert not Participation.objects.exists()

    result = import_participations(
        action=action, filename="a.csv", data=data, dry_run=False, update_existing=True
    )

    assert [o.outcome for o in result.outcomes] == ["known jobseeker, new participation"]
    # The blank family name was filled, the given name corrected; still one person.
    assert list(Jobseeker.objects.values_list("given_name", "family_name")) == [
        ("Zoë", "Vandenbroucke")
    ]


def test_a_coordinator_imports_only_its_own_pes(action, vdab):
    data = csv_file([HEADER, *GOOD_ROWS], delimiter=";", encoding="cp1252")

    result = import_participations(
        action=action, filename="a.csv", data=data, dry_run=False, allowed_pes=vdab
    )

    assert problems(result) == [
        "Row 2, column pes: you may only import jobseekers of VDAB; this row is for France "
        "Travail. Send it to a coordinator of France Travail."
    ]
    assert nothing_written()


def test_rows_of_another_action_are_refused(action):
    data = csv_file(
        [["action", *HEADER], ["gt-2018-cohort", *GOOD_ROWS[1]]], delimiter=",", encoding="utf-8"
    )

    result = import_participations(action=action, filename="a.csv", data=data)

    assert problems(result) == [
        'Row 2, column action: this row is for action "gt-2018-cohort", not '
        "gt-2017-jobdating-veurne; import it into its own action or clear the cell."
    ]


def test_an_employer_and_outcomes_are_read_by_slug_or_name(action):
    # An employer present at the action: only those may hire its participants.
    ActionEmployerFactory(
        action=action, organisation=CompanyFactory(slug="koraton", name="Koraton")
    )
    rows = [
        [*HEADER, "hired_on", "hired_by", "birth_year", "education_level", "refugee"],
        [*GOOD_ROWS[1][:6], "", "2017-12-01", "Koraton", "1988", "isced_0_2", "ja"],
    ]

    result = import_participations(
        action=action, filename="a.xlsx", data=xlsx_file(rows), dry_run=False
    )

    assert problems(result) == []
    participation = Participation.objects.select_related("jobseeker", "hired_by").get()
    assert participation.hired_by.slug == "koraton"
    assert participation.hired_on == datetime.date(2017, 12, 1)
    assert (
        participation.jobseeker.birth_year,
        participation.jobseeker.education_level,
        participation.jobseeker.is_refugee,
    ) == (1988, "isced_0_2", True)


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        (
            "liste.xlsx",
            b"PK\x03\x04 not really a workbook",
            "The file is not a readable .xlsx workbook (an old .xls? save it again as .xlsx).",
        ),
        (
            "liste.xls",
            b"\xd0\xcf\x11\xe0",
            '"liste.xls" is neither .xlsx nor .csv: save it from Excel as "Excel workbook '
            '(.xlsx)" or "CSV".',
        ),
        ("liste.csv", b"", "The file is empty: the first row must hold the column names."),
    ],
    ids=["broken-xlsx", "old-xls", "empty"],
)
def test_unreadable_files_are_refused_with_what_to_do(action, filename, data, expected):
    result = import_participations(action=action, filename=filename, data=data, dry_run=False)

    assert problems(result) == [expected]
    assert nothing_written()


def test_an_oversized_file_is_refused(action, settings):
    settings.IMPORT_MAX_BYTES = 10 * 1024
    rows = [HEADER] + [["vdab", f"V-{n}", "Zoë", "V", "started", "", ""] for n in range(1000)]
    data = csv_file(rows, delimiter=";", encoding="cp1252")

    result = import_participations(action=action, filename="big.csv", data=data, dry_run=False)

    assert problems(result) == [
        f"The file is {len(data) / 1024:.0f} KB; the limit is 10 KB. Split it into smaller files."
    ]
    assert nothing_written()


def test_the_template_imports_once_filled_in(action):
    workbook = load_workbook(io.BytesIO(participation_template("xlsx")))
    assert [c.value for c in workbook["import"][1]][:4] == [
        "action",
        "pes",
        "reference",
        "given_name",
    ]
    assert workbook["columns"]["A2"].value == "action"
    workbook["import"].append([None, "vdab", "V-1", "Zoë", None, None, None, None, None, "started"])
    out = io.BytesIO()
    workbook.save(out)

    result = import_participations(action=action, filename="t.xlsx", data=out.getvalue())

    assert problems(result) == []
    # The CSV is separated as the Excel of the language splits: commas in English, the
    # language of the tests (semicolons in Dutch and French: the next test).
    assert participation_template("csv").startswith(b"\xef\xbb\xbfaction,pes,reference,")


def _filled_in(template: bytes, delimiter: str, cells: dict[str, str]) -> bytes:
    """A CSV template with one row added as Excel saves it: the same separator, a cell holding
    it quoted."""
    text = template.decode("utf-8-sig")
    columns = text.rstrip("\r\n").split(delimiter)
    row = io.StringIO()
    csv.writer(row, delimiter=delimiter, lineterminator="\r\n").writerow(
        [cells.get(column, "") for column in columns]
    )
    return (text + row.getvalue()).encode("utf-8-sig")


@pytest.mark.parametrize(
    ("language", "sep", "delimiter"),
    [
        ("en", None, ","),
        ("nl", None, ";"),
        ("fr", None, ";"),
        ("nl", ",", ","),
        ("en", ";", ";"),
        ("fr", "tab", "\t"),
    ],
)
def test_a_csv_template_in_any_separator_imports_back_once_filled_in(
    action, language, sep, delimiter
):
    """The import finds the separator in the header row, so a template downloaded in any
    language or with any `sep` reads back once filled in."""
    with translation.override(language):
        participations = participation_template("csv", sep)
        figures = figure_template("csv", sep)
    assert participations.decode("utf-8-sig").startswith(
        delimiter.join(["action", "pes", "reference", "given_name", ""])
    )
    assert figures.decode("utf-8-sig") == (
        delimiter.join(["action", "metric", "pes", "value", "lower_bound", "note"]) + "\r\n"
    )
    data = _filled_in(
        participations,
        delimiter,
        {
            "pes": "vdab",
            "reference": "V-1",
            "given_name": "Zoë",
            "family_name": "Van Damme; Dupont, jr.",
            "status": "started",
        },
    )
    result = import_participations(action=action, filename="t.csv", data=data, dry_run=False)
    assert problems(result) == []
    assert list(
        Participation.objects.values_list(
            "jobseeker__external_ref", "jobseeker__given_name", "jobseeker__family_name", "status"
        )
    ) == [("V-1", "Zoë", "Van Damme; Dupont, jr.", "started")]

    data = _filled_in(
        figures,
        delimiter,
        {"metric": "vacancies", "value": "17", "note": "magasin, préparation; commandes"},
    )
    result = import_figures(action=action, filename="t.csv", data=data, dry_run=False)
    assert problems(result) == []
    assert list(Figure.objects.values_list("metric", "pes", "value", "note")) == [
        ("vacancies", None, 17, "magasin, préparation; commandes")
    ]


def test_a_template_refuses_a_separator_there_is_not():
    for template in (participation_template, figure_template):
        for file_format in ("csv", "xlsx"):
            with pytest.raises(UnknownSeparator) as refused:
                template(file_format, "|")
            assert str(refused.value) == "“|” is not a separator; use any of: “;”, “,”, “tab”."


def _queries_to_import(action, rows: int) -> int:
    from django.test.utils import CaptureQueriesContext

    lines = [HEADER] + [
        ["vdab", f"V-{rows}-{n}", "Zoë", "V", "started", "2017-11-28", ""] for n in range(rows)
    ]
    data = csv_file(lines, delimiter=";", encoding="cp1252")
    with CaptureQueriesContext(connection) as queries:
        result = import_participations(action=action, filename="a.csv", data=data, dry_run=False)
    assert result.written
    return len(queries)


def test_the_queries_of_an_import_do_not_grow_with_the_rows(action):
    """New jobseekers and participations are checked once for the whole file and written in
    bulk: the same queries for 15 rows as for 30 (on PostgreSQL for any number; SQLite splits an
    INSERT at its limit of 999 parameters, every 35 to 110 rows)."""
    small = _queries_to_import(action, 15)
    large = _queries_to_import(action, 30)

    assert small == large
    assert small <= 20


def test_new_and_updated_rows_in_one_file_keep_the_audit_trail_and_the_user(
    action, vdab, admin_user
):
    held = JobseekerFactory(pes=vdab, external_ref="V-002", given_name="Zoë")
    ParticipationFactory(action=action, jobseeker=held, status="interested")
    data = csv_file([HEADER, *GOOD_ROWS], delimiter=";", encoding="cp1252")

    result = import_participations(
        action=action,
        filename="a.csv",
        data=data,
        dry_run=False,
        update_existing=True,
        user=admin_user,
    )

    assert [o.outcome for o in result.outcomes] == [
        "new jobseeker, new participation",
        "known jobseeker, participation updated",
    ]
    created = Jobseeker.objects.get(external_ref="PE-001")
    assert created.pseudonym == pseudonym_for("PE-001")
    assert created.history.get().history_user == admin_user
    assert created.participations.get().history.get().history_type == "+"
    assert created.participations.get().history.get().history_user == admin_user
    assert Participation.objects.get(jobseeker=held).status == "started"


def test_a_cohort_counts_the_places_already_taken_by_records_and_figures(vdab, le_forem):
    cohort = CohortFactory(reference="gt-cohort")
    FigureFactory(action=cohort, pes=le_forem, metric=Metric.STARTS, value=8)
    ParticipationFactory(action=cohort, jobseeker=JobseekerFactory(pes=vdab), status="started")
    rows = [HEADER] + [
        ["vdab", f"V-{n}", "", "", status, "", ""]
        for n, status in enumerate(
            ["started", "interested", "started", "started", "started", "started"]
        )
    ]
    data = csv_file(rows, delimiter=",", encoding="utf-8")

    result = import_participations(action=cohort, filename="a.csv", data=data, dry_run=False)

    assert problems(result) == [
        "Row 6, column status: A guidance cohort takes at most 12 jobseekers; this one would "
        "have 13."
    ]
    assert Participation.objects.count() == 1


def test_every_bad_row_is_reported_whichever_rule_refuses_it(action, vdab):
    FigureFactory(action=action, pes=vdab, metric=Metric.STARTS, value=4)
    rows = [
        [*HEADER, "completed_on"],
        ["vdab", "V-1", "", "", "started", "", "", ""],
        ["le-forem", "F-1", "", "", "started", "2017-11-28", "", "2017-12-01"],
        ["le-forem", "F-2", "", "", "started", "2017-11-28", "", ""],
        ["vdab", "V-2", "", "", "started", "", "", ""],
    ]
    data = csv_file(rows, delimiter=";", encoding="utf-8")

    result = import_participations(action=action, filename="a.csv", data=data, dry_run=False)

    split = (
        "VDAB already gave aggregate figures for this action; its jobseekers are counted from "
        "those. Delete the figures before adding individual records."
    )
    assert problems(result) == [
        f"Row 2, column pes: {split}",
        "Row 3, column completed_on: Only for a completed participation.",
        f"Row 5, column pes: {split}",
    ]
    assert nothing_written()


def test_a_refusal_by_the_database_is_reported_and_writes_nothing(action, monkeypatch):
    from django.db import IntegrityError

    from participants import imports

    def refuse(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(imports, "bulk_insert_with_history", refuse)
    data = csv_file([HEADER, *GOOD_ROWS], delimiter=";", encoding="cp1252")

    result = import_participations(action=action, filename="a.csv", data=data, dry_run=False)

    assert problems(result) == [
        "The database refused the import (duplicate key value violates unique constraint); "
        "nothing was written. Check the file again: someone may have changed the action's "
        "records meanwhile."
    ]
    assert not result.written
    assert nothing_written()


# Figures.

FIGURE_HEADER = ["metric", "pes", "value", "lower_bound", "note"]


@pytest.mark.parametrize("file_format", ["xlsx", "csv-cp1252", "csv-utf8-bom"])
def test_figures_import_in_every_format(action, file_format):
    rows = [
        FIGURE_HEADER,
        ["starts", "Pôle emploi", 35, "", "venus de France"],
        ["starts", "vdab", "11", "", ""],
        ["hires", "", "7", "no", ""],
        ["vacancies", "", "17", "", "magasin, préparation de commandes"],
    ]
    if file_format == "xlsx":
        data, name = xlsx_file(rows), "cijfers.xlsx"
    else:
        encoding = "cp1252" if file_format == "csv-cp1252" else "utf-8-sig"
        data, name = csv_file(rows, delimiter=";", encoding=encoding), "cijfers.csv"

    preview = import_figures(action=action, filename=name, data=data)
    assert preview.ok and not Figure.objects.exists()
    result = import_figures(action=action, filename=name, data=data, dry_run=False)

    assert result.summary() == "4 rows: 4 new figures, 0 updated."
    assert sorted(Figure.objects.values_list("metric", "pes__slug", "value", "note")) == [
        ("hires", None, 7, ""),
        ("starts", "pole-emploi", 35, "venus de France"),
        ("starts", "vdab", 11, ""),
        ("vacancies", None, 17, "magasin, préparation de commandes"),
    ]


BAD_FIGURE_FILES = [
    (
        "negative-count",
        [FIGURE_HEADER, ["starts", "vdab", "11", "", ""], ["starts", "le-forem", "-3", "", ""]],
        ["Row 3, column value: -3 is negative; a count is 0 or more."],
    ),
    (
        "not-a-number",
        [FIGURE_HEADER, ["starts", "vdab", "elf", "", ""]],
        ['Row 2, column value: "elf" is not a whole number.'],
    ),
    (
        "infinity",
        [FIGURE_HEADER, ["starts", "vdab", "inf", "", ""]],
        ['Row 2, column value: "inf" is not a whole number.'],
    ),
    (
        "unknown-metric",
        [FIGURE_HEADER, ["aanwervingen", "", "7", "", ""]],
        [
            'Row 2, column metric: "aanwervingen" is not a metric; use interested, reached, '
            "starts, completions, placements, hires, certificates, employers, agencies, vacancies."
        ],
    ),
    (
        "unknown-pes",
        [FIGURE_HEADER, ["starts", "Actiris", "7", "", ""]],
        [
            'Row 2, column pes: "Actiris" is not a PES; use vdab, le-forem or pole-emploi, or '
            "leave it empty when the split is not known."
        ],
    ),
    (
        "pes-for-vacancies",
        [FIGURE_HEADER, ["vacancies", "vdab", "7", "", ""]],
        ["Row 2, column pes: employers, agencies and vacancies belong to no PES: leave it empty."],
    ),
    (
        "duplicate",
        [FIGURE_HEADER, ["starts", "vdab", "11", "", ""], ["Starts", "VDAB", "12", "", ""]],
        [
            "Row 3, column metric: starts for VDAB is also on row 2; keep one row per metric "
            "and PES."
        ],
    ),
    (
        "missing-column",
        [["metric", "pes"], ["starts", "vdab"]],
        ["Missing column: value. Add it to the first row (download the template)."],
    ),
]


@pytest.mark.parametrize(
    ("rows", "expected"), [b[1:] for b in BAD_FIGURE_FILES], ids=[b[0] for b in BAD_FIGURE_FILES]
)
def test_a_bad_figures_file_gives_its_message_and_writes_nothing(action, rows, expected):
    for data, name in (
        (xlsx_file(rows), "f.xlsx"),
        (csv_file(rows, delimiter=";", encoding="cp1252"), "f.csv"),
    ):
        result = import_figures(action=action, filename=name, data=data, dry_run=False)

        assert problems(result) == expected
        assert not Figure.objects.exists()


def test_a_figure_already_held_is_caught_unless_updating(action, vdab):
    FigureFactory(action=action, pes=vdab, metric=Metric.STARTS, value=10)
    data = csv_file(
        [FIGURE_HEADER, ["starts", "vdab", "11", "", ""]], delimiter=";", encoding="cp1252"
    )

    refused = import_figures(action=action, filename="f.csv", data=data, dry_run=False)

    assert problems(refused) == [
        "Row 2, column value: the action already has starts for VDAB: 10. Tick “update existing "
        "records” to replace it, or remove the row."
    ]
    assert Figure.objects.get().value == 10
    import_figures(action=action, filename="f.csv", data=data, dry_run=False, update_existing=True)
    assert Figure.objects.get().value == 11


def test_figures_for_a_pes_with_records_are_refused_with_the_models_message(action, vdab):
    ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    data = csv_file(
        [FIGURE_HEADER, ["starts", "vdab", "11", "", ""]], delimiter=",", encoding="utf-8"
    )

    result = import_figures(action=action, filename="f.csv", data=data, dry_run=False)

    assert problems(result) == [
        "Row 2, column pes: VDAB keeps individual participation records for this action; its "
        "starts are counted from them. Enter the figure without PES if it counts others."
    ]
    assert not Figure.objects.exists()


# The command.


def test_command_dry_run_writes_nothing_then_imports(action, tmp_path, capsys):
    path = tmp_path / "liste.csv"
    path.write_bytes(csv_file([HEADER, *GOOD_ROWS], delimiter=";", encoding="cp1252"))

    call_command("import_participations", str(path), "--action", action.reference, "--dry-run")

    assert nothing_written()
    assert capsys.readouterr().out.splitlines() == [
        "Row 2: France Travail PE-001: new jobseeker, new participation",
        "Row 3: VDAB V-002: new jobseeker, new participation",
        "Dry run, nothing written. 2 rows: 2 new participations, 0 updated.",
    ]

    call_command("import_participations", str(path), "--action", str(action.pk))

    assert Participation.objects.count() == 2
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"Imported into {action}. 2 rows: 2 new participations, 0 updated."
    )


def test_command_reports_every_problem_and_writes_nothing(action, tmp_path, capsys):
    path = tmp_path / "liste.xlsx"
    path.write_bytes(
        xlsx_file([HEADER, GOOD_ROWS[0], ["Actiris", "A-1", "", "", "started", "31/02/2017", ""]])
    )

    with pytest.raises(CommandError) as excinfo:
        call_command("import_participations", str(path), "--action", action.reference)

    assert str(excinfo.value) == "2 problem(s) in liste.xlsx: nothing was written."
    assert capsys.readouterr().err.splitlines() == [
        'Row 3, column pes: "Actiris" is not a PES; use vdab, le-forem or pole-emploi.',
        'Row 3, column started_on: "31/02/2017" is not a date; write it as 2017-11-28 or '
        "28/11/2017.",
    ]
    assert nothing_written()


def test_command_refuses_an_unknown_action_and_an_oversized_file(action, tmp_path, settings):
    path = tmp_path / "liste.csv"
    path.write_bytes(b"x" * 4096)
    with pytest.raises(CommandError) as unknown:
        call_command("import_participations", str(path), "--action", "nope")
    assert str(unknown.value) == 'No action has the reference or id "nope".'

    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(CommandError) as excinfo:
        call_command("import_participations", str(path), "--action", action.reference)
    assert str(excinfo.value) == (
        "liste.csv: The file is 4 KB; the limit is 1 KB. Split it into smaller files. "
        "Nothing was written."
    )


# Records already held, updated (update_existing): checked and written in bulk, as a push.


def _held(action, vdab, count: int, prefix: str = "V-") -> list[Participation]:
    return [
        ParticipationFactory(
            action=action,
            jobseeker=JobseekerFactory(pes=vdab, external_ref=f"{prefix}{n}", family_name="V"),
            status="started",
            started_on=datetime.date(2017, 11, 28),
        )
        for n in range(count)
    ]


def _completed_rows(count: int, prefix: str = "V-") -> bytes:
    header = [*HEADER, "completed_on"]
    rows = [
        ["vdab", f"{prefix}{n}", "Zoë", "W", "completed", "2017-11-28", "", "2017-12-01"]
        for n in range(count)
    ]
    return csv_file([header, *rows], delimiter=";", encoding="cp1252")


def _imported_again(action, data: bytes, **options):
    """The file imported with "update existing records"."""
    return import_participations(
        action=action, filename="a.csv", data=data, dry_run=False, update_existing=True, **options
    )


def _queries_to_update(action, vdab, count: int) -> int:
    from django.test.utils import CaptureQueriesContext

    _held(action, vdab, count, prefix=f"V{count}-")
    with CaptureQueriesContext(connection) as queries:
        result = _imported_again(action, _completed_rows(count, prefix=f"V{count}-"))
    assert result.written, problems(result)
    changed = Participation.objects.filter(jobseeker__external_ref__startswith=f"V{count}-")
    assert set(changed.values_list("status", flat=True)) == {"completed"}
    assert set(changed.values_list("jobseeker__family_name", flat=True)) == {"W"}
    return len(queries)


def test_the_queries_of_an_update_do_not_grow_with_the_rows(action, vdab):
    """Held jobseekers and participations are checked once for the whole file and changed in
    bulk, as new ones are written: the same queries for 10 rows as for 20 (5,000 rows changed
    one by one took two minutes at a million participations, in bulk 1.2 s)."""
    small = _queries_to_update(action, vdab, 10)
    large = _queries_to_update(action, vdab, 20)

    assert small == large
    assert small <= 30


def test_updated_records_move_to_their_next_version_with_the_importers_name(
    action, vdab, admin_user
):
    (held,) = _held(action, vdab, 1)

    result = _imported_again(action, _completed_rows(1), user=admin_user)

    assert [o.outcome for o in result.outcomes] == ["known jobseeker, participation updated"]
    held.refresh_from_db()
    assert (held.status, held.completed_on, held.version) == (
        "completed",
        datetime.date(2017, 12, 1),
        2,
    )
    change = held.history.first()
    assert (change.history_type, change.history_user, change.status) == (
        "~",
        admin_user,
        "completed",
    )
    jobseeker = Jobseeker.objects.get()
    assert (jobseeker.given_name, jobseeker.family_name, jobseeker.version) == ("Zoë", "W", 2)
    assert jobseeker.history.first().history_type == "~"
    assert jobseeker.history.first().history_user == admin_user


def test_an_update_a_rule_refuses_names_its_row_and_nothing_is_written(action, vdab):
    CompanyFactory(slug="koraton", name="Koraton")
    held = _held(action, vdab, 2)
    header = [*HEADER, "completed_on", "hired_on", "hired_by"]
    data = csv_file(
        [
            header,
            ["vdab", "V-0", "Zoë", "W", "completed", "2017-11-28", "", "2017-12-01", "", ""],
            # Koraton was not present at the action: it hired none of its participants.
            [
                "vdab",
                "V-1",
                "Zoë",
                "W",
                "completed",
                "2017-11-28",
                "",
                "2017-12-01",
                "2017-12-04",
                "koraton",
            ],
            ["vdab", "V-NEW", "Anna", "P", "started", "2017-11-28", "", "", "", ""],
        ],
        delimiter=";",
        encoding="cp1252",
    )

    result = _imported_again(action, data)

    assert not result.written
    assert [(p.row, p.column) for p in result.problems] == [(3, "hired_by")]
    assert set(Participation.objects.values_list("status", flat=True)) == {"started"}
    assert Participation.objects.count() == 2
    assert set(Jobseeker.objects.values_list("family_name", "version")) == {("V", 1)}
    assert all(record.history.count() == 1 for record in held)


def test_a_held_jobseekers_new_year_of_birth_is_checked_against_their_actions(action, vdab):
    _held(action, vdab, 2)
    data = csv_file(
        [
            [*HEADER, "birth_year"],
            ["vdab", "V-0", "Zoë", "W", "started", "2017-11-28", "", "1990"],
            # Eight in the action's year (its participants are of working age).
            ["vdab", "V-1", "Zoë", "W", "started", "2017-11-28", "", "2009"],
        ],
        delimiter=";",
        encoding="cp1252",
    )

    result = _imported_again(action, data)

    assert problems(result) == [
        f"Row 3, column birth_year: Year of birth 2009: aged {action.year - 2009} in "
        f"{action.year}, not 15 to 67."
    ]
    assert set(Jobseeker.objects.values_list("family_name", "version")) == {("V", 1)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="rows locked by two transactions: PostgreSQL"
)
def test_a_jobseeker_changed_meanwhile_is_updated_after_that_change_not_over_it(action, vdab):
    (held,) = _held(action, vdab, 1)
    locked = threading.Event()

    def meanwhile() -> None:
        try:
            with transaction.atomic():
                jobseeker = Jobseeker.objects.select_for_update().get(pk=held.jobseeker_id)
                locked.set()
                # The import starts meanwhile, and waits for this change.
                threading.Event().wait(0.5)
                jobseeker.birth_year = 1980
                jobseeker.save()
        finally:
            connection.close()

    thread = threading.Thread(target=meanwhile)
    thread.start()
    locked.wait(10)
    result = _imported_again(action, _completed_rows(1))
    thread.join()

    assert result.written, problems(result)
    jobseeker = Jobseeker.objects.get()
    # Both changes, one after the other: the import read the jobseeker as the other left it.
    assert (jobseeker.birth_year, jobseeker.family_name, jobseeker.version) == (1980, "W", 3)
    assert [h.version for h in jobseeker.history.order_by("history_id")] == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="rows locked by two transactions: PostgreSQL"
)
def test_two_imports_updating_the_same_people_at_once_are_written_one_after_the_other(action, vdab):
    _held(action, vdab, 20)
    start = threading.Barrier(2, timeout=10)
    results: dict[str, object] = {}

    def run(name: str, rows: list[int]) -> None:
        try:
            data = csv_file(
                [
                    HEADER,
                    *(["vdab", f"V-{n}", "Zoë", name, "started", "2017-11-28", ""] for n in rows),
                ],
                delimiter=";",
                encoding="cp1252",
            )
            start.wait()
            results[name] = _imported_again(action, data)
        finally:
            connection.close()

    # The same people, named in opposite orders.
    threads = [
        threading.Thread(target=run, args=("A", list(range(20)))),
        threading.Thread(target=run, args=("B", list(reversed(range(20))))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(result.written for result in results.values()), results
    # Each import changed every jobseeker, the second after the first: one name for all.
    assert len(set(Jobseeker.objects.values_list("family_name", flat=True))) == 1
    assert set(Jobseeker.objects.values_list("version", flat=True)) == {3}


def test_an_export_imported_again_tells_the_rows_that_change_nothing(action, vdab):
    _held(action, vdab, 3)
    data = csv_file(
        [
            HEADER,
            # As held (a blank name gives none): nothing to change.
            ["vdab", "V-0", "", "V", "started", "2017-11-28", ""],
            # The participation changes.
            ["vdab", "V-1", "", "V", "started", "2017-11-28", "2017-12-15"],
            # The jobseeker changes, the participation does not.
            ["vdab", "V-2", "", "W", "started", "2017-11-28", ""],
        ],
        delimiter=";",
        encoding="cp1252",
    )

    result = _imported_again(action, data)

    assert [(o.number, o.outcome) for o in result.outcomes] == [
        (2, "known jobseeker, participation unchanged"),
        (3, "known jobseeker, participation updated"),
        (4, "known jobseeker, participation updated"),
    ]
    assert result.summary() == "3 rows: 0 new participations, 2 updated, 1 unchanged."
    with translation.override("nl"):
        assert result.summary() == "3 rijen: 0 nieuwe deelnames, 2 bijgewerkt, 1 ongewijzigd."
        assert result.outcomes[0].outcome == "gekende werkzoekende, deelname ongewijzigd"
    with translation.override("fr"):
        assert result.summary() == (
            "3 lignes : 0 nouvelle participation, 2 mises à jour, 1 inchangée."
        )
    unchanged = Participation.objects.get(jobseeker__external_ref="V-0")
    assert (unchanged.version, unchanged.history.count()) == (1, 1)
