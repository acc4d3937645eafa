"""The reports' rollups (reports/rollups.py): the same answers as the records, for every grouping
and filter, exact after every kind of write, marked in the writer's transaction, refreshed,
rebuilt and checked; the command and the task that keep them. (ROLLUP_CROSSCHECK=1, CI's run on
PostgreSQL, also holds every table the rest of the suite asks for to the records' answer and to
rollups rebuilt for it: tests/conftest.py.)"""

from __future__ import annotations

import datetime
import itertools
import os
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings

from actions.models import Action, Figure
from crossborder.core.facts import facts_written_for
from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus, ActionType, ParticipationStatus
from crossborder.jobs.models import Job, JobKind, JobState
from participants.models import LeavingSituation, Participation
from projects.models import PeriodStatus, ReportingPeriod
from reports import rollups
from reports.models import DirtyAction, FactRollup, OpenFollowUp, RollupState
from reports.selectors import ACTION_DIMENSIONS, outcome_tables, outcomes
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CompanyFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.date.today()

# Every grouping of one or two of the actions' dimensions, and none.
GROUPINGS = [
    [],
    *[[d] for d in ACTION_DIMENSIONS],
    *[list(pair) for pair in itertools.combinations(ACTION_DIMENSIONS, 2)],
]
FILTERS = [
    {},
    {"pes": ["vdab"]},
    {"pes": ["unknown"]},
    {"pes": ["vdab", "le-forem", "unknown"]},
    {"approved": "true"},
    {"status": list(ActionStatus)},
    {"action_type": [ActionType.JOBDATING]},
    {"year": ["2017"]},
    {"date_from": "2018-01-01"},
    {"date_from": "2030-01-01"},
]


def from_records(**kwargs):
    with override_settings(REPORT_ROLLUPS=False):
        return outcomes(**kwargs)


def from_rollups(**kwargs):
    """The table from the rollups alone: nothing marked, their answer usable."""
    assert not DirtyAction.objects.exists()
    return outcomes(**kwargs)


@pytest.fixture
def built(db):
    """The rollups rebuilt (no mark left) after each test's data."""

    def build(horizon: datetime.date | None = None) -> None:
        rollups.rebuild(horizon)
        assert rollups.check() == []

    return build


@pytest.mark.parametrize("horizon", [rollups.FIRST_DAY, D(2018, 4, 20), TODAY])
@pytest.mark.usefixtures("demo")
@pytest.mark.skipif(
    os.environ.get("ROLLUP_CROSSCHECK") == "1",
    # Each of its tables would be made from rollups rebuilt for it, the comparison made here:
    # six minutes of CI for nothing more.
    reason="the crosscheck compares every table as this test does",
)
def test_every_grouping_and_filter_reads_the_same_from_the_rollups(built, horizon):
    """The demo of the parliamentary answer: with follow-ups read as of the horizon and later
    (the horizon decides which of them the rollup rows settle)."""
    ReportingPeriod.objects.filter(pk__in=ReportingPeriod.objects.values("pk")[:3]).update(
        status=PeriodStatus.APPROVED
    )
    built(horizon)
    for group_by, filters in itertools.product(GROUPINGS, FILTERS):
        for as_of in {horizon, TODAY}:
            assert from_rollups(group_by=group_by, filters=filters, as_of=as_of) == from_records(
                group_by=group_by, filters=filters, as_of=as_of
            ), (group_by, filters, as_of)


@pytest.mark.usefixtures("demo")
def test_the_rows_hold_the_demo_as_the_records_say(built):
    built()
    jobdating = Action.objects.get(action_type=ActionType.JOBDATING, year=2017)
    rows = FactRollup.objects.filter(action=jobdating)
    assert sum(row.m_starts for row in rows) == 46
    assert sum(row.m_vacancies for row in rows) == 17
    fair = Action.objects.get(action_type=ActionType.JOB_FAIR, start_date=D(2018, 2, 1))
    assert any(row.b_reached for row in FactRollup.objects.filter(action=fair))
    table = from_rollups(group_by=["year"], filters={"project": ["grenzeloos-tewerkstellen"]})
    by_year = {row["year"]: row for row in table.rows}
    assert by_year[2017]["starts"] == 19 + 66 and by_year[2017]["people"] == 19


def test_a_report_as_of_a_day_before_the_horizon_reads_the_records(vdab):
    action = ActionFactory(start_date=D(2024, 3, 1), end_date=D(2024, 5, 31))
    ParticipationFactory(
        action=action,
        jobseeker=JobseekerFactory(pes=vdab),
        status=ParticipationStatus.COMPLETED,
        completed_on=D(2024, 5, 31),
        leaving_situation=LeavingSituation.EMPLOYED,
        leaving_checked_on=D(2024, 6, 20),
        leaving_source="pes_register",
    )
    rollups.rebuild(D(2025, 1, 1))
    # As of 10 June the follow-up was not recorded yet: the rollup row, which settled it on
    # the horizon, cannot say so; the records answer.
    early = outcomes(as_of=D(2024, 6, 10)).totals
    assert early["in_work_on_leaving"] == 0 and early["on_leaving_not_yet_known"] == 1
    assert outcomes(as_of=TODAY).totals["in_work_on_leaving"] == 1
    assert from_records(as_of=D(2024, 6, 10)).totals == early


