"""The year report's page kept whole (reports.year_page.SheetPage, reports.answers.asked_whole): the
answer sheet's HTML is made once and given again, for the rollups' standing alone, while nothing it
was made from changes; a write of anything it tells (an action, a figure or record, a partner, a
target) makes the next page anew, and a cache that does not answer only makes it slower."""

from __future__ import annotations

import datetime
import logging
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action
from crossborder.core.dataversion import data_version
from projects.models import FormerName, Indicator, ProjectPartner, Target
from reports import answers, rollups, year_page
from tests.factories import JobseekerFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(demo, client, manager):
    """A manager, with the demo's rollups built (nothing marked: answers are kept)."""
    rollups.rebuild()
    client.force_login(manager)
    return client


def sheet_of(client, query: str = "?lang=en", year: int = 2017) -> tuple[str, list[str]]:
    """The answer sheet of the page (the page around it holds a new CSRF token each time),
    less the minute it was made on, and the statements the request sent."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("reports:year-report", args=[year]) + query)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<article class="answer-sheet"')
    sheet = re.sub(
        r" made on [0-9/]+ [0-9:]+\.", " made on ...", html[start : html.index("</article>", start)]
    )
    return sheet, [q["sql"] for q in context.captured_queries]


def made_anew(sql: list[str]) -> bool:
    return any('FROM "actions_action"' in statement for statement in sql)


def test_the_page_again_is_the_standing_alone(reader):
    first, sql = sheet_of(reader)
    assert made_anew(sql) and "; made on ...</p>" in first
    # Made under one standing: the tables it asks are kept under it too, without reading it again.
    assert sum("answers_token" in statement for statement in sql) == 1
    again, sql = sheet_of(reader)
    assert again == first
    assert not made_anew(sql)
    assert sum("answers_token" in statement for statement in sql) == 1
    # Besides the standing: the session and the user with their roles, as on every page.
    assert not any("reports_factrollup" in s or "reports_rollupcell" in s for s in sql)


def test_what_is_asked_is_its_key(reader):
    english, _sql = sheet_of(reader)
    dutch, sql = sheet_of(reader, "?lang=nl")
    assert made_anew(sql) and 'lang="nl"' in dutch and dutch != english
    for query in (
        "?lang=en&approved=true",
        "?lang=en&as_of=20/04/2018",
        "?lang=en&project=grenzeloos-competent",
    ):
        other, sql = sheet_of(reader, query)
        assert made_anew(sql) and other != english, query
        assert sheet_of(reader, query)[0] == other
    other, sql = sheet_of(reader, year=2018)
    assert made_anew(sql) and other != english
    assert sheet_of(reader)[0] == english


def test_an_action_changed_is_on_the_next_page(reader):
    sheet_of(reader)
    action = Action.objects.filter(year=2017).order_by("pk").first()
    action.title_en = "A jobdating renamed since"
    action.save()
    renamed, sql = sheet_of(reader)
    assert made_anew(sql) and "A jobdating renamed since" in renamed


def test_a_write_between_the_standing_and_the_page_is_never_hidden(reader, monkeypatch):
    """The page made after a write committed is kept under the standing read before it, which
    no later request reads again: the next one is made anew, with the write."""
    make = year_page._sheet_page
    action = Action.objects.filter(year=2017).order_by("pk").first()

    def write_first(*args, **kwargs):
        if action.title_en != "Renamed while the page was made":
            action.title_en = "Renamed while the page was made"
            action.save()
        return make(*args, **kwargs)

    monkeypatch.setattr(year_page, "_sheet_page", write_first)
    first, _sql = sheet_of(reader)
    again, sql = sheet_of(reader)
    assert made_anew(sql) and again == first and "Renamed while the page was made" in again
    assert not made_anew(sheet_of(reader)[1])


def test_a_former_name_added_is_on_the_next_page(reader):
    """An organiser is named as it was called at the year's end: a former name is watched by
    the data version (reports.apps) like the actions, projects and periods."""
    sheet_of(reader)
    action = Action.objects.filter(year=2017, organisers__isnull=False).order_by("pk").first()
    organiser = action.organisers.order_by("pk").first()
    FormerName.objects.create(
        organisation=organiser, name="An earlier name", used_until=datetime.date(2018, 6, 30)
    )
    renamed, sql = sheet_of(reader)
    assert made_anew(sql) and "An earlier name" in renamed


def test_the_partners_indicators_and_targets_give_a_new_standing(reader):
    """The rest of what the page tells that no action's write changes."""
    partner = ProjectPartner.objects.first()
    for row in (partner, Target.objects.first(), Indicator.objects.first()):
        before = data_version()
        row.save()
        assert data_version() != before, type(row).__name__


def test_a_record_written_is_on_the_page_before_the_refresh(reader, vdab):
    """A participation marks its action: the page is made anew from the records while the mark
    stands, and kept again after the refresh (which gives the rollups a new token)."""
    sheet_of(reader)
    action = Action.objects.filter(year=2017, participations__isnull=False).first()
    ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    for _again in range(2):
        assert made_anew(sheet_of(reader)[1])
    rollups.refresh_dirty()
    after, sql = sheet_of(reader)
    assert made_anew(sql)
    again, sql = sheet_of(reader)
    assert again == after and not made_anew(sql)


def test_not_kept_when_switched_off(reader):
    with override_settings(REPORT_ANSWERS_SECONDS=0):
        first, _sql = sheet_of(reader)
        again, sql = sheet_of(reader)
    assert again == first and made_anew(sql)


@pytest.mark.usefixtures("redis_down")
def test_a_cache_that_does_not_answer_makes_the_page_each_time(reader, caplog):
    with caplog.at_level(logging.WARNING, logger=answers.__name__):
        first, _sql = sheet_of(reader)
        again, sql = sheet_of(reader)
    assert again == first and made_anew(sql)
    assert "the cache is not answering" in caplog.text


def test_a_day_not_understood_is_still_a_400(reader):
    response = reader.get(reverse("reports:year-report", args=[2017]) + "?as_of=31/02/2018")
    assert response.status_code == 400
    assert "as_of" in response.content.decode()


def test_a_year_of_nothing_is_kept_as_such(reader):
    empty, sql = sheet_of(reader, year=2030)
    assert made_anew(sql) and "No action was realised in 2030." in empty
    again, sql = sheet_of(reader, year=2030)
    assert again == empty and not made_anew(sql)


@pytest.mark.parametrize(
    "query",
    [
        "?project=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "?project=%3DHYPERLINK(%22http%3A%2F%2Fx%22)",
        "?project=" + "p" * 5000,
    ],
)
def test_a_project_not_known_is_a_400_each_time_and_nothing_is_kept(reader, query):
    for _again in range(2):
        with CaptureQueriesContext(connection) as context:
            response = reader.get(reverse("reports:year-report", args=[2017]) + query)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert "project" in response.content.decode()
        # Asked again, the report is looked for again: a refusal is not an answer kept.
        assert any("projects_project" in q["sql"] for q in context.captured_queries)


def test_a_year_out_of_range_is_a_400(reader):
    response = reader.get(reverse("reports:year-report", args=[99999]))
    assert response.status_code == 400
    assert "year" in response.content.decode()
