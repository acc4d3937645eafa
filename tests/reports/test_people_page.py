"""The "Who took part" page (reports.people_views): the breakdowns by gender, age band, youth
band, status at entry and education level with the results, small numbers protected in the page,
its CSV and workbook and the API for users who may not read personal data."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from crossborder.core.vocabulary import (
    ActionStatus,
    ActionType,
    OrganisationKind,
    ParticipationStatus,
)
from projects.roles import COORDINATOR
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("reports:people")
# Who started the training of 2017, by gender: (gender, started, in work on leaving, known
# on leaving but not in work).
TRAINEES = (("man", 12, 8, 0), ("not_given", 7, 0, 7), ("woman", 3, 3, 0))


@pytest.fixture
def training(vdab):
    """A training of 2017 (March to June): 22 trainees who completed it, the situation on
    leaving recorded for 18 of them; nobody's six-month situation, long overdue."""
    action = ActionFactory(
        project=ProjectFactory(slug="grenzeloos"),
        action_type=ActionType.TRAINING,
        status=ActionStatus.COMPLETED,
        start_date=datetime.date(2017, 3, 1),
        end_date=datetime.date(2017, 6, 30),
    )
    for gender, started, in_work, not_in_work in TRAINEES:
        for index in range(started):
            situation = (
                "employed"
                if index < in_work
                else "job_seeking"
                if index < in_work + not_in_work
                else ""
            )
            ParticipationFactory(
                action=action,
                pes=vdab,
                jobseeker=JobseekerFactory(pes=vdab, gender=gender, birth_year=1990),
                status=ParticipationStatus.COMPLETED,
                completed_on=datetime.date(2017, 6, 30),
                leaving_situation=situation,
                leaving_checked_on=datetime.date(2017, 7, 10) if situation else None,
                leaving_source="pes_register" if situation else "",
            )
    return action


@pytest.fixture
def outside_coordinator(db):
    """A coordinator of an organisation that is no PES: reads the programme, no personal data."""
    user = UserFactory(username="coordinator-partner")
    user.groups.add(Group.objects.get(name=COORDINATOR))
    MembershipFactory(
        user=user, organisation=OrganisationFactory(slug="partner", kind=OrganisationKind.PARTNER)
    )
    return user


def page(client, user, **params: Any):
    client.force_login(user)
    return client.get(URL, {"year": 2017, **params})


def cells(html: str, dimension: str) -> dict[str, dict[str, str]]:
    """The table of one dimension as it reads: row label -> measure -> text."""
    table = re.search(rf'<table id="people-{dimension}-table".*?</table>', html, flags=re.S).group(
        0
    )
    rows: dict[str, dict[str, str]] = {}
    for label, body in re.findall(r'<th scope="row"[^>]*>([^<]*)</th>(.*?)</tr>', table, re.S):
        rows[label.strip()] = dict(
            re.findall(r'<td class="num" data-measure="([a-z_0-9]+)"[^>]*>([^<]*)</td>', body)
        )
    return rows


def possible(
    withheld: dict[str, str], shown: dict[str, int], total: int, threshold: int = 5
) -> dict[str, set[int]]:
    """Every value each withheld cell of a line may have, given the cells shown, the total and
    what each withheld cell reads ("fewer than 5": 1 to 4, or 0 to 4 in a line showing no
    non-zero cell; "not shown": 5 or more)."""
    rest = total - sum(shown.values())
    names = list(withheld)
    # A zero is withheld ("fewer than 5" too) only beside a small cell of a line that shows no
    # other non-zero cell: in such a line "fewer than 5" may be 0.
    least = 1 if any(shown.values()) else 0
    ranges = {
        name: range(least, threshold)
        if text.startswith("fewer than")
        else range(threshold, rest + 1)
        for name, text in withheld.items()
    }
    found: dict[str, set[int]] = {name: set() for name in names}

    def search(index: int, chosen: dict[str, int]) -> None:
        if index == len(names):
            if sum(chosen.values()) == rest:
                for name, value in chosen.items():
                    found[name].add(value)
            return
        for value in ranges[names[index]]:
            search(index + 1, {**chosen, names[index]: value})

    search(0, {})
    return found


