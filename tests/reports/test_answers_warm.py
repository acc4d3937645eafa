"""The reports' answers made again before they are asked (reports.answers.warm): an answer a
reader asks as of today is noted by its parameters (an outcomes table, a dashboard's tables, the
indicators, the year report's page), and after a refresh of the rollups the worker makes the
noted answers again, so that the next reader after a write finds them kept. What cannot be made
again is dropped, never refused to a reader; a cache that does not answer only makes it slower;
the refreshes of a burst of writes send one warm, and none without a worker."""

from __future__ import annotations

import datetime
import logging
import time

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crossborder.jobs import tasks
from reports import answers, rollups
from reports.indicators import indicator_progress
from reports.selectors import ReportParameterError, outcome_tables, outcomes
from tests.factories import (
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
)
from tests.helpers import queries_of

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def nothing_noted():
    """No answer noted before the test, by the cache or by this process."""
    answers._noted.clear()
    answers.cache.delete_many([answers.ASKED_KEY, answers.WARM_PENDING_KEY])
    yield
    answers._noted.clear()
    answers.cache.delete_many([answers.ASKED_KEY, answers.WARM_PENDING_KEY])


@pytest.fixture
def project():
    return ProjectFactory(slug="p1")


def noted() -> dict[str, tuple[str, dict[str, object]]]:
    return {key: (item.kind, dict(item.params)) for key, item in answers._asked().items()}


def a_write(action, vdab) -> None:
    """A record written and the rollups refreshed, as the worker does after its commit."""
    ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    rollups.refresh_dirty()


def test_an_answer_asked_today_is_noted_by_its_parameters(jobdatings):
    outcomes(group_by=["project", "pes"], filters={"project": "p1"})
    assert list(noted().values()) == [
        ("outcomes", {"group_by": ("project", "pes"), "filters": {"project": ["p1"]}})
    ]
    # Given again from the cache, it is not written again (once a quarter hour per process).
    written = answers._asked()
    outcomes(group_by=["project", "pes"], filters={"project": "p1"})
    assert answers._asked() == written


def test_what_is_not_noted(jobdatings):
    # Another day than today, a filter not understood, a personal breakdown, and anything while
    # noting is switched off.
    outcomes(group_by=["pes"], as_of=D(2020, 1, 1))
    with pytest.raises(ReportParameterError):
        outcomes(group_by=["pes"], filters={"project": "no-such-project"})
    outcomes(group_by=["gender"])
    with override_settings(REPORT_WARM_ANSWERS=False):
        outcomes(group_by=["year"])
    # Nor when nothing is kept at all.
    with override_settings(REPORT_ANSWERS_SECONDS=0):
        outcomes(group_by=["semester"])
    assert noted() == {}


def test_a_process_forgets_when_it_noted_rather_than_hold_every_answer(jobdatings, monkeypatch):
    monkeypatch.setattr(answers, "NOTED_AT_MOST", 2)
    for group_by in (["year"], ["pes"], ["project"]):
        outcomes(group_by=group_by)
    assert len(answers._noted) == 1 and len(noted()) == 3


def test_the_answers_noted_are_the_most_recent_few(jobdatings):
    with override_settings(REPORT_WARM_MAX=2):
        for group_by in (["year"], ["pes"], ["project"]):
            outcomes(group_by=group_by)
            time.sleep(0.01)
    assert sorted(params["group_by"] for _kind, params in noted().values()) == [
        ("pes",),
        ("project",),
    ]


def test_a_warm_makes_again_what_was_asked_after_a_write(jobdatings, vdab):
    asked = {"group_by": ["project", "pes"], "filters": {"project": "p1"}}
    outcomes(**asked)
    tables = outcome_tables(groupings=[["year"], ["pes"]], filters={"year": "2017"})
    indicators = indicator_progress(until_year=2018)
    a_write(jobdatings[0], vdab)

    warmed = answers.warm("default")
    assert (warmed.made, warmed.failed, warmed.stopped) == (3, 0, False)
    # Each is now given from the cache, for the standing's one query, and counts the write.
    table, sql = queries_of(lambda: outcomes(**asked))
    assert len(sql) == 1 and table.totals["people"] == 3
    with override_settings(REPORT_ANSWERS_SECONDS=0):
        assert table == outcomes(**asked)
    again, sql = queries_of(
        lambda: outcome_tables(groupings=[["year"], ["pes"]], filters={"year": "2017"})
    )
    assert not any("reports_factrollup" in statement for statement in sql)
    assert again != tables and again[1].totals["people"] == 3
    progress, sql = queries_of(lambda: indicator_progress(until_year=2018))
    assert not any("reports_factrollup" in statement for statement in sql)
    with override_settings(REPORT_ANSWERS_SECONDS=0):
        assert progress == indicator_progress(until_year=2018)
    assert len(progress) == len(indicators)


def test_a_warm_stops_while_an_action_is_marked(jobdatings, vdab):
    outcomes(group_by=["pes"])
    ParticipationFactory(action=jobdatings[0], jobseeker=JobseekerFactory(pes=vdab))
    warmed = answers.warm("default")
    assert (warmed.made, warmed.stopped) == (0, True)
    # Still noted: the refresh that takes the mark away sends the next warm.
    assert len(noted()) == 1