def test_a_follow_up_checked_after_the_horizon_stays_open_in_the_rollups(vdab, built):
    action = ActionFactory(start_date=TODAY - datetime.timedelta(days=70), end_date=TODAY)
    ParticipationFactory(
        action=action,
        jobseeker=JobseekerFactory(pes=vdab),
        status=ParticipationStatus.COMPLETED,
        completed_on=TODAY - datetime.timedelta(days=1),
    )
    built(TODAY - datetime.timedelta(days=1))
    assert OpenFollowUp.objects.filter(action=action).get().records == 1
    for as_of in (TODAY, TODAY + datetime.timedelta(days=400)):
        assert from_rollups(as_of=as_of) == from_records(as_of=as_of)
    assert from_rollups(as_of=TODAY).totals["six_months_not_yet_known"] == 1
    late = from_rollups(as_of=TODAY + datetime.timedelta(days=400)).totals
    assert late["six_months_unknown"] == 1 and late["six_months_not_yet_known"] == 0


@pytest.fixture
def jobdating(vdab, le_forem):
    action = ActionFactory(
        project=ProjectFactory(slug="p1"),
        action_type=ActionType.JOBDATING,
        start_date=D(2017, 11, 28),
    )
    for _n in range(3):
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    FigureFactory(action=action, pes=le_forem, metric=Metric.STARTS, value=4)
    ActionEmployerFactory(action=action, organisation=CompanyFactory(), vacancies=5)
    return action


def test_a_write_marks_its_action_in_its_transaction_and_the_report_reads_it_at_once(
    jobdating, vdab, built
):
    built()
    assert from_rollups().totals["starts"] == 7
    record = ParticipationFactory(action=jobdating, jobseeker=JobseekerFactory(pes=vdab))
    assert DirtyAction.objects.filter(action_id=jobdating.pk).exists()
    # Marked: the report reads that action's records, not its outdated rows.
    assert outcomes().totals["starts"] == 8
    assert outcomes().totals["people"] == 4
    assert rollups.refresh_dirty() == 1
    assert not DirtyAction.objects.exists()
    assert from_rollups().totals["starts"] == 8
    record.delete()
    assert outcomes().totals["starts"] == 7
    Figure.objects.get(action=jobdating).delete()
    assert outcomes().totals["starts"] == 3
    rollups.refresh_dirty()
    assert rollups.check() == []
    assert from_rollups() == from_records()


def test_an_employers_kind_moves_what_it_counts(jobdating, built):
    built()
    employer = jobdating.employers.get().organisation
    employer.kind = "agency"
    employer.save()
    assert DirtyAction.objects.filter(action_id=jobdating.pk).exists()
    rollups.refresh_dirty()
    assert rollups.check() == []
    assert from_rollups().totals["agencies"] == 1


def test_an_employer_saved_with_the_same_kind_marks_nothing(jobdating, built):
    built()
    employer = jobdating.employers.get().organisation
    employer.name = "Another name"
    employer.save()
    assert not DirtyAction.objects.exists()


def test_a_bulk_write_marks_the_actions_it_names(jobdating, vdab, built):
    built()
    Participation.objects.bulk_create(
        [Participation(action=jobdating, jobseeker=JobseekerFactory(pes=vdab), pes=vdab)]
    )
    # bulk_create sends no signal: unmarked, the rows are stale (the check says so); the bulk
    # paths tell the rollups themselves.
    assert {"records", "people", "m_starts"} <= {d.what for d in rollups.check()}
    facts_written_for([jobdating.pk, None])
    assert outcomes().totals["starts"] == 8
    rollups.refresh_dirty()
    assert rollups.check() == []


def test_a_deleted_action_takes_its_rows_and_mark_with_it(jobdating, built):
    built()
    jobdating.delete()
    assert not FactRollup.objects.exists()
    assert not DirtyAction.objects.exists()
    assert outcomes().totals["actions"] == 0


def test_the_check_names_every_difference(jobdating, built):
    built()
    FactRollup.objects.filter(action=jobdating, pes__slug="vdab").update(m_starts=99)
    differences = rollups.check()
    assert [(d.what, d.kept, d.computed) for d in differences] == [("m_starts", 99, 3)]
    assert RollupState.objects.get().differences == 1
    with pytest.raises(CommandError, match="differ from the records in 1 places"):
        call_command("rollups", "--check")
    call_command("rollups", "--rebuild")
    call_command("rollups", "--check")