WITHHELD = ("fewer than 5", "not shown")
# A result whose number is 0 but cannot be known reads so, never 0.
READINGS = ("not yet known", "unknown", "not known")


def assert_line_protected(line: dict[str, str], total: int) -> None:
    """A line of label -> text: the values of its withheld cells are not determined by it."""
    withheld = {k: v for k, v in line.items() if v in WITHHELD}
    shown = {
        k: 0 if v in READINGS else int(v.replace(",", ""))
        for k, v in line.items()
        if k not in withheld
    }
    assert withheld
    for name, values in possible(withheld, shown, total).items():
        assert len(values) >= 2, (name, values)


def test_a_manager_sees_small_numbers_protected(client, training, manager):
    response = page(client, manager)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="small-numbers-note"' in html
    gender = cells(html, "gender")
    assert gender["Man"]["starts"] == "12"
    assert gender["Woman"]["starts"] == "fewer than 5"
    # The next smallest non-zero cell of the line is withheld beside it.
    assert gender["Not given"]["starts"] == "not shown"
    assert gender["Total"]["starts"] == "22"
    assert_line_protected({g: gender[g]["starts"] for g in ("Man", "Not given", "Woman")}, 22)
    # In work on leaving: the women's 3 and the men's 8 withheld, the zero shown.
    assert gender["Woman"]["in_work_on_leaving"] == "fewer than 5"
    assert gender["Man"]["in_work_on_leaving"] == "not shown"
    assert gender["Not given"]["in_work_on_leaving"] == "0"
    assert gender["Total"]["in_work_on_leaving"] == "11"
    # Nobody's situation six months on is recorded, long after it was due: unknown, never 0.
    assert gender["Total"]["six_months_unknown"] == "22"
    assert gender["Man"]["in_work_six_months"] == "unknown"
    assert gender["Total"]["in_work_six_months"] == "unknown"
    # Beside a withheld count of follow-ups, "unknown" or 0 would tell what it hides.
    assert gender["Woman"]["six_months_unknown"] == "fewer than 5"
    assert gender["Woman"]["in_work_six_months"] == "not known"
    # Everyone was born in 1990: 27 in 2017, one band of 22, nothing small.
    assert cells(html, "age_band")["25 to 54"]["starts"] == "22"


def test_the_overview_filters_and_the_personal_ones_apply(client, training, coordinator):
    response = page(client, coordinator, gender="man,woman", project="grenzeloos")
    assert response.status_code == 200
    html = response.content.decode()
    gender = cells(html, "gender")
    assert set(gender) == {"Man", "Woman", "Total"}
    assert [gender[g]["starts"] for g in ("Man", "Woman", "Total")] == ["12", "3", "15"]
    assert cells(html, "age_band")["25 to 54"]["starts"] == "15"
    assert "Remove filter: woman" in html
    response = page(client, coordinator, project="elsewhere")
    assert response.status_code == 400


def test_who_may_not_read_personal_data_may_not_filter_by_it(client, training, manager):
    """The total of the women would be the cell the breakdown by gender withholds, and all
    less the men the same: the personal filters are not offered, and refused by name."""
    html = page(client, manager).content.decode()
    assert 'name="gender"' not in html and 'name="project"' in html
    response = page(client, manager, gender="woman")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Filtering by gender is for those who may read personal data" in html
    assert "Break the figures down by gender instead." in html
    assert 'id="people-gender-table"' not in html and ">3<" not in html
    assert download(client, manager, "csv", gender="woman").status_code == 400