def test_what_cannot_be_made_again_is_dropped_and_the_rest_made(jobdatings, caplog):
    outcomes(group_by=["pes"], filters={"project": "p1"})
    outcomes(group_by=["year"])
    # A project renamed since, and a kind a former release noted.
    jobdatings[0].project.slug = "p1-renamed"
    jobdatings[0].project.save()
    found = answers._asked()
    found["old"] = answers.Asked("a-kind-of-old", (("x", 1),), time.time())
    answers._store(found)
    with caplog.at_level(logging.WARNING, logger="reports.answers"):
        warmed = answers.warm("default")
    assert (warmed.made, warmed.failed) == (1, 1)
    assert "outcomes could not be made again" in caplog.text
    assert list(noted().values()) == [("outcomes", {"group_by": ("year",), "filters": {}})]


def test_answers_asked_long_ago_are_not_made_again(jobdatings):
    outcomes(group_by=["pes"])
    found = answers._asked()
    answers._store({key: answers.Asked(item.kind, item.params, 0.0) for key, item in found.items()})
    assert answers.warm("default").made == 0
    assert noted() == {}


def test_a_cache_that_does_not_answer_notes_and_warms_nothing(jobdatings, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="reports.answers"):
        table = outcomes(group_by=["pes"])
        warmed = answers.warm("default")
        assert not answers.warm_claim()
    assert table.totals["starts"] == 7 and warmed.made == 0
    assert "the cache is not answering" in caplog.text


def test_the_year_page_is_noted_alone_and_made_again(demo, client, manager, vdab):
    rollups.rebuild()
    client.force_login(manager)
    url = reverse("reports:year-report", args=[2017]) + "?lang=fr"
    assert client.get(url).status_code == 200
    # Its tables and indicators are made again with it.
    assert list(noted().values()) == [
        (
            "year-report-page",
            {"year": 2017, "projects": (), "approved": False, "lang": "fr"},
        )
    ]
    from actions.models import Action

    a_write(Action.objects.filter(year=2017).order_by("pk").first(), vdab)
    assert answers.warm("default").made == 1
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200 and 'lang="fr"' in response.content.decode()
    assert not any('FROM "actions_action"' in q["sql"] for q in context.captured_queries)


def test_the_overview_is_made_again(demo, client, manager, vdab):
    rollups.rebuild()
    client.force_login(manager)
    assert client.get(reverse("reports:overview")).status_code == 200
    assert sorted(kind for kind, _params in noted().values()) == ["indicators", "outcome-tables"]
    from actions.models import Action

    a_write(Action.objects.filter(year=2017).order_by("pk").first(), vdab)
    assert answers.warm("default").made == 2
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("reports:overview")).status_code == 200
    assert not any("reports_factrollup" in q["sql"] for q in context.captured_queries)


class Sent:
    def __init__(self) -> None:
        self.countdowns: list[int] = []

    def __call__(self, countdown: int) -> None:
        self.countdowns.append(countdown)


def test_the_refreshes_of_a_burst_of_writes_send_one_warm(jobdatings, vdab, monkeypatch):
    sent = Sent()
    monkeypatch.setattr(tasks.report_answers_warm, "apply_async", sent)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, REPORT_WARM_DELAY_SECONDS=7):
        for _n in range(2):
            ParticipationFactory(action=jobdatings[0], jobseeker=JobseekerFactory(pes=vdab))
            tasks.rollups_refresh()
        assert sent.countdowns == [7]
        # Once it has started, the next refresh sends another.
        answers.warm("default")
        ParticipationFactory(action=jobdatings[0], jobseeker=JobseekerFactory(pes=vdab))
        tasks.rollups_refresh()
    assert sent.countdowns == [7, 7]


def test_no_warm_is_sent_without_a_worker_or_when_switched_off(jobdatings, vdab, monkeypatch):
    sent = Sent()
    monkeypatch.setattr(tasks.report_answers_warm, "apply_async", sent)
    # Without a broker the refresh runs in the writer's request, which a warm would hold up.
    ParticipationFactory(action=jobdatings[0], jobseeker=JobseekerFactory(pes=vdab))
    tasks.rollups_refresh()
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, REPORT_WARM_ANSWERS=False):
        ParticipationFactory(action=jobdatings[0], jobseeker=JobseekerFactory(pes=vdab))
        tasks.rollups_refresh()
    # Nothing refreshed, nothing to make again.
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        tasks.rollups_refresh()
    assert sent.countdowns == []


def test_a_broker_that_does_not_answer_leaves_the_warm_to_the_next_refresh(
    jobdatings, vdab, monkeypatch, caplog
):
    def down(countdown: int) -> None:
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(tasks.report_answers_warm, "apply_async", down)
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False), caplog.at_level(logging.WARNING):
        ParticipationFactory(action=jobdatings[0], jobseeker=JobseekerFactory(pes=vdab))
        tasks.rollups_refresh()
        assert "report answers warm not sent" in caplog.text
        # The claim was given back: the next refresh may send it.
        assert answers.warm_claim()


def test_the_task_makes_the_answers_again_and_logs_what_it_did(jobdatings, vdab, caplog):
    outcomes(group_by=["pes"])
    a_write(jobdatings[0], vdab)
    with caplog.at_level(logging.INFO, logger="crossborder.jobs.tasks"):
        tasks.report_answers_warm()
    assert "report answers made again: 1 made, 0 failed, in " in caplog.text
    _table, sql = queries_of(lambda: outcomes(group_by=["pes"]))
    assert len(sql) == 1
