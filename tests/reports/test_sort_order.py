"""One order everywhere: every list of actions sorts by Action.sort_date (the start date, else
the first day of the rough period) then by id, so that "May 2018" comes after 1 February 2018
and before "June 2018"; and the When text never repeats the year."""

from __future__ import annotations

import datetime
import io
import re
from html import unescape

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from actions.models import Action
from crossborder.core.vocabulary import ActionStatus, ActionType
from reports import exports
from reports.quality import OVERDUE_ACTIONS, quality_list
from reports.selectors import planned_actions
from reports.year_report import year_report
from tests.factories import ActionFactory, ProjectFactory

pytestmark = pytest.mark.django_db

# The order in time: a rough "spring 2018" (its year only: 1 January), 1 February 2018, May
# 2018 and June 2018 (rough periods starting on the first of their month).
IN_TIME = ["Spring", "February", "May", "June"]


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def actions(db) -> dict[str, Action]:
    """Planned actions of one project, made in an order that is not their order in time (so
    that neither the id nor the semester alone puts them right)."""
    project = ProjectFactory(slug="p")

    def rough(title: str, month: int | None, note: str, semester: str = "2018-S1") -> Action:
        return ActionFactory(
            project=project,
            title=title,
            action_type=ActionType.TRAINING,
            status=ActionStatus.PLANNED,
            start_date=None,
            year=2018,
            semester=semester,
            period_month=month,
            period_note=note,
        )

    made = {
        "June": rough("June", 6, "June"),
        "May": rough("May", 5, "May"),
        "February": ActionFactory(
            project=project,
            title="February",
            action_type=ActionType.TRAINING,
            status=ActionStatus.PLANNED,
            start_date=datetime.date(2018, 2, 1),
        ),
        "Spring": rough("Spring", None, "in the coming weeks (spring 2018)", semester=""),
    }
    return made


def ids(actions: dict[str, Action], titles: list[str]) -> list[int]:
    return [actions[title].pk for title in titles]


def rows_of(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-action="(\d+)"', html)]


def test_the_stored_sort_date_is_where_each_period_begins(actions):
    assert [actions[t].sort_date for t in IN_TIME] == [
        datetime.date(2018, 1, 1),
        datetime.date(2018, 2, 1),
        datetime.date(2018, 5, 1),
        datetime.date(2018, 6, 1),
    ]


def test_the_action_list_sorts_by_date_both_ways(actions, client, manager):
    client.force_login(manager)
    url = reverse("reports:action-list")
    assert rows_of(client.get(url, {"project": "p"}).content.decode()) == ids(actions, IN_TIME)
    assert rows_of(client.get(url, {"project": "p", "sort": "date"}).content.decode()) == ids(
        actions, IN_TIME
    )
    backwards = client.get(url, {"project": "p", "sort": "-date"}).content.decode()
    assert rows_of(backwards) == ids(actions, IN_TIME[::-1])
    # Sorted by type or status, the actions of one type keep their order in time.
    for sort in ("type", "status", "project"):
        page = client.get(url, {"project": "p", "sort": sort}).content.decode()
        assert rows_of(page) == ids(actions, IN_TIME), sort


def test_the_project_page_lists_its_actions_in_time(actions, client, manager):
    client.force_login(manager)
    page = client.get(reverse("reports:project-detail", args=["p"])).content.decode()
    assert rows_of(page) == ids(actions, IN_TIME)


def test_next_planned_lists_them_in_time(actions):
    upcoming = planned_actions(
        today=datetime.date(2018, 1, 15), filters={"project": "p"}, after=datetime.date(2018, 1, 1)
    )
    assert [action.title for action in upcoming.upcoming] == IN_TIME
    overdue = planned_actions(today=datetime.date(2019, 1, 2), filters={"project": "p"})
    assert [action.title for action in overdue.overdue] == IN_TIME
    assert overdue.overdue_count == 4


def test_the_overviews_next_planned_lists_them_in_time(actions, client, manager):
    client.force_login(manager)
    page = client.get(reverse("reports:overview"), {"year": 2018, "project": "p"}).content.decode()
    # Seen today, all four are past their dates: the overdue list, in time.
    overdue = page[page.index('id="planned-overdue"') :]
    listed = re.findall(r'href="/actions/(\d+)/">', overdue)
    assert [int(pk) for pk in listed] == ids(actions, IN_TIME)


def test_the_data_quality_list_names_them_in_time(actions, manager):
    quality = quality_list(user=manager, project="p", today=datetime.date(2019, 1, 2))
    section = next(s for s in quality.sections if s.code == OVERDUE_ACTIONS)
    assert [item.action for item in section.items] == ids(actions, IN_TIME)


def test_the_action_list_files_keep_its_order(actions, client, manager):
    client.force_login(manager)
    url = reverse("reports:action-list")
    text = client.get(url, {"project": "p", "export": "csv"}).content.decode("utf-8-sig")
    rows = [line for line in text.splitlines()[1:] if line]
    # Each row names one title (whatever the separator of the language).
    titles = [next(t for t in IN_TIME if re.search(rf"\b{t}\b", row)) for row in rows]
    assert titles == IN_TIME

    response = client.get(url, {"project": "p", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    title_column = values[0].index("Title")
    assert [row[title_column] for row in values[1:]] == IN_TIME


def test_the_year_report_lists_them_in_time(actions):
    """Planned in the next year (the report of 2017) or in the year (of 2018), in time: in the
    report, its sheet (the page and the .docx) and its CSV; the When never repeats the year."""
    day = datetime.date(2018, 1, 15)
    for year, part in ((2017, "planned_next_year"), (2018, "planned")):
        project = year_report(year=year, projects=["p"], as_of=day).projects[0]
        assert [line.title.en for line in getattr(project, part)] == IN_TIME, year
    report = year_report(year=2017, projects=["p"], as_of=day)
    items = exports.answer_sheet(report, "en").projects[0].planned_next
    lines = [re.match(r"^(.*): (\w+) \(", item.text).groups() for item in items]
    assert [title for _when, title in lines] == IN_TIME
    assert [when for when, _title in lines] == [
        "in the coming weeks (spring 2018)",
        "01/02/2018",
        "1st semester 2018 (May)",
        "1st semester 2018 (June)",
    ]
    rows = exports.year_report_csv(report, "en").decode("utf-8-sig").splitlines()[1:]
    titles = [next(t for t in IN_TIME if re.search(rf"\b{t}\b", row)) for row in rows if row]
    assert titles == IN_TIME


def test_the_when_text_never_repeats_the_year(actions, client, manager):
    client.force_login(manager)
    html = client.get(reverse("reports:action-list"), {"project": "p"}).content.decode()
    cells = {
        int(pk): re.sub(r"\s+", " ", unescape(cell)).strip()
        for pk, cell in re.findall(
            r'<tr data-action="(\d+)">\s*<td data-label="When">(.*?)</td>', html, re.S
        )
    }
    assert cells[actions["Spring"].pk] == "in the coming weeks (spring 2018)"
    assert cells[actions["May"].pk] == "May 2018-S1"
    assert cells[actions["February"].pk] == "01/02/2018"
    page = client.get(reverse("reports:action-detail", args=[actions["Spring"].pk]))
    assert "(spring 2018) 2018" not in unescape(page.content.decode())
