"""The rollups' hot answers (reports.answers): a table the rollups gave is kept in the cache and
given again, for one query, while nothing it was made from has changed; every write that changes
it (a fact, an action, a period, a refresh, a rebuild) makes the next one anew, and what the
rollups do not answer is never kept."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.http import QueryDict
from django.test import override_settings

from actions.models import Action
from crossborder.core.vocabulary import ActionStatus
from projects.models import PeriodStatus, ReportingPeriod
from reports import answers, rollups, selectors
from reports.indicators import indicator_progress
from reports.models import RollupCell, RollupState
from reports.selectors import ReportParameterError, action_figures, outcome_tables, outcomes
from tests.factories import (
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
)
from tests.helpers import queries_of

pytestmark = pytest.mark.django_db
D = datetime.date


def from_records(**kwargs):
    with override_settings(REPORT_ROLLUPS=False):
        return outcomes(**kwargs)


@pytest.fixture
def project():
    return ProjectFactory(slug="p1")


def test_the_same_table_again_is_one_query(jobdatings, django_assert_num_queries):
    with django_assert_num_queries(2):
        table = outcomes(group_by=["project", "pes"])
    assert table.totals["starts"] == 7 and table.totals["people"] == 2
    # The rollups' standing alone: the table comes from the cache.
    with django_assert_num_queries(1):
        assert outcomes(group_by=["project", "pes"]) == table
    assert table == from_records(group_by=["project", "pes"])
    # The tables of several groupings, kept by what was asked as a table is, and the rows of
    # one row per action, are kept too.
    tables = outcome_tables(groupings=[["year"], ["pes"]])
    figures = action_figures(Action.objects.all())
    with django_assert_num_queries(1):
        assert outcome_tables(groupings=[["year"], ["pes"]]) == tables
    with django_assert_num_queries(1):
        assert action_figures(Action.objects.all()) == figures


def test_what_is_asked_is_its_key(jobdatings):
    """Another filter, grouping or day is another answer, each right."""
    asked = [
        {"group_by": ["pes"]},
        {"group_by": ["pes"], "filters": {"pes": ["vdab"]}},
        {"group_by": ["pes"], "filters": {"pes": ["le-forem"]}},
        {"group_by": ["year"]},
        {"group_by": ["pes"], "as_of": D(2025, 1, 1)},
        {"group_by": ["pes"], "filters": {"approved": "true"}},
    ]
    first = [outcomes(**kwargs) for kwargs in asked]
    for kwargs, table in zip(asked, first, strict=True):
        assert outcomes(**kwargs) == table == from_records(**kwargs), kwargs
    assert first[1].totals["starts"] == 2 and first[2].totals["starts"] == 5


def test_a_fact_written_is_read_from_the_records_and_kept_after_the_refresh(jobdatings, vdab):
    outcomes()
    ParticipationFactory(action=jobdatings[0], jobseeker=JobseekerFactory(pes=vdab))
    # Marked: made anew each time, from the marked action's records, and not kept.
    for _again in range(2):
        table, sql = queries_of(outcomes)
        assert table.totals["starts"] == 8 and len(sql) == 2
    rollups.refresh_dirty()
    table, sql = queries_of(outcomes)
    assert table.totals["starts"] == 8 and len(sql) == 2
    table, sql = queries_of(outcomes)
    assert table.totals["starts"] == 8 and len(sql) == 1
    assert table == from_records()


def test_an_action_or_a_period_changed_is_a_new_answer(jobdatings, project, vdab):
    """Writes that mark nothing but change what the statements join: the data version."""
    before = outcomes(group_by=["pes"])
    assert before.totals["provisional"] is True
    ReportingPeriod.objects.update_or_create(
        project=project,
        year=2017,
        semester="2017-S2",
        pes=vdab,
        defaults={"status": PeriodStatus.APPROVED},
    )
    approved = outcomes(group_by=["pes"], filters={"approved": "true"})
    assert approved.totals["starts"] == 2
    assert approved == from_records(group_by=["pes"], filters={"approved": "true"})
    assert outcomes(group_by=["pes"]) == from_records(group_by=["pes"])
    # A project's slug is no column of the rollups, but the rows name the project by it.
    assert [row["project"] for row in outcomes(group_by=["project"]).rows] == ["p1"]
    project.slug = "p2"
    project.save()
    assert [row["project"] for row in outcomes(group_by=["project"]).rows] == ["p2"]


def test_a_rebuild_and_a_refresh_give_new_tokens(jobdatings, vdab):
    token = RollupState.objects.get().answers_token
    assert len(token) == 16
    assert outcomes().totals["starts"] == 7
    # A cell changed behind the rollups' back is not seen while the answer is kept ...
    RollupCell.objects.filter(pes=vdab).update(m_starts=40)
    assert outcomes().totals["starts"] == 7
    # ... and the rebuild, which makes it again, gives a new token.
    rollups.rebuild()
    assert RollupState.objects.get().answers_token not in ("", token)
    assert outcomes().totals["starts"] == 7
    token = RollupState.objects.get().answers_token
    assert rollups.refresh_dirty() == 0
    assert RollupState.objects.get().answers_token == token
    jobdatings[1].status = ActionStatus.CANCELLED
    jobdatings[1].cancellation_reason = "No employer came."
    jobdatings[1].save()
    assert rollups.refresh_dirty() == 1
    assert RollupState.objects.get().answers_token != token


def test_a_write_between_the_standing_and_the_answer_is_never_hidden(jobdatings, vdab, monkeypatch):
    """The answer made after a write committed is kept under the standing read before it, which
    no later request reads again: the next one is made anew with the write."""
    written = []
    make = selectors._rollup_run

    def write_first(*args, **kwargs):
        if not written:
            ParticipationFactory(action=jobdatings[0], jobseeker=JobseekerFactory(pes=vdab))
            rollups.refresh_dirty()
            written.append(True)
        return make(*args, **kwargs)

    monkeypatch.setattr(selectors, "_rollup_run", write_first)
    assert outcomes().totals["starts"] == 8
    table, sql = queries_of(outcomes)
    assert table.totals["starts"] == 8 and len(sql) == 2
    assert queries_of(outcomes)[0] == table and len(queries_of(outcomes)[1]) == 1


def test_not_kept_when_switched_off(jobdatings, django_assert_num_queries):
    with override_settings(REPORT_ANSWERS_SECONDS=0):
        for _again in range(2):
            # The statement alone, which checks the rollups' standing itself.
            with django_assert_num_queries(1):
                assert outcomes().totals["starts"] == 7


def test_what_the_rollups_do_not_answer_is_not_kept(jobdatings, vdab):
    # Not built: the standing sends the report to the records, with no statement over the
    # rollups.
    RollupState.objects.all().delete()
    for _again in range(2):
        table, sql = queries_of(outcomes)
        assert table.totals["starts"] == 7
        assert not any("reports_rollupcell" in statement for statement in sql)
    rollups.rebuild()
    # A personal breakdown, and a day before the horizon, read the records each time.
    for kwargs in ({"group_by": ["gender"]}, {"as_of": D(2017, 1, 1)}):
        first, sql = queries_of(lambda kwargs=kwargs: outcomes(**kwargs))
        again, sql_again = queries_of(lambda kwargs=kwargs: outcomes(**kwargs))
        assert first == again == from_records(**kwargs) and len(sql_again) == len(sql) > 1


@pytest.mark.usefixtures("redis_down")
def test_a_cache_that_does_not_answer_makes_the_answer_each_time(jobdatings, caplog):
    with caplog.at_level(logging.WARNING, logger=answers.__name__):
        for _again in range(2):
            assert outcomes(group_by=["pes"]) == from_records(group_by=["pes"])
    assert "the cache is not answering" in caplog.text


def test_an_empty_selection_is_kept_as_empty(jobdatings, django_assert_num_queries):
    table = outcomes(group_by=["pes"], filters={"date_from": "2030-01-01"})
    assert table.rows == [] and table.totals["actions"] == 0
    with django_assert_num_queries(1):
        assert outcomes(group_by=["pes"], filters={"date_from": "2030-01-01"}) == table


@pytest.mark.usefixtures("demo")
def test_the_indicators_summary_is_kept_too():
    """The indicators' counts (the overview's progress): from the rollups once, then kept by
    what was asked: the standing, the indicators and their targets, in place of the counts'
    statements, the partners and organisers."""
    rollups.rebuild()
    progress = indicator_progress()
    again, sql = queries_of(indicator_progress)
    assert again == progress
    assert not any("reports_factrollup" in statement for statement in sql)
    assert sum("answers_token" in statement for statement in sql) == 1
    assert len(sql) == 3 and not any("projects_projectpartner" in statement for statement in sql)
    # Other parameters, other counts.
    assert indicator_progress(until_year=2017) != progress
    with override_settings(REPORT_ROLLUPS=False):
        assert indicator_progress() == progress


def test_a_table_asked_again_is_given_by_what_was_asked(jobdatings, django_assert_num_queries):
    """Kept by its parameters too: asked again, the filters are not checked again (a project's
    slug looked up) nor its statement built: the rollups' standing alone. A dictionary and a
    query string that ask the same give the same answer."""
    filters = {"project": "p1", "pes": ["vdab"]}
    table = outcomes(group_by=["year"], filters=filters)
    assert table.totals["starts"] == 2
    with django_assert_num_queries(1):
        assert outcomes(group_by=["year"], filters=filters) == table
    with django_assert_num_queries(1):
        assert outcomes(group_by=["year"], filters=QueryDict("pes=vdab&project=p1")) == table
    assert table == from_records(group_by=["year"], filters=filters)


def test_the_tables_of_several_groupings_are_given_by_what_was_asked(
    jobdatings, vdab, django_assert_num_queries
):
    """A dashboard's tables (outcome_tables) are kept by their parameters as a table is: the
    groupings in their order, the filters and the day; a write makes them anew; a filter not
    understood is refused each time."""
    groupings = [["year"], ["pes"]]
    tables = outcome_tables(groupings=groupings, filters={"project": "p1"})
    with django_assert_num_queries(1):
        assert outcome_tables(groupings=groupings, filters=QueryDict("project=p1")) == tables
    assert outcome_tables(groupings=groupings[::-1], filters={"project": "p1"}) == tables[::-1]
    assert outcome_tables(groupings=groupings, filters={"project": "p1"}, as_of=D(2018, 1, 1)) == [
        outcomes(group_by=group_by, filters={"project": "p1"}, as_of=D(2018, 1, 1))
        for group_by in groupings
    ]
    ParticipationFactory(action=jobdatings[0], jobseeker=JobseekerFactory(pes=vdab))
    again = outcome_tables(groupings=groupings, filters={"project": "p1"})
    assert again[1].totals["people"] == tables[1].totals["people"] + 1
    for _again in range(2):
        with pytest.raises(ReportParameterError):
            outcome_tables(groupings=groupings, filters={"project": "no-such-project"})


def test_the_day_is_part_of_what_was_asked(jobdatings):
    """Built with an early horizon, the rollups answer any later day: each day its own answer,
    the work found of the jobdating of the 28th not yet known on the 25th."""
    rollups.rebuild(D(2017, 1, 1))
    for day in (D(2017, 11, 25), D(2018, 1, 1), D(2017, 11, 25)):
        assert outcomes(as_of=day) == from_records(as_of=day)
    assert outcomes(as_of=D(2017, 11, 25)).totals["outcomes_pending"] == 1
    assert outcomes(as_of=D(2018, 1, 1)).totals["outcomes_pending"] == 0


def test_a_filter_not_understood_is_refused_each_time(jobdatings):
    for _again in range(2):
        with pytest.raises(ReportParameterError) as refused:
            outcomes(filters={"project": "no-such-project"})
        assert "project" in refused.value.message_dict


def test_what_was_asked_is_the_filters_names_and_values_and_only_plain_ones():
    """The filters as a part of the key: a dictionary and a query string that ask the same are
    the same; a value whose text could be another's (an object) keeps nothing by them."""
    asked = selectors._asked_filters({"project": "p1", "pes": ["vdab", "le-forem"]})
    assert asked == (("pes", ("vdab", "le-forem")), ("project", ("p1",)))
    assert selectors._asked_filters(QueryDict("project=p1&pes=vdab&pes=le-forem")) == asked
    assert selectors._asked_filters({"project": "p1", "pes": ["le-forem", "vdab"]}) != asked
    assert selectors._asked_filters(None) == selectors._asked_filters({}) == ()
    assert selectors._asked_filters({"year": 2017, "date_from": D(2017, 1, 1)}) is not None
    assert selectors._asked_filters({"project": [object()]}) is None
