"""The read side of the reporting periods: `approved=true` counts only the figures and records
of approved periods, everywhere the reports layer is read (the outcomes table, the dashboards,
the outcomes API, the year report and its files, the `report` command); otherwise the figures
of periods not approved yet are marked provisional."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from crossborder.core.dataversion import data_version
from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionType, ParticipationStatus
from projects.models import PeriodStatus, ReportingPeriod
from projects.periods import period_transition
from reports.exports import year_report_docx, year_report_xlsx
from reports.selectors import ReportParameterError, outcomes
from reports.year_report import year_report
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CohortFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
APPROVED = {"approved": "true"}


def pick(row: dict, *keys: str) -> dict:
    return {key: row[key] for key in keys}


@pytest.fixture
def project(vdab, le_forem, pole_emploi):
    project = ProjectFactory(slug="p", lead_partner=vdab)
    for pes in (vdab, le_forem, pole_emploi):
        ProjectPartnerFactory(project=project, organisation=pes)
    return project


@pytest.fixture
def periods(project, vdab, le_forem):
    """2018-S1: VDAB's period approved, Le Forem's submitted, Pôle emploi's open (no row)."""
    return {
        "vdab": ReportingPeriod.objects.create(
            project=project, year=2018, semester="2018-S1", pes=vdab, status=PeriodStatus.APPROVED
        ),
        "le-forem": ReportingPeriod.objects.create(
            project=project,
            year=2018,
            semester="2018-S1",
            pes=le_forem,
            status=PeriodStatus.SUBMITTED,
        ),
    }


@pytest.fixture
def facts(project, periods, vdab, le_forem, pole_emploi):
    jobdating = ActionFactory(project=project, start_date=D(2018, 3, 1))
    FigureFactory(action=jobdating, pes=vdab, value=10)
    FigureFactory(action=jobdating, pes=le_forem, value=5)
    FigureFactory(action=jobdating, pes=pole_emploi, value=3)
    FigureFactory(action=jobdating, pes=None, value=7)
    ActionEmployerFactory(action=jobdating, vacancies=4)
    cohort = CohortFactory(project=project, start_date=D(2018, 4, 1), end_date=D(2018, 6, 30))
    ParticipationFactory(
        action=cohort,
        jobseeker=JobseekerFactory(pes=vdab),
        status=ParticipationStatus.COMPLETED,
        placed_on=D(2018, 8, 1),
    )
    ParticipationFactory(action=cohort, jobseeker=JobseekerFactory(pes=vdab))
    ParticipationFactory(action=cohort, jobseeker=JobseekerFactory(pes=le_forem))
    # The second semester: no period row, so open.
    autumn = ActionFactory(project=project, start_date=D(2018, 9, 10))
    FigureFactory(action=autumn, pes=vdab, value=6)
    seminar = ActionFactory(
        project=project, action_type=ActionType.STAFF_SEMINAR, start_date=D(2018, 2, 1)
    )
    return {"jobdating": jobdating, "cohort": cohort, "autumn": autumn, "seminar": seminar}


# The reports layer ---------------------------------------------------------------------------


def test_by_default_everything_counts(facts):
    totals = outcomes().totals
    assert pick(totals, "actions", "starts", "placements", "vacancies", "people") == {
        "actions": 4,
        "starts": 34,
        "placements": 1,
        "vacancies": 4,
        "people": 3,
    }
    assert totals["provisional"] is True


def test_approved_counts_only_the_approved_periods(facts):
    table = outcomes(group_by=["semester", "pes"], filters=APPROVED)
    assert [
        pick(r, "semester", "pes", "actions", "starts", "placements", "vacancies", "people")
        for r in table.rows
    ] == [
        {
            "semester": "2018-S1",
            "pes": "vdab",
            "actions": 2,
            "starts": 12,
            "placements": 1,
            "vacancies": 0,
            "people": 2,
        },
        # The seminar (no figure at all) and nothing else: Le Forem's submitted period, Pôle
        # emploi's open one, the unsplit figure and the employer are left out.
        {
            "semester": "2018-S1",
            "pes": None,
            "actions": 1,
            "starts": 0,
            "placements": 0,
            "vacancies": 0,
            "people": None,
        },
        # The autumn jobdating's period is open: counted as an action, without its figures.
        {
            "semester": "2018-S2",
            "pes": None,
            "actions": 1,
            "starts": 0,
            "placements": 0,
            "vacancies": 0,
            "people": None,
        },
    ]
    assert pick(table.totals, "actions", "starts", "people", "provisional") == {
        "actions": 4,
        "starts": 12,
        "people": 2,
        "provisional": False,
    }
    assert outcomes(filters=APPROVED).totals == {**table.totals}


