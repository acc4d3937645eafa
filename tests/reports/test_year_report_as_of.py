"""The year report as of a day: what counts on that day, in the report, its page, its command,
its API endpoint and its files; bad days and years; who may read it; a fixed query count."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus, ActionType
from reports import exports
from reports.selectors import ReportParameterError
from reports.year_report import parse_as_of, period_end, status_as_of, year_report
from tests.factories import ActionFactory, CohortFactory, FigureFactory, ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date
API = "/api/v1/reports/year/"


@pytest.fixture(autouse=True)
def default_language_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def project(db):
    return ProjectFactory(slug="grenzeloos-tewerkstellen", name="Grenzeloos Tewerkstellen")


@pytest.fixture
def actions(project):
    """A 2017 cohort, and in 2018: a cohort that began before 20 April and ended after it
    (completed by now), a fair before it, a visit after it (done by now) and a planned one."""
    cohort_2017 = CohortFactory(project=project, title="Cohort 2017")
    FigureFactory(action=cohort_2017, metric=Metric.STARTS, value=10)
    FigureFactory(action=cohort_2017, metric=Metric.PLACEMENTS, pes=None, value=3)
    cohort_2018 = CohortFactory(
        project=project,
        title="Cohort 2018",
        start_date=D(2018, 3, 26),
        end_date=D(2018, 6, 26),
        status=ActionStatus.COMPLETED,
    )
    FigureFactory(action=cohort_2018, metric=Metric.STARTS, value=11)
    FigureFactory(action=cohort_2018, metric=Metric.PLACEMENTS, pes=None, value=4)
    fair = ActionFactory(
        project=project, title="Fair", action_type=ActionType.JOB_FAIR, start_date=D(2018, 2, 1)
    )
    visit = ActionFactory(
        project=project,
        title="Visit",
        action_type=ActionType.COMPANY_VISIT,
        start_date=D(2018, 5, 31),
    )
    planned = ActionFactory(
        project=project,
        title="Planned",
        status=ActionStatus.PLANNED,
        start_date=None,
        year=2018,
        semester="2018-S2",
    )
    return {
        "cohort_2017": cohort_2017,
        "cohort_2018": cohort_2018,
        "fair": fair,
        "visit": visit,
        "planned": planned,
    }


# The rule


@pytest.mark.parametrize(
    ("status", "started", "ended", "expected"),
    [
        (ActionStatus.COMPLETED, True, True, ActionStatus.COMPLETED),
        (ActionStatus.COMPLETED, True, False, ActionStatus.ONGOING),
        (ActionStatus.COMPLETED, False, False, ActionStatus.PLANNED),
        (ActionStatus.ONGOING, True, True, ActionStatus.ONGOING),
        (ActionStatus.CANCELLED, True, True, ActionStatus.CANCELLED),
        (ActionStatus.CANCELLED, False, False, ActionStatus.PLANNED),
        (ActionStatus.PLANNED, True, True, ActionStatus.PLANNED),
    ],
)
def test_status_as_of_a_day(status, started, ended, expected):
    assert status_as_of(status, started=started, ended=ended) == expected


def test_a_rough_period_ends_with_its_month_semester_or_year(project):
    march = ActionFactory(project=project, start_date=None, year=2018, semester="2018-S1")
    march.period_month = 3
    assert period_end(march) == D(2018, 3, 31)
    december = ActionFactory(project=project, start_date=None, year=2017, semester="2017-S2")
    december.period_month = 12
    assert period_end(december) == D(2017, 12, 31)
    semester = ActionFactory(project=project, start_date=None, year=2018, semester="2018-S1")
    assert period_end(semester) == D(2018, 6, 30)
    year = ActionFactory(project=project, start_date=None, year=2018, semester="")
    assert period_end(year) == D(2018, 12, 31)
    day = ActionFactory(project=project, start_date=D(2018, 2, 1))
    assert period_end(day) == D(2018, 2, 1)


@pytest.mark.parametrize("text", ["2018-04-20", "20/04/2018", " 20/04/2018 ", "20.04.2018"])
def test_the_day_is_read_day_first_or_iso(text):
    assert parse_as_of(text) == D(2018, 4, 20)


@pytest.mark.parametrize("text", ["04/20/2018", "yesterday", "2018-02-30", "31/12/1899", "1e9"])
def test_a_bad_day_is_an_error_naming_as_of(text):
    with pytest.raises(ReportParameterError) as error:
        parse_as_of(text)
    assert list(error.value.message_dict) == ["as_of"]
    assert text in error.value.message_dict["as_of"][0]


def test_no_day_is_today():
    assert parse_as_of(None) == parse_as_of("") == datetime.date.today()


# The report


def _lines(report, part: str) -> dict[str, str]:
    return {
        line.title.en: line.status for project in report.projects for line in getattr(project, part)
    }


def test_as_of_20_april_2018(actions):
    report = year_report(year=2017, as_of=D(2018, 4, 20))
    assert report.as_of == D(2018, 4, 20)
    gt = report.projects[0]
    assert [line.title.en for s in gt.sections for line in s.actions] == ["Cohort 2017"]
    # Begun by the day: ongoing until it ends, its work found not known yet.
    assert _lines(report, "realised_next_year") == {
        "Fair": ActionStatus.COMPLETED,
        "Cohort 2018": ActionStatus.ONGOING,
    }
    cohort = gt.realised_next_year[1]
    assert cohort.outcomes_pending
    assert cohort.figures["starts"] == 11
    # What was planned on the day, though the visit has taken place since.
    assert _lines(report, "planned_next_year") == {
        "Visit": ActionStatus.PLANNED,
        "Planned": ActionStatus.PLANNED,
    }


def test_as_of_today_the_next_year_has_happened(actions):
    report = year_report(year=2017, as_of=D(2019, 1, 10))
    assert _lines(report, "realised_next_year") == {
        "Fair": ActionStatus.COMPLETED,
        "Cohort 2018": ActionStatus.COMPLETED,
        "Visit": ActionStatus.COMPLETED,
    }
    assert _lines(report, "planned_next_year") == {"Planned": ActionStatus.PLANNED}
    assert not report.projects[0].realised_next_year[1].outcomes_pending


def test_a_day_within_the_year_leaves_later_actions_planned_and_uncounted(actions):
    report = year_report(year=2018, as_of=D(2018, 3, 1))
    gt = report.projects[0]
    assert [line.title.en for s in gt.sections for line in s.actions] == ["Fair"]
    assert report.totals["actions"] == 1
    assert {line.title.en for line in gt.planned} == {"Cohort 2018", "Visit", "Planned"}


def test_work_found_not_yet_known_reads_so_in_every_format(actions):
    report = year_report(year=2018, as_of=D(2018, 4, 20))
    sheet = exports.answer_sheet(report, "en")
    cohorts = next(
        block for block in sheet.projects[0].types if block.action_type == "guidance_cohort"
    )
    row = [cell.text for cell in cohorts.table.rows[0]]
    assert row.count("not yet known") == 1  # the placements, never 0
    assert "4" not in row
    assert "work found not yet known for 1 action" in cohorts.summary
    rows = list(
        csv.DictReader(io.StringIO(exports.year_report_csv(report, "en").decode("utf-8-sig")))
    )
    cohort_row = next(r for r in rows if r["title"] == "Cohort 2018")
    assert (cohort_row["placements"], cohort_row["outcomes_pending"]) == ("", "true")
    assert cohort_row["as_of"] == "2018-04-20"


def test_the_document_states_its_day_and_when_it_was_made(actions):
    report = year_report(year=2017, as_of="20/04/2018")
    sheet = exports.answer_sheet(report, "en")
    assert sheet.dated.startswith("As of 20/04/2018; made on ")
    assert "reporting periods of 2017\N{EN DASH}2018: 0 approved, 0 not approved" in (
        sheet.periods_summary
    )


def test_a_text_in_another_language_is_marked(project):
    action = ActionFactory(project=project)
    action.title_en, action.title_fr = "", "Jobdating Furnes"
    action.save()
    report = year_report(year=2017, as_of=D(2018, 4, 20))
    line = report.projects[0].sections[0].actions[0]
    assert line.title.get("fr") == "Jobdating Furnes"
    assert line.title.get("nl") == "Jobdating Furnes (fr)"
    assert "Jobdating Furnes (fr)" in exports.year_report_html(report, "nl").decode()


def test_bad_year_and_day_are_named_together():
    with pytest.raises(ReportParameterError) as error:
        year_report(year=1800, as_of="soon")
    assert sorted(error.value.message_dict) == ["as_of", "year"]


def _actions(project, days) -> None:
    for day in days:
        action = ActionFactory(project=project, start_date=D(2017, 10, day))
        FigureFactory(action=action, value=day)


def test_the_query_count_does_not_grow_with_the_actions(project, django_assert_num_queries):
    _actions(project, (1, 2))
    with CaptureQueriesContext(connection) as few:
        year_report(year=2017, as_of=D(2018, 4, 20))
    _actions(project, (3, 4, 5, 6, 7))
    with django_assert_num_queries(len(few.captured_queries)):
        year_report(year=2017, as_of=D(2018, 4, 20))


# The page


def page(year: int = 2017, query: str = "") -> str:
    return reverse("reports:year-report", args=[year]) + query


def test_the_page_takes_the_day(actions, client, manager):
    client.force_login(manager)
    response = client.get(page(query="?as_of=20/04/2018&lang=en"))
    assert response.status_code == 200
    assert response.context["sheet"].dated.startswith("As of 20/04/2018")
    html = response.content.decode()
    assert 'name="as_of" value="20/04/2018"' in html
    # Every link of the page keeps the day: the other years and the downloads.
    assert "as_of=20%2F04%2F2018" in response.context["next_url"]
    assert all("as_of=" in url for _label, url in response.context["downloads"])
    iso = client.get(page(query="?as_of=2018-04-20&lang=en"))
    assert iso.context["sheet"].dated.startswith("As of 20/04/2018")


def test_the_page_refuses_a_bad_day(actions, client, manager):
    client.force_login(manager)
    response = client.get(page(query="?as_of=31/02/2018"))
    assert response.status_code == 400
    assert response.content.decode().startswith("as_of: ")


DAYS = [
    ("", None),  # today
    ("2100-12-31", D(2100, 12, 31)),  # far in the future
    ("2016-06-01", D(2016, 6, 1)),  # before the year: all of it still planned
    ("20/04/2018", D(2018, 4, 20)),
]
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@pytest.mark.parametrize("file_format", list(CONTENT_TYPES))
@pytest.mark.parametrize(("text", "day"), DAYS)
def test_every_format_takes_any_day_of_the_years_it_knows(
    actions, client, manager, file_format, text, day
):
    client.force_login(manager)
    day = day or datetime.date.today()
    response = client.get(page(), {"as_of": text, "format": file_format, "lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[file_format]
    if file_format == "html":
        assert response.context["sheet"].dated.startswith(f"As of {day:%d/%m/%Y};")
    elif file_format == "csv":
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert {row["as_of"] for row in rows} == {day.isoformat()}


@pytest.mark.parametrize("file_format", list(CONTENT_TYPES))
@pytest.mark.parametrize(
    "text", ["31/02/2018", "<script>alert(1)</script>", "9999-12-31", "2018-04-20T00:00", "1e9"]
)
def test_every_format_refuses_a_bad_day_in_plain_words(actions, client, manager, file_format, text):
    client.force_login(manager)
    response = client.get(page(), {"as_of": text, "format": file_format, "lang": "en"})
    assert response.status_code == 400
    # Plain text, never HTML: a hostile day is shown as written, not run.
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        f"as_of: \u201c{text}\u201d is not a day; write it as 20/04/2018 or 2018-04-20.\n"
    )


def test_the_download_is_as_of_the_day(actions, client, manager):
    client.force_login(manager)
    response = client.get(page(query="?as_of=2018-04-20&lang=en&format=csv"))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["as_of"] for row in rows} == {"2018-04-20"}


def test_a_stranger_may_not_read_the_page(actions, client, stranger):
    client.force_login(stranger)
    assert client.get(page(query="?as_of=2018-04-20")).status_code == 403


# The command


def test_the_command_takes_the_day(actions, capsys):
    call_command(
        "report", "year", "2017", "--as-of", "2018-04-20", "--format", "csv", "--lang", "nl"
    )
    # Semicolons: Dutch Excel's separator.
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out), delimiter=";"))
    assert {row["as_of"] for row in rows} == {"2018-04-20"}
    assert {row["title"]: row["status"] for row in rows}["Visit (en)"] == "planned"


def test_the_command_writes_the_docx_as_of_the_day(actions, tmp_path):
    target = tmp_path / "answer-2017-nl.docx"
    call_command(
        "report",
        "year",
        "2017",
        "--as-of",
        "20/04/2018",
        "--format",
        "docx",
        "--lang",
        "nl",
        "-o",
        str(target),
    )
    from docx import Document

    text = " ".join(p.text for p in Document(str(target)).paragraphs)
    assert "20/04/2018" in text


def test_the_command_refuses_a_bad_day(actions, tmp_path):
    with pytest.raises(CommandError, match="--as-of: “someday”"):
        call_command("report", "year", "2017", "--as-of", "someday", "--format", "csv")


# The API


def test_the_endpoint_gives_the_report_as_of_the_day(actions, client, manager):
    client.force_login(manager)
    response = client.get(API, {"year": "2017", "as_of": "2018-04-20", "lang": "en"})
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["as_of"], body["lang"]) == (2017, "2018-04-20", "en")
    assert body["made_at"]
    gt = body["projects"][0]
    assert gt["slug"] == "grenzeloos-tewerkstellen"
    so_far = {a["title"]: a for a in gt["realised_next_year"]}
    assert so_far["Cohort 2018"]["status"] == "ongoing"
    assert so_far["Cohort 2018"]["outcomes_pending"] is True
    assert so_far["Cohort 2018"]["figures"]["counts"]["placements"] is None
    assert so_far["Cohort 2018"]["figures"]["counts"]["starts"] == 11
    assert {a["title"] for a in gt["planned_next_year"]} == {"Visit", "Planned"}
    assert gt["sections"][0]["actions"][0]["figures"]["counts"]["placements"] == 3


def test_the_endpoint_takes_the_day_first(actions, client, manager):
    client.force_login(manager)
    response = client.get(API, {"year": "2017", "as_of": "20/04/2018"})
    assert response.json()["as_of"] == "2018-04-20"


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"as_of": "2018-04-20"}, ["year"]),
        ({"year": "17", "as_of": "2018-04-20"}, ["year"]),
        ({"year": "2017", "as_of": "20-04"}, ["as_of"]),
        ({"year": "2017", "as_of": "2018-02-30"}, ["as_of"]),
        ({"year": "abc", "as_of": "nope"}, ["as_of", "year"]),
        ({"year": "2017", "lang": "de"}, ["lang"]),
        ({"year": "2017", "approved": "maybe"}, ["approved"]),
        ({"year": "2017", "project": "nowhere"}, ["project"]),
        ({"year": "2017", "colour": "red"}, ["colour"]),
    ],
)
def test_the_endpoint_names_what_it_cannot_read(actions, client, manager, query, named):
    client.force_login(manager)
    response = client.get(API, query)
    assert response.status_code == 400
    assert sorted(response.json()) == named


@pytest.mark.parametrize(("text", "day"), DAYS)
def test_the_endpoint_takes_any_day_of_the_years_it_knows(actions, client, manager, text, day):
    client.force_login(manager)
    response = client.get(API, {"year": "2017", "as_of": text})
    assert response.status_code == 200
    assert response.json()["as_of"] == (day or datetime.date.today()).isoformat()


def test_the_endpoint_refuses_a_hostile_day_by_name(actions, client, manager):
    client.force_login(manager)
    response = client.get(API, {"year": "2017", "as_of": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert response.json() == {
        "as_of": [
            "\u201c<script>alert(1)</script>\u201d is not a day; write it as 20/04/2018 or "
            "2018-04-20."
        ]
    }


def test_the_endpoint_refuses_anonymous_and_strangers(actions, client, stranger):
    assert client.get(API, {"year": "2017"}).status_code == 401
    client.force_login(stranger)
    assert client.get(API, {"year": "2017"}).status_code == 403


def test_the_endpoint_is_documented(client, manager):
    client.force_login(manager)
    schema = client.get("/api/v1/schema/", {"format": "json"})
    operation = json.loads(schema.content)["paths"][API]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "year",
        "as_of",
        "project",
        "lang",
        "approved",
    }
    assert set(operation["responses"]) >= {"200", "400", "401", "403"}
