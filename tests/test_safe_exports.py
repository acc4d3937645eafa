"""The admin's exports of participations and figures keep a text that looks like a formula as
text, in CSV and in xlsx, and such an export re-imports to the values that were held."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.imports import import_figures
from crossborder.core import tabular
from crossborder.core.metrics import Metric
from participants.imports import import_participations
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+2", "+cmd|' /C calc'!A0", "@SUM(1)"]
# The export's format choices, in the order of the admins' formats: CSV, then xlsx.
CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def source(project, vdab):
    action = ActionFactory(project=project, reference="source")
    for n, formula in enumerate(FORMULAS):
        ParticipationFactory(
            action=action,
            jobseeker=JobseekerFactory(
                pes=vdab, external_ref=f"V-{n}", given_name=formula, family_name=formula
            ),
        )
    for metric, formula in zip(
        [Metric.STARTS, Metric.COMPLETIONS, Metric.HIRES], FORMULAS, strict=True
    ):
        FigureFactory(action=action, pes=None, metric=metric, value=3, note=formula)
    return action


def _export(client, name: str, file_format: str, action) -> bytes:
    response = client.post(
        reverse(f"admin:{name}_export") + f"?action__id__exact={action.pk}",
        {"format": file_format, "resource": "0"},
    )
    assert response.status_code == 200
    return response.content


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(data: bytes) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    header, *rows = [[cell for cell in row] for row in sheet.iter_rows()]
    for row in rows:
        # A cell that would run as a formula is a formula cell ("f"); text is "s".
        assert all(cell.data_type != "f" for cell in row)
    names = [cell.value for cell in header]
    return [dict(zip(names, (cell.value for cell in row), strict=True)) for row in rows]


def test_participation_csv_export_writes_formulas_as_text(coordinator_client, source):
    rows = _csv_rows(_export(coordinator_client, "participants_participation", CSV_FORMAT, source))

    assert sorted((row["given_name"], row["family_name"]) for row in rows) == sorted(
        ("'" + formula, "'" + formula) for formula in FORMULAS
    )


def test_participation_xlsx_export_writes_formulas_as_text(coordinator_client, source):
    rows = _xlsx_rows(
        _export(coordinator_client, "participants_participation", XLSX_FORMAT, source)
    )

    assert sorted((row["given_name"], row["family_name"]) for row in rows) == sorted(
        ("'" + formula, "'" + formula) for formula in FORMULAS
    )


def test_figure_csv_export_writes_formulas_as_text(coordinator_client, source):
    rows = _csv_rows(_export(coordinator_client, "actions_figure", CSV_FORMAT, source))

    assert sorted(row["note"] for row in rows) == sorted("'" + formula for formula in FORMULAS)
    assert {row["value"] for row in rows} == {"3"}


def test_figure_xlsx_export_writes_formulas_as_text(coordinator_client, source):
    rows = _xlsx_rows(_export(coordinator_client, "actions_figure", XLSX_FORMAT, source))

    assert sorted(row["note"] for row in rows) == sorted("'" + formula for formula in FORMULAS)
    # Numbers stay numbers.
    assert {row["value"] for row in rows} == {3}


@pytest.mark.parametrize(
    ("file_format", "filename"), [(CSV_FORMAT, "e.csv"), (XLSX_FORMAT, "e.xlsx")]
)
def test_a_participation_export_reimports_the_values_held(
    coordinator_client, source, project, file_format, filename
):
    data = _export(coordinator_client, "participants_participation", file_format, source)
    # Into a new action: the rows' action column names it.
    target = ActionFactory(project=project, reference="source-copy")
    source.reference = "source-old"
    source.save(update_fields=["reference"])
    target.reference = "source"
    target.save(update_fields=["reference"])

    result = import_participations(action=target, filename=filename, data=data, dry_run=False)

    assert [str(p) for p in result.problems] == []
    assert sorted(
        target.participations.values_list("jobseeker__given_name", "jobseeker__family_name")
    ) == sorted((formula, formula) for formula in FORMULAS)


@pytest.mark.parametrize(
    ("file_format", "filename"), [(CSV_FORMAT, "e.csv"), (XLSX_FORMAT, "e.xlsx")]
)
def test_a_figure_export_reimports_the_values_held(
    coordinator_client, source, project, file_format, filename
):
    data = _export(coordinator_client, "actions_figure", file_format, source)
    target = ActionFactory(project=project, reference="source-copy")
    source.reference = "source-old"
    source.save(update_fields=["reference"])
    target.reference = "source"
    target.save(update_fields=["reference"])

    result = import_figures(action=target, filename=filename, data=data, dry_run=False)

    assert [str(p) for p in result.problems] == []
    assert sorted(target.figures.values_list("note", flat=True)) == sorted(FORMULAS)


def test_reading_a_cell_undoes_only_the_guard():
    assert tabular.text("'=1+2") == "=1+2"
    assert tabular.text("'@SUM(1)") == "@SUM(1)"
    # A quote before anything else is the text itself.
    assert tabular.text("'t Kofschip") == "'t Kofschip"
    assert tabular.text("=1+2") == "=1+2"
