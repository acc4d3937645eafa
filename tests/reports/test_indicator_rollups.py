"""The indicators from the reports' rollups (reports/indicators.py): the same lines and values as
from the records themselves (REPORT_ROLLUPS off), on the demo and on follow-ups due, overdue and
known, approved periods and not, RCR81's one person completing twice, a marked action, rollups
built to the first day and to today; the records read when the rollups cannot answer; a new
pseudonymous key marks the actions RCR81 reads."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionType, ParticipationStatus
from participants.gdpr import jobseeker_erase
from participants.models import Jobseeker
from projects.models import Indicator, PeriodStatus, Project, ReportingPeriod
from reports import rollups
from reports.indicators import indicator_counts, indicator_progress
from reports.models import DirtyAction, FactRollup
from reports.selectors import report_actions
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    PesFactory,
    ProjectFactory,
)
from tests.reports.test_indicators_by_definition import make_indicators

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
HORIZONS = [rollups.FIRST_DAY, TODAY]


def counted(*, approved: bool, as_of: D, year: int | None = None, detailed: bool = False):
    """The lines of every indicator from the rollups, from the records, and whether the first
    read the rollups (made anew: no answer kept from an earlier call, reports.answers)."""
    cache.clear()
    actions, _pes = report_actions({"date_to": f"{year}-12-31"} if year else {})
    indicators = list(Indicator.objects.order_by("code"))
    kwargs = {"indicators": indicators, "approved": approved, "as_of": as_of, "detailed": detailed}
    with CaptureQueriesContext(connection) as queries:
        rolled = indicator_counts(actions=actions, **kwargs)
    with override_settings(REPORT_ROLLUPS=False):
        recorded = indicator_counts(actions=actions, **kwargs)
    read = any(FactRollup._meta.db_table in query["sql"] for query in queries.captured_queries)
    return rolled, recorded, read


def values(counts, year: int | None) -> dict:
    """Every indicator's value for each project and the programme up to a year."""
    projects = [None, *Project.objects.values_list("slug", flat=True)]
    return {
        (indicator.code, project): counts.value(indicator, project, year)
        for indicator in Indicator.objects.all()
        for project in projects
    }


def assert_same(as_of: D, years=(None,)) -> None:
    for approved in (False, True):
        for year in years:
            # The monitoring workbook's lines, one per action and PES.
            rolled, recorded, read = counted(
                approved=approved, as_of=as_of, year=year, detailed=True
            )
            assert read, "the rollups did not answer"
            assert rolled.lines == recorded.lines, (approved, year)
            # The values, from a project's actions of a year and type.
            rolled, recorded, read = counted(approved=approved, as_of=as_of, year=year)
            assert read, "the rollups did not answer"
            for until in {year, None}:
                assert values(rolled, until) == values(recorded, until), (approved, year, until)
            progress = indicator_progress(until_year=year, approved=approved)
            with override_settings(REPORT_ROLLUPS=False):
                assert progress == indicator_progress(until_year=year, approved=approved)


@pytest.mark.parametrize("horizon", HORIZONS)
@pytest.mark.usefixtures("demo")
def test_the_demos_indicators_read_the_same_from_the_rollups(horizon):
    ReportingPeriod.objects.filter(pk__in=ReportingPeriod.objects.values("pk")[:3]).update(
        status=PeriodStatus.APPROVED
    )
    rollups.rebuild(horizon)
    assert_same(TODAY, years=(None, 2017, 2018))


@pytest.fixture
def followed(db):
    """A training that ended 20 days ago (its follow-ups on leaving due, not overdue), at VDAB
    and Le Forem, where one person (one key) completed twice, at each PES; an old cohort whose
    follow-ups not done are overdue, one known better six months on; a cohort left 200 days ago
    (six months on due); a training with completions as a figure (a lower bound) and one
    person twice at VDAB. Le Forem's period of the first training and VDAB's of the second
    are approved."""
    make_indicators()
    vdab, le_forem = PesFactory(slug="vdab"), PesFactory(slug="le-forem")
    project = ProjectFactory(slug="followed", ends_on=D(2030, 12, 31))
    end = TODAY - 20 * DAY
    training = ActionFactory(
        project=project,
        action_type=ActionType.TRAINING,
        start_date=end - 40 * DAY,
        end_date=end,
    )

    def record(action, pes, key="", status=ParticipationStatus.COMPLETED, **values):
        jobseeker = JobseekerFactory(pes=pes, pseudonym=key)
        completed = status == ParticipationStatus.COMPLETED
        return ParticipationFactory(
            action=action,
            jobseeker=jobseeker,
            status=status,
            started_on=action.start_date if status != ParticipationStatus.INTERESTED else None,
            completed_on=values.pop("completed_on", action.end_date if completed else None),
            **values,
        )

    record(
        training,
        vdab,
        "key-1",
        leaving_situation="employed",
        leaving_checked_on=end + 2 * DAY,
        leaving_source="pes_register",
    )
    record(training, le_forem, "key-1")
    record(training, vdab, "key-3", completed_on=None)
    record(training, vdab, status=ParticipationStatus.STARTED)
    record(
        training,
        le_forem,
        "key-5",
        leaving_situation="job_seeking",
        leaving_checked_on=TODAY - DAY,
        leaving_source="survey",
    )
    record(training, le_forem, status=ParticipationStatus.INTERESTED)
    old = ActionFactory(
        project=project,
        action_type=ActionType.GUIDANCE_COHORT,
        start_date=D(2019, 4, 1),
        end_date=D(2019, 6, 30),
    )
    record(old, vdab, "key-1")
    record(
        old,
        le_forem,
        six_month_situation="better_situation",
        six_month_checked_on=D(2020, 1, 10),
        six_month_source="survey",
    )
    record(old, le_forem, status=ParticipationStatus.DROPPED_OUT)
    left = TODAY - 200 * DAY
    cohort = ActionFactory(
        project=project,
        action_type=ActionType.GUIDANCE_COHORT,
        start_date=left - 60 * DAY,
        end_date=left,
    )
    record(cohort, vdab, "key-8")
    record(cohort, le_forem, "key-9", status=ParticipationStatus.DROPPED_OUT)
    second = ActionFactory(
        project=project,
        action_type=ActionType.TRAINING,
        start_date=D(2024, 2, 1),
        end_date=D(2024, 3, 29),
    )
    FigureFactory(
        action=second, pes=le_forem, metric=Metric.COMPLETIONS, value=4, is_lower_bound=True
    )
    record(second, vdab, "key-7")
    record(second, vdab, "key-7")
    record(second, vdab, "key-1")
    for action, pes in ((training, le_forem), (second, vdab)):
        ReportingPeriod.objects.create(
            project=project,
            year=action.year,
            semester=action.semester,
            pes=pes,
            status=PeriodStatus.APPROVED,
        )
    return training