def test_rows_of_periods_not_approved_are_provisional(facts):
    table = outcomes(group_by=["semester", "pes"])
    assert [(r["semester"], r["pes"], r["starts"], r["provisional"]) for r in table.rows] == [
        ("2018-S1", "le-forem", 6, True),
        ("2018-S1", "pole-emploi", 3, True),
        ("2018-S1", "vdab", 12, False),
        ("2018-S1", None, 7, True),  # unsplit, and the employer: in no period
        ("2018-S2", "vdab", 6, True),
    ]
    # An action without any figure has nothing to approve.
    assert outcomes(filters={"action_type": "staff_seminar"}).totals["provisional"] is False
    assert outcomes(filters={"pes": "vdab", "semester": "2018-S1"}).totals["provisional"] is False


def test_an_approval_changes_the_figures_and_the_data_version(facts, periods, manager):
    before = data_version()
    assert outcomes(filters=APPROVED).totals["starts"] == 12
    period_transition(period=periods["le-forem"], kind="approve", user=manager)
    assert data_version() != before
    assert outcomes(filters=APPROVED).totals["starts"] == 18
    period_transition(period=periods["vdab"], kind="reopen", user=manager, comment="typo")
    assert outcomes(filters=APPROVED).totals["starts"] == 6


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_approved_is_true_or_false(facts, value):
    with pytest.raises(ReportParameterError) as error:
        outcomes(filters={"approved": value})
    assert error.value.message_dict == {"approved": [f"“{value}” is neither true nor false."]}


def test_approved_asks_no_more_queries(facts, django_assert_num_queries):
    """The rollups' standing (reports.answers), then the table."""
    with django_assert_num_queries(2):
        outcomes(group_by=["semester", "action_type"], filters=APPROVED)
    with django_assert_num_queries(2):
        outcomes(group_by=["semester", "action_type"])


# The outcomes API ----------------------------------------------------------------------------


def test_the_outcomes_api_counts_approved_figures_or_marks_provisional_ones(facts, manager, client):
    client.force_login(manager)
    url = reverse("api:outcomes")
    body = client.get(url, {"group_by": "pes", "approved": "true"}).json()
    assert [pick(r, "pes", "starts", "provisional") for r in body["results"]] == [
        {"pes": "vdab", "starts": 12, "provisional": False},
        {"pes": None, "starts": 0, "provisional": False},
    ]
    body = client.get(url, {"group_by": "pes"}).json()
    assert [(r["pes"], r["starts"], r["provisional"]) for r in body["results"]] == [
        ("le-forem", 6, True),
        ("pole-emploi", 3, True),
        ("vdab", 18, True),
        (None, 7, True),
    ]
    assert body["totals"]["provisional"] is True
    response = client.get(url, {"approved": "perhaps"})
    assert response.status_code == 400
    assert response.json() == {"approved": ["“perhaps” is neither true nor false."]}


def test_the_schema_documents_approved_and_provisional(client, manager):
    client.force_login(manager)
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/reports/outcomes/"]["get"]
    assert "approved" in {p["name"] for p in operation["parameters"]}
    row = schema["components"]["schemas"]["OutcomeRow"]
    assert row["properties"]["provisional"]["type"] == "boolean"


# The dashboards ------------------------------------------------------------------------------


def tile(page: str, name: str) -> str:
    start = page.index(f'data-metric="{name}"')
    value = page.index('class="tile__value">', start) + len('class="tile__value">')
    return page[value : page.index("<", value)]


def test_the_overview_counts_approved_figures_only_when_asked(facts, manager, client):
    client.force_login(manager)
    page = client.get("/", {"year": 2018}).content.decode()
    assert tile(page, "starts") == "34"
    assert 'id="provisional-note"' in page
    assert 'class="provisional-mark"' in page
    # The rows that count provisional figures say so: four of the five semester and PES rows
    # (not VDAB's approved one) and two of the three types (not the seminar, which has none).
    assert page.count('data-provisional="true"') == 6
    page = client.get("/", {"year": 2018, "approved": "true"}).content.decode()
    assert 'data-provisional="true"' not in page
    assert tile(page, "starts") == "12"
    assert 'id="approved-note"' in page
    assert 'id="provisional-note"' not in page
    response = client.get("/", {"year": 2018, "approved": "maybe"})
    assert response.status_code == 400
    assert "approved: “maybe” is neither true nor false." in response.content.decode()