def test_without_state_the_reports_read_the_records_and_nothing_is_refreshed(jobdating):
    RollupState.objects.all().delete()
    assert outcomes().totals["starts"] == 7
    assert rollups.refresh_dirty() == 0
    assert rollups.lag().built is False


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--horizon", "2025-01-01"], "--horizon goes with --rebuild"),
        (["--rebuild", "--horizon", "01/01/2025"], "is no date"),
        (["--rebuild", "--horizon", "1999-12-31"], "give a day from 2000-01-01 to today"),
        (["--rebuild", "--horizon", "2999-01-01"], "give a day from 2000-01-01 to today"),
    ],
)
def test_the_command_refuses_a_bad_horizon(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("rollups", *arguments)


def test_the_command_says_how_they_stand(jobdating, capsys):
    call_command("rollups")
    assert "1 actions marked" in capsys.readouterr().out
    call_command("rollups", "--refresh")
    assert "Refreshed 1 actions" in capsys.readouterr().out
    RollupState.objects.all().delete()
    call_command("rollups")
    assert "not built" in capsys.readouterr().out


def test_the_nightly_task_rebuilds_and_checks(jobdating):
    from crossborder.jobs.tasks import rollups_rebuild

    rollups_rebuild.delay()
    job = Job.objects.get(kind=JobKind.ROLLUP_REBUILD)
    assert job.state == JobState.DONE
    assert "they match the records" in job.message
    assert not DirtyAction.objects.exists()
    assert RollupState.objects.get().differences == 0


@pytest.mark.django_db(transaction=True)
def test_after_a_commit_the_marked_actions_are_refreshed(vdab, monkeypatch):
    from crossborder.jobs import tasks

    RollupState.objects.get_or_create(defaults={"horizon": rollups.FIRST_DAY})
    sent = []
    send = tasks.rollups_refresh.delay
    monkeypatch.setattr(tasks.rollups_refresh, "delay", lambda: sent.append(1) or send())
    action = ActionFactory(start_date=D(2017, 11, 28))
    with transaction.atomic():
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    # One refresh per transaction, however many marks; without a broker it ran here.
    assert len(sent) == 1
    assert not DirtyAction.objects.exists()
    assert FactRollup.objects.get(action=action).m_starts == 2
    assert rollups.check() == []


def test_the_tables_of_several_groupings_agree(jobdating, built):
    built()
    groupings = [["pes"], ["project"], ["year", "pes"]]
    with override_settings(REPORT_ROLLUPS=False):
        expected = outcome_tables(groupings=groupings)
    assert outcome_tables(groupings=groupings) == expected


def test_a_report_from_the_rollups_is_one_statement_or_two_for_some_pes_by_pes(
    jobdating, built, django_assert_num_queries
):
    """Each after the rollups' standing (reports.answers: one query, which alone gives the
    same table again from the cache)."""
    built()
    with django_assert_num_queries(2):
        outcomes(group_by=["project"])
    # Grouped by PES, an action counts in several rows: the same statement counts the selection.
    with django_assert_num_queries(2):
        table = outcomes(group_by=["pes"])
    assert table.totals["actions"] == 1
    # Some of the PES asked: the ungrouped row of the rollups gives the totals (and the PES
    # filter validates its slugs).
    with django_assert_num_queries(4):
        table = outcomes(group_by=["pes"], filters={"pes": ["vdab", "le-forem"]})
    assert table.totals["actions"] == 1
    # Again: the standing alone, the answer being kept by what was asked (reports.answers).
    with django_assert_num_queries(1):
        assert outcomes(group_by=["pes"], filters={"pes": ["vdab", "le-forem"]}) == table


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_a_refresh_waits_for_a_writer_holding_the_mark(vdab, monkeypatch):
    """A refresh takes a mark away while a writer of the same action holds it (not committed):
    the refresh waits for the writer's commit, then computes the rows with its write; nothing
    is left stale and nothing is lost."""
    # No refresh after each commit here: this test runs the refresh itself.
    monkeypatch.setattr(rollups, "_after_commit", lambda: None)
    RollupState.objects.get_or_create(defaults={"horizon": rollups.FIRST_DAY})
    action = ActionFactory(start_date=D(2017, 11, 28))
    ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    assert DirtyAction.objects.filter(action_id=action.pk).exists()
    jobseeker = JobseekerFactory(pes=vdab)
    written = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                ParticipationFactory(action=action, jobseeker=jobseeker)
                written.set()
                time.sleep(1)
        except BaseException as error:  # reported to the test's thread
            errors.append(error)
        finally:
            written.set()
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(timeout=10)
    started = time.perf_counter()
    assert rollups.refresh_dirty() == 1
    # It waited for the writer's commit.
    assert time.perf_counter() - started > 0.5
    thread.join(timeout=10)
    assert not errors
    assert not DirtyAction.objects.exists()
    assert FactRollup.objects.get(action=action).m_starts == 2
    assert rollups.check() == []
    assert outcomes().totals["starts"] == 2
