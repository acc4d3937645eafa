"""The follow-up spreadsheet: downloaded pre-filled from the worklist, filled in, imported back
with a preview and a confirmation; bad rows named by row and column, nothing written."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crossborder.core.writers import write_csv
from participants.followup_imports import COLUMNS, INFO_COLUMNS
from participants.models import Participation

pytestmark = pytest.mark.django_db

DOWNLOAD = reverse("reports:follow-up-download")
IMPORT = reverse("reports:follow-up-import")


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def rows(left, le_forem):
    return {
        "due": left(ago(10), reference="VD-DUE"),
        "overdue": left(ago(40), reference="VD-LATE"),
        "other_pes": left(ago(10), pes=le_forem, reference="LF-DUE"),
    }


def csv_rows(content: bytes, delimiter: str = ",") -> list[list[str]]:
    """The cells of a download; by default an English one's, which English Excel splits at
    commas (a Dutch or French one at semicolons)."""
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def upload(client, name: str, content: bytes):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


def test_the_csv_template_lists_the_follow_ups_due_with_semicolons_in_dutch(
    client, coordinator, rows
):
    client.force_login(coordinator)
    response = client.get(DOWNLOAD, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="follow-ups-')
    lines = csv_rows(response.content, ";")
    assert lines[0] == [*COLUMNS, *INFO_COLUMNS]
    overdue, due = rows["overdue"], rows["due"]
    assert lines[1:] == [
        [
            "vdab",
            "VD-LATE",
            overdue.action.reference,
            "on_leaving",
            "",
            "",
            "",
            str(ago(40)),
            "overdue",
        ],
        ["vdab", "VD-DUE", due.action.reference, "on_leaving", "", "", "", str(ago(10)), "due"],
    ]


def test_a_filled_in_csv_is_previewed_then_recorded(client, coordinator, rows):
    client.force_login(coordinator)
    lines = csv_rows(client.get(DOWNLOAD, {"format": "csv"}).content)
    # The overdue one filled in, the due one left blank: not yet known, skipped.
    lines[1][4:7] = ["education", ago(2).strftime("%d/%m/%Y"), "survey"]
    content = "\r\n".join(",".join(line) for line in lines).encode()
    preview = upload(client, "follow-ups.csv", content)
    assert preview.status_code == 200
    assert [(r.reference, r.situation, r.checked_on) for r in preview.context["rows"]] == [
        ("VD-LATE", "education", ago(2))
    ]
    assert Participation.objects.get(pk=rows["overdue"].pk).leaving_situation == ""
    confirmed = client.post(IMPORT, {"rows": preview.context["payload"]})
    assert confirmed.status_code == 302
    stored = Participation.objects.get(pk=rows["overdue"].pk)
    assert (stored.leaving_situation, stored.leaving_checked_on, stored.leaving_source) == (
        "education",
        ago(2),
        "survey",
    )
    assert Participation.objects.get(pk=rows["due"].pk).leaving_situation == ""
    assert (
        "Recorded 1 follow-up from the file." in client.get(confirmed["Location"]).content.decode()
    )


SEP_MESSAGE = "“|” is not a separator; use any of: “;”, “,”, “tab”."


@pytest.mark.parametrize(
    ("language", "sep", "delimiter"),
    [
        ("en", None, ","),
        ("nl", None, ";"),
        ("fr", None, ";"),
        ("fr", ",", ","),
        ("en", ";", ";"),
        ("nl", "tab", "\t"),
    ],
)
def test_a_csv_in_any_separator_is_previewed_then_recorded(
    client, coordinator, rows, language, sep, delimiter
):
    """The download is separated as the Excel of the language splits, or as `sep` asks; the
    import finds the separator in the header row, so each comes back."""
    client.force_login(coordinator)
    params = {"format": "csv", **({"sep": sep} if sep else {})}
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    response = client.get(DOWNLOAD, params, **headers)
    assert response.status_code == 200
    lines = csv_rows(response.content, delimiter)
    assert lines[0] == [*COLUMNS, *INFO_COLUMNS]
    assert [line[1] for line in lines[1:]] == ["VD-LATE", "VD-DUE"]
    for line in lines[1:]:
        line[4:7] = ["employed", ago(1).strftime("%d/%m/%Y"), "employer"]
    content = "\r\n".join(delimiter.join(line) for line in lines).encode("utf-8-sig")
    preview = upload(client, "follow-ups.csv", content)
    assert preview.status_code == 200, preview.context["problems"]
    client.post(IMPORT, {"rows": preview.context["payload"]}, **headers)
    assert set(
        Participation.objects.filter(leaving_situation="employed").values_list(
            "jobseeker__external_ref", "leaving_source"
        )
    ) == {("VD-DUE", "employer"), ("VD-LATE", "employer")}


def test_with_no_follow_up_due_the_csv_is_the_header_in_the_separator_asked(client, coordinator):
    client.force_login(coordinator)
    response = client.get(DOWNLOAD, {"format": "csv", "sep": "tab"})
    assert response.content.decode("utf-8-sig") == "\t".join([*COLUMNS, *INFO_COLUMNS]) + "\r\n"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_download_refuses_a_separator_there_is_not(client, coordinator, rows, file_format):
    client.force_login(coordinator)
    response = client.get(DOWNLOAD, {"format": file_format, "sep": "|"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"sep: {SEP_MESSAGE}\n"
    # A stranger learns nothing from it: refused before the separator is read.
    client.force_login(type(coordinator).objects.create_user("nobody", password="pw"))
    assert client.get(DOWNLOAD, {"format": "csv", "sep": "|"}).status_code == 403
    assert client.get(DOWNLOAD, {"format": "csv", "sep": ","}).status_code == 403


def test_the_xlsx_template_round_trips(client, coordinator, rows):
    client.force_login(coordinator)
    response = client.get(DOWNLOAD, {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["follow-ups", "columns"]
    sheet = book["follow-ups"]
    assert [cell.value for cell in sheet[1]] == [*COLUMNS, *INFO_COLUMNS]
    assert sheet.max_row == 3
    for row in (2, 3):
        sheet.cell(row=row, column=5, value="employed")
        sheet.cell(row=row, column=6, value=datetime.datetime.combine(ago(1), datetime.time()))
        sheet.cell(row=row, column=7, value="employer")
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, "filled.xlsx", out.getvalue())
    assert preview.status_code == 200, preview.context["problems"]
    client.post(IMPORT, {"rows": preview.context["payload"]})
    assert set(
        Participation.objects.filter(leaving_situation="employed").values_list(
            "jobseeker__external_ref", "placed_on"
        )
    ) == {("VD-DUE", ago(1)), ("VD-LATE", ago(1))}


def file_with(*lines: dict) -> bytes:
    return write_csv(list(lines), columns=COLUMNS, delimiter=";")


def line(participation, **values) -> dict:
    return {
        "pes": participation.jobseeker.pes.slug,
        "reference": participation.jobseeker.external_ref,
        "action": participation.action.reference,
        "kind": "on_leaving",
        "situation": "employed",
        "checked_on": ago(1).isoformat(),
        "source": "employer",
        **values,
    }


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(client, coordinator, rows):
    client.force_login(coordinator)
    content = file_with(
        line(rows["due"]),
        line(rows["overdue"], situation="better_situation"),
        line(rows["overdue"], kind="yearly", checked_on="soon"),
        line(rows["other_pes"]),
        line(rows["due"], pes="nowhere", source="rumour"),
    )
    response = upload(client, "bad.csv", content)
    assert response.status_code == 400
    assert response.context["problems"] == [
        'Row 3, column situation: "better_situation" is no situation of this follow-up; use '
        "employed, self_employed, education, job_seeking, inactive.",
        'Row 4, column checked_on: "soon" is not a date; write it as 2017-11-28 or 28/11/2017.',
        'Row 4, column kind: "yearly" is no kind of follow-up; use on_leaving, six_months.',
        'Row 6, column pes: "nowhere" is no PES.',
        'Row 6, column source: "rumour" is no source; use pes_register, employer, survey, '
        "self_declared.",
    ]
    assert "payload" not in response.context
    # The cells right, but another PES's jobseeker: unknown, and still nothing written.
    response = upload(client, "bad.csv", file_with(line(rows["due"]), line(rows["other_pes"])))
    assert response.context["problems"] == [
        "Row 3, column reference: No participation of LF-DUE in the action "
        f"{rows['other_pes'].action.reference} among the records you may change."
    ]
    assert not Participation.objects.exclude(leaving_situation="").exists()


def test_a_rule_of_the_record_refuses_the_whole_file(client, coordinator, left, rows):
    placed = left(ago(10), placed_on=ago(9), reference="VD-PLACED")
    client.force_login(coordinator)
    response = upload(
        client, "f.csv", file_with(line(rows["due"]), line(placed, situation="job_seeking"))
    )
    assert response.status_code == 400
    assert response.context["problems"][0].startswith("Row 3, column situation: Contradicts")
    assert not Participation.objects.exclude(leaving_situation="").exists()


def test_a_confirmation_is_refused_when_changed_expired_or_another_users(
    client, coordinator, rows, settings
):
    client.force_login(coordinator)
    preview = upload(client, "f.csv", file_with(line(rows["due"])))
    payload = preview.context["payload"]
    assert client.post(IMPORT, {"rows": payload + "x"}).status_code == 400
    other = type(coordinator).objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(other)
    assert client.post(IMPORT, {"rows": payload}).status_code == 400
    settings.IMPORT_PREVIEW_LIFETIME = -1
    client.force_login(coordinator)
    assert client.post(IMPORT, {"rows": payload}).status_code == 400
    assert not Participation.objects.exclude(leaving_situation="").exists()


def test_a_file_that_cannot_be_read_says_why(client, coordinator, rows):
    client.force_login(coordinator)
    response = upload(client, "notes.txt", b"hello")
    assert response.status_code == 400
    assert "neither .xlsx nor .csv" in response.context["refusal"]
    response = upload(client, "f.csv", b"pes;reference\r\nvdab;X\r\n")
    assert response.status_code == 400
    assert "Missing columns" in response.context["refusal"]
    response = upload(
        client, "f.csv", file_with(line(rows["due"], situation="", checked_on="", source=""))
    )
    assert response.status_code == 400
    assert "records no follow-up" in response.context["refusal"]
    assert client.post(IMPORT, {}).status_code == 400


def test_strangers_may_not_download_nor_import(client, manager, rows):
    client.force_login(manager)
    assert client.get(DOWNLOAD).status_code == 403
    assert upload(client, "f.csv", file_with(line(rows["due"]))).status_code == 403


def test_an_empty_workbook_is_the_template(client, coordinator):
    client.force_login(coordinator)
    book = load_workbook(io.BytesIO(client.get(DOWNLOAD).content))
    assert book["follow-ups"].max_row == 1


def test_a_reference_that_looks_like_a_formula_is_written_as_text(client, coordinator, left):
    """A PES reference typed as a formula never runs in the coordinator's spreadsheet."""
    record = left(ago(10), reference='=HYPERLINK("HTTP://EVIL")')
    client.force_login(coordinator)
    # In English, the language of the request here: separated by commas, as English Excel
    # splits a CSV (semicolons in Dutch and French, or whichever `sep` asks).
    lines = csv_rows(client.get(DOWNLOAD, {"format": "csv"}).content)
    assert lines[1][1] == '\'=HYPERLINK("HTTP://EVIL")'
    book = load_workbook(io.BytesIO(client.get(DOWNLOAD, {"format": "xlsx"}).content))
    cell = book["follow-ups"].cell(row=2, column=2)
    assert cell.data_type != "f"
    assert cell.value == '\'=HYPERLINK("HTTP://EVIL")'
    assert record.jobseeker.external_ref == '=HYPERLINK("HTTP://EVIL")'