def test_the_project_page_and_the_action_list(facts, manager, client):
    client.force_login(manager)
    project = reverse("reports:project-detail", args=["p"])
    assert tile(client.get(project).content.decode(), "starts") == "34"
    page = client.get(project, {"approved": "true"}).content.decode()
    assert tile(page, "starts") == "12"
    assert 'id="approved-note"' in page
    response = client.get(reverse("reports:action-list"), {"approved": "true"})
    figures = {action.pk: row for action, row in response.context["rows"]}
    assert figures[facts["jobdating"].pk]["starts"] == 10
    assert figures[facts["autumn"].pk]["starts"] == 0
    assert 'id="approved-note"' in response.content.decode()
    response = client.get(reverse("reports:action-list"))
    figures = {action.pk: row for action, row in response.context["rows"]}
    assert figures[facts["jobdating"].pk]["starts"] == 25
    assert 'id="provisional-note"' in response.content.decode()


def test_a_clean_selection_has_no_marker(project, periods, vdab, manager, client):
    FigureFactory(action=ActionFactory(project=project, start_date=D(2018, 3, 1)), pes=vdab)
    client.force_login(manager)
    page = client.get("/", {"year": 2018}).content.decode()
    assert 'id="provisional-note"' not in page
    assert 'class="provisional-mark"' not in page
    assert "data-provisional" not in page


# The year report -----------------------------------------------------------------------------


def test_the_year_report_counts_approved_figures_only_when_asked(facts):
    report = year_report(year=2018)
    assert (report.totals["starts"], report.provisional) == (34, True)
    approved = year_report(year=2018, approved=True)
    assert (approved.totals["starts"], approved.provisional) == (12, False)
    lines = {line.id: line for p in approved.projects for s in p.sections for line in s.actions}
    assert lines[facts["jobdating"].pk].figures["starts"] == 10


def test_the_year_report_files_carry_the_note(facts):
    docx = Document(io.BytesIO(year_report_docx(year_report(year=2018), "en")))
    text = [paragraph.text for paragraph in docx.paragraphs]
    assert text[2].startswith("Provisional: some figures belong to reporting periods")
    approved = Document(io.BytesIO(year_report_docx(year_report(year=2018, approved=True), "en")))
    assert approved.paragraphs[2].text.startswith("Approved figures only")
    sheet = load_workbook(io.BytesIO(year_report_xlsx(year_report(year=2018), "nl"))).active
    assert sheet.cell(row=3, column=1).value.startswith(("Voorlopig", "Provisional"))


def test_the_year_report_page_and_its_parameter(facts, manager, client):
    client.force_login(manager)
    url = reverse("reports:year-report", args=[2018])
    page = client.get(url).content.decode()
    assert 'id="periods-note"' in page and "Provisional:" in page
    page = client.get(url, {"approved": "true"}).content.decode()
    assert "Approved figures only:" in page
    assert 'name="approved" value="true" checked' in page
    response = client.get(url, {"approved": "x", "format": "csv"})
    assert response.status_code == 400
    assert response.content.decode() == "approved: “x” is neither true nor false.\n"


def test_the_report_command_takes_approved(facts, tmp_path):
    out = io.StringIO()
    call_command("report", "outcomes", "--group-by", "pes", "--approved", stdout=out)
    lines = out.getvalue().splitlines()
    header = lines[0].lstrip("\ufeff").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    assert [(row["pes"], row["starts"], row["provisional"]) for row in rows] == [
        ("vdab", "12", "false"),
        ("", "0", "false"),
    ]
    target = tmp_path / "answer.docx"
    call_command(
        "report", "year", "2018", "--approved", "--format", "docx", "-o", str(target), stderr=out
    )
    assert Document(str(target)).paragraphs[2].text.startswith("Approved figures only")


def test_the_year_report_asks_no_more_queries_when_approved(facts, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as default:
        year_report(year=2018)
    with django_assert_num_queries(len(default)):
        year_report(year=2018, approved=True)
    assert Metric.STARTS == "starts"