def test_a_coordinator_of_a_pes_sees_every_figure(client, training, coordinator):
    html = page(client, coordinator).content.decode()
    gender = cells(html, "gender")
    assert [gender[g]["starts"] for g in ("Man", "Not given", "Woman", "Total")] == [
        "12",
        "7",
        "3",
        "22",
    ]
    assert gender["Woman"]["in_work_on_leaving"] == "3"
    assert gender["Woman"]["in_work_six_months"] == "unknown"
    assert 'id="small-numbers-note"' not in html


def test_a_coordinator_without_personal_data_sees_them_protected(
    client, training, outside_coordinator
):
    gender = cells(page(client, outside_coordinator).content.decode(), "gender")
    assert gender["Woman"]["starts"] == "fewer than 5"
    assert gender["Not given"]["starts"] == "not shown"


def test_a_stranger_is_refused_and_a_visitor_sent_to_log_in(client, training, stranger):
    assert page(client, stranger).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and reverse("reports:login") in response["Location"]


def test_nothing_in_the_selection_says_so(client, training, manager):
    response = page(client, manager, year=2019)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nobody took part in a realised action of this selection." in html
    assert 'id="people-gender-table"' not in html


def test_a_personal_filter_that_is_no_choice_is_named(client, training, coordinator):
    response = page(client, coordinator, gender="robot")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Gender:" in html and "robot" in html


def test_the_navigation_links_to_the_page(client, training, manager):
    client.force_login(manager)
    assert f'href="{URL}"' in client.get(reverse("reports:overview")).content.decode()


def test_the_query_count_does_not_grow_with_the_data(
    client, training, manager, vdab, django_assert_num_queries
):
    client.force_login(manager)
    with django_assert_num_queries(13) as counted:
        client.get(URL, {"year": 2017})
    for gender in ("woman", "non_binary"):
        for _ in range(4):
            ParticipationFactory(
                action=training, pes=vdab, jobseeker=JobseekerFactory(pes=vdab, gender=gender)
            )
    with django_assert_num_queries(len(counted.captured_queries)):
        client.get(URL, {"year": 2017})


def download(client, user, export: str, breakdown: str = "gender", **params: Any):
    client.force_login(user)
    return client.get(URL, {"year": 2017, "export": export, "breakdown": breakdown, **params})