def rcr81(approved: bool = False) -> tuple[int, bool]:
    value = next(
        v for v in indicator_progress(approved=approved) if v.code == "RCR81" and not v.project
    )
    return value.actual, value.lower_bound


@pytest.mark.parametrize("horizon", HORIZONS)
def test_follow_ups_due_overdue_and_known_read_the_same_from_the_rollups(followed, horizon):
    rollups.rebuild(horizon)
    assert FactRollup.objects.filter(repeat_completions__gt=0).count() == 2
    assert_same(TODAY, years=(None, 2019, TODAY.year))
    # Later days move the follow-ups: the due ones become overdue, six months on falls due.
    for later in (TODAY + 10 * DAY, TODAY + 200 * DAY):
        assert_same(later)
    # Completions: the first training 4 records, one person twice (key-1, at two PES); the
    # second 3 records, one person twice at VDAB, and 4 as a figure (a lower bound).
    assert rcr81() == (3 + 2 + 4, True)
    # Approved: the first training's Le Forem records only (its key-1 record counts, the earlier
    # one at VDAB is not approved), the second's VDAB records only (one person twice).
    assert rcr81(approved=True) == (2 + 2, False)


@pytest.mark.parametrize("horizon", HORIZONS)
def test_a_marked_action_reads_its_records(followed, horizon):
    rollups.rebuild(horizon)
    # Written after the rollups were made, and not refreshed: its action stays marked.
    ParticipationFactory(
        action=followed,
        jobseeker=JobseekerFactory(pseudonym="key-5"),
        status=ParticipationStatus.COMPLETED,
        started_on=followed.start_date,
        completed_on=followed.end_date,
    )
    assert DirtyAction.objects.filter(action_id=followed.pk).exists()
    assert_same(TODAY)
    assert rcr81() == (3 + 2 + 4, True)


def test_an_erased_pseudonymous_key_marks_the_actions_of_the_jobseekers_records(followed):
    rollups.rebuild(rollups.FIRST_DAY)
    repeated = Jobseeker.objects.get(pes__slug="le-forem", pseudonym="key-1")
    # A save that leaves the key as it is marks nothing.
    repeated.given_name = "Another"
    repeated.save()
    assert not DirtyAction.objects.exists()
    jobseeker_erase(jobseeker=repeated)
    assert set(DirtyAction.objects.values_list("action_id", flat=True)) == {followed.pk}
    # Without its key the person is no longer known to have completed twice.
    assert rcr81() == (4 + 2 + 4, True)
    assert_same(TODAY)
    rollups.refresh_dirty()
    assert rollups.check() == []
    assert rcr81() == (4 + 2 + 4, True)
    assert_same(TODAY)


def test_before_the_horizon_or_switched_off_the_records_answer(followed, django_assert_num_queries):
    rollups.rebuild(TODAY)
    actions, _pes = report_actions({})
    indicators = list(Indicator.objects.order_by("code"))
    # The rollups: their standing (reports.answers), the facts per project, year and action
    # type, those after the project's end, the repeated completions, the partners and the
    # organisers.
    with django_assert_num_queries(6):
        rolled = indicator_counts(actions=actions, indicators=indicators, as_of=TODAY)
    # Per action and PES: the actions, their rows, the PES, the repeated completions, the
    # partners and the organisers.
    with django_assert_num_queries(6):
        detail = indicator_counts(
            actions=actions, indicators=indicators, as_of=TODAY, detailed=True
        )
    # A day before the horizon: the rollups' statement says it cannot answer, and the actions,
    # the records, the figures and the repeated completions are read instead.
    with django_assert_num_queries(7):
        earlier = indicator_counts(actions=actions, indicators=indicators, as_of=TODAY - DAY)
    with override_settings(REPORT_ROLLUPS=False):
        with django_assert_num_queries(6):
            recorded = indicator_counts(actions=actions, indicators=indicators, as_of=TODAY)
        before = indicator_counts(actions=actions, indicators=indicators, as_of=TODAY - DAY)
    assert earlier.lines == before.lines
    assert detail.lines == recorded.lines
    assert values(rolled, None) == values(recorded, None)


def test_without_any_action_nothing_is_counted_either_way(db):
    make_indicators()
    rollups.rebuild(rollups.FIRST_DAY)
    for detailed in (False, True):
        rolled, recorded, _read = counted(approved=False, as_of=TODAY, detailed=detailed)
        assert rolled.lines == recorded.lines
        assert all(not lines for code, lines in rolled.lines.items() if code != "RCO87")