def test_the_csv_protects_what_the_page_protects(client, training, manager):
    response = download(client, manager, "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, lines = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:3] == ["Gender", "Started", "Completed"]
    assert lines["Woman"]["Started"] == "fewer than 5"
    assert lines["Not given"]["Started"] == "not shown"
    assert lines["Man"]["Started"] == "12" and lines["Total"]["Started"] == "22"
    assert_line_protected({g: lines[g]["Started"] for g in ("Man", "Not given", "Woman")}, 22)


def test_the_workbook_protects_what_the_page_protects(client, training, manager):
    response = download(client, manager, "xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    lines = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert lines["Woman"]["Started"] == "fewer than 5"
    assert lines["Not given"]["Started"] == "not shown"
    # The figures shown stay numbers.
    assert lines["Man"]["Started"] == 12 and lines["Total"]["Started"] == 22
    assert_line_protected({g: str(lines[g]["Started"]) for g in ("Man", "Not given", "Woman")}, 22)


def test_the_downloads_of_a_coordinator_of_a_pes_hold_every_figure(client, training, coordinator):
    rows = list(
        csv.reader(io.StringIO(download(client, coordinator, "csv").content.decode("utf-8-sig")))
    )
    assert {row[0]: row[1] for row in rows[1:]} == {
        "Man": "12",
        "Not given": "7",
        "Woman": "3",
        "Total": "22",
    }


def test_a_download_asked_wrongly_is_a_400_naming_it(client, training, manager):
    response = download(client, manager, "pdf")
    assert response.status_code == 400 and "pdf" in response.content.decode()
    response = download(client, manager, "csv", breakdown="shoe_size")
    assert response.status_code == 400 and "shoe_size" in response.content.decode()


def test_the_api_protects_what_the_page_protects(training, manager, coordinator):
    api = APIClient()
    api.force_authenticate(manager)
    response = api.get("/api/v1/reports/outcomes/", {"group_by": "gender", "year": 2017})
    assert response.status_code == 200
    body = response.json()
    rows = {row["gender"]: row for row in body["results"]}
    assert rows["woman"]["starts"] is None and "starts" in rows["woman"]["suppressed"]
    assert rows["not_given"]["starts"] is None and "starts" in rows["not_given"]["suppressed"]
    assert rows["man"]["starts"] == 12 and body["totals"]["starts"] == 22
    assert rows["woman"]["fewer_than"] == 5
    line = {
        gender: str(row["starts"])
        if row["starts"] is not None
        else "not shown"
        if "starts" in row["complementary"]
        else "fewer than 5"
        for gender, row in rows.items()
    }
    assert_line_protected(line, body["totals"]["starts"])
    api.force_authenticate(coordinator)
    rows = {
        row["gender"]: row
        for row in api.get(
            "/api/v1/reports/outcomes/", {"group_by": "gender", "year": 2017}
        ).json()["results"]
    }
    assert rows["woman"]["starts"] == 3


def test_a_minimum_reads_at_least_and_stays_a_number_in_the_files(
    client, training, coordinator, le_forem
):
    """Le Forem's figure "more than 200 started" says nobody's gender: it is not recorded."""
    FigureFactory(action=training, pes=le_forem, metric="starts", value=200, is_lower_bound=True)
    gender = cells(page(client, coordinator).content.decode(), "gender")
    assert gender["Not recorded"]["starts"] == "at least 200"
    assert gender["Total"]["starts"] == "at least 222"
    rows = list(
        csv.reader(io.StringIO(download(client, coordinator, "csv").content.decode("utf-8-sig")))
    )
    lines = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert lines["Not recorded"]["Started"] == "200"
    assert lines["Not recorded"]["Lower bounds"] == "Started"
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, coordinator, "xlsx").content)).active
    values = {row[0].value: row for row in sheet.iter_rows()}
    cell = values["Not recorded"][1]
    assert cell.value == 200 and "at least" in cell.number_format
    assert values["Total"][1].value == 222


@pytest.mark.parametrize("year", [2017, 2018])
def test_no_withheld_cell_of_the_demo_can_be_solved_for(client, demo, manager, year):
    """Every table and column of the demo's years as a manager reads them: each line with a
    withheld cell leaves it at two values or more, given the total."""
    response = page(client, manager, year=year)
    assert response.status_code == 200
    html = response.content.decode()
    lines = 0
    for dimension in ("gender", "age_band", "youth_band", "entry_status", "education_level"):
        table = cells(html, dimension)
        total = table.pop("Total")
        for measure, text in total.items():
            line = {label: row[measure] for label, row in table.items()}
            if not any(value in WITHHELD for value in line.values()):
                continue
            assert text.replace(",", "").isdigit(), (dimension, measure, text)
            assert_line_protected(line, int(text.replace(",", "")))
            lines += 1
    assert lines or "data-withheld" not in html


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_page_and_its_files_follow_the_language(client, training, manager, language):
    client.force_login(manager)
    response = client.get(URL, {"year": 2017}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    response = client.get(
        URL,
        {"year": 2017, "breakdown": "gender", "export": "csv"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    # Dutch and French Excel read semicolons.
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert ";" in header and "," not in header


def test_a_period_that_ends_before_it_starts_is_named(client, training, manager):
    response = page(client, manager, period_from="2018-S1", period_to="2017-S2")
    assert response.status_code == 400
    assert "May not be before the start of the period." in response.content.decode()
    assert (
        download(client, manager, "csv", period_from="2018-S1", period_to="2017-S2").status_code
        == 400
    )
