"""The counting rules of the reports layer, on small hand-made data."""

from __future__ import annotations

import datetime

import pytest

from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus, ActionType, ParticipationStatus
from reports.selectors import SUMMED_METRICS, ReportParameterError, outcomes
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CohortFactory,
    CompanyFactory,
    FigureFactory,
    JobseekerFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def pick(row: dict, *keys: str) -> dict:
    return {key: row[key] for key in keys}


@pytest.fixture
def mixed(vdab, le_forem):
    """One jobdating: VDAB keeps records (3 started, 1 of them placed and hired), Le Forem gives a
    count of 4, and 2 more jobseekers of unknown PES came."""
    action = ActionFactory(project=ProjectFactory(slug="p1"), start_date=D(2017, 11, 28))
    for n in range(3):
        ParticipationFactory(
            action=action,
            jobseeker=JobseekerFactory(pes=vdab),
            placed_on=D(2018, 1, 1) if n == 0 else None,
            hired_on=D(2017, 12, 1) if n == 0 else None,
        )
    FigureFactory(action=action, pes=le_forem, metric=Metric.STARTS, value=4)
    FigureFactory(action=action, pes=None, metric=Metric.STARTS, value=2)
    return action


def test_both_forms_add_up_without_counting_twice(mixed):
    table = outcomes(group_by=["pes"])
    assert [
        pick(r, "pes", "actions", "starts", "placements", "hires", "people") for r in table.rows
    ] == [
        {"pes": "le-forem", "actions": 1, "starts": 4, "placements": 0, "hires": 0, "people": None},
        {"pes": "vdab", "actions": 1, "starts": 3, "placements": 1, "hires": 1, "people": 3},
        {"pes": None, "actions": 1, "starts": 2, "placements": 0, "hires": 0, "people": None},
    ]
    assert pick(table.totals, "actions", "starts", "placements", "hires", "people") == {
        "actions": 1,
        "starts": 9,
        "placements": 1,
        "hires": 1,
        "people": 3,
    }


def test_rows_of_every_additive_metric_add_up_to_the_total(mixed, le_forem):
    other = CohortFactory(project=mixed.project)
    FigureFactory(action=other, pes=le_forem, metric=Metric.STARTS, value=5)
    FigureFactory(action=other, pes=None, metric=Metric.PLACEMENTS, value=2)
    ActionEmployerFactory(action=mixed, vacancies=4)
    for group_by in (["pes"], ["semester", "pes"], ["action_type"], ["project", "status", "pes"]):
        table = outcomes(group_by=group_by)
        for metric in SUMMED_METRICS:
            assert sum(r[metric] for r in table.rows) == table.totals[metric], (group_by, metric)


def test_people_counts_distinct_jobseekers_starts_count_participations(vdab):
    person = JobseekerFactory(pes=vdab)
    project = ProjectFactory()
    for day in (D(2017, 2, 1), D(2017, 3, 1), D(2017, 9, 1)):
        ParticipationFactory(
            action=ActionFactory(project=project, start_date=day), jobseeker=person
        )
    ParticipationFactory(
        action=ActionFactory(project=project, start_date=D(2017, 4, 1)),
        jobseeker=JobseekerFactory(pes=vdab),
        status=ParticipationStatus.INTERESTED,
    )
    table = outcomes(group_by=["semester"])
    assert pick(table.totals, "starts", "interested", "people") == {
        "starts": 3,
        "interested": 1,
        "people": 1,
    }
    assert [pick(r, "semester", "starts", "people") for r in table.rows] == [
        {"semester": "2017-S1", "starts": 2, "people": 1},
        {"semester": "2017-S2", "starts": 1, "people": 1},
    ]


def test_people_is_null_where_only_aggregate_figures_exist(vdab):
    FigureFactory(pes=vdab, value=7)
    assert outcomes().totals["people"] is None


def test_completions_and_certificates_come_from_records(vdab):
    cohort = CohortFactory()
    ParticipationFactory(
        action=cohort,
        jobseeker=JobseekerFactory(pes=vdab),
        status=ParticipationStatus.COMPLETED,
        started_on=D(2017, 4, 27),
        completed_on=D(2017, 7, 27),
        certified_on=D(2017, 7, 27),
    )
    ParticipationFactory(
        action=cohort, jobseeker=JobseekerFactory(pes=vdab), status=ParticipationStatus.DROPPED_OUT
    )
    assert pick(outcomes().totals, "starts", "completions", "certificates") == {
        "starts": 2,
        "completions": 1,
        "certificates": 1,
    }


def test_only_realised_actions_count_unless_asked(vdab):
    project = ProjectFactory()
    for status in ActionStatus.values:
        action = ActionFactory(project=project, status=status, cancellation_reason="no candidates")
        FigureFactory(action=action, pes=vdab, value=10)
    assert pick(outcomes().totals, "actions", "starts") == {"actions": 2, "starts": 20}
    table = outcomes(group_by=["status"], filters={"status": ["planned", "cancelled"]})
    assert [pick(r, "status", "actions", "starts") for r in table.rows] == [
        {"status": "cancelled", "actions": 1, "starts": 10},
        {"status": "planned", "actions": 1, "starts": 10},
    ]


def test_figures_belong_to_the_semester_in_which_the_action_starts(vdab):
    cohort = CohortFactory(
        start_date=D(2017, 6, 20), end_date=D(2017, 9, 15), year=2017, semester="2017-S1"
    )
    ParticipationFactory(
        action=cohort, jobseeker=JobseekerFactory(pes=vdab), placed_on=D(2018, 2, 1)
    )
    table = outcomes(group_by=["year", "semester"])
    assert [pick(r, "year", "semester", "starts", "placements") for r in table.rows] == [
        {"year": 2017, "semester": "2017-S1", "starts": 1, "placements": 1}
    ]


def test_a_lower_bound_makes_every_sum_that_includes_it_a_lower_bound(vdab):
    project = ProjectFactory()
    fair = ActionFactory(project=project, action_type=ActionType.JOB_FAIR, start_date=D(2018, 2, 1))
    FigureFactory(action=fair, pes=None, value=200, is_lower_bound=True)
    FigureFactory(action=fair, pes=None, metric=Metric.AGENCIES, value=6)
    jobdating = ActionFactory(project=project, start_date=D(2018, 3, 1))
    FigureFactory(action=jobdating, pes=vdab, value=11)
    table = outcomes(group_by=["action_type"])
    assert [
        pick(r, "action_type", "starts", "lower_bound", "lower_bounds") for r in table.rows
    ] == [
        {"action_type": "job_fair", "starts": 200, "lower_bound": True, "lower_bounds": ["starts"]},
        {"action_type": "jobdating", "starts": 11, "lower_bound": False, "lower_bounds": []},
    ]
    assert pick(table.totals, "starts", "agencies", "lower_bounds") == {
        "starts": 211,
        "agencies": 6,
        "lower_bounds": ["starts"],
    }


def test_employers_named_and_unsplit_are_added(db):
    action = ActionFactory()
    ActionEmployerFactory(action=action, organisation=CompanyFactory(), vacancies=3)
    ActionEmployerFactory(
        action=action, organisation=OrganisationFactory(kind="agency"), vacancies=None
    )
    FigureFactory(action=action, pes=None, metric=Metric.EMPLOYERS, value=1)
    FigureFactory(action=action, pes=None, metric=Metric.VACANCIES, value=5)
    assert pick(outcomes().totals, "employers", "agencies", "vacancies") == {
        "employers": 2,
        "agencies": 1,
        "vacancies": 8,
    }


def test_an_action_without_any_figure_counts_as_an_action_of_unknown_pes(vdab):
    ActionFactory(action_type=ActionType.STAFF_SEMINAR)
    FigureFactory(action=ActionFactory(), pes=vdab, value=3)
    table = outcomes(group_by=["pes"])
    assert [pick(r, "pes", "actions", "starts") for r in table.rows] == [
        {"pes": "vdab", "actions": 1, "starts": 3},
        {"pes": None, "actions": 1, "starts": 0},
    ]
    assert table.totals["actions"] == 2


def test_filters_by_pes_including_unknown(mixed):
    assert outcomes(filters={"pes": "vdab"}).totals["starts"] == 3
    assert outcomes(filters={"pes": "le-forem,unknown"}).totals["starts"] == 6
    assert outcomes(filters={"pes": ["vdab", "le-forem"]}).totals["starts"] == 7


def test_filters_by_date_range_and_sector(vdab):
    agro = SectorFactory(slug="agro-food")
    early = ActionFactory(start_date=D(2017, 3, 1), sector=agro)
    late = ActionFactory(start_date=D(2017, 11, 1))
    rough = ActionFactory(start_date=None, year=2018, semester="2018-S1")
    for action, value in ((early, 1), (late, 10), (rough, 100)):
        FigureFactory(action=action, pes=vdab, value=value)
    assert outcomes(filters={"date_from": "2017-06-01"}).totals["starts"] == 110
    assert outcomes(filters={"date_to": "2017-12-31"}).totals["starts"] == 11
    assert (
        outcomes(filters={"date_from": "2018-03-01", "date_to": "2018-04-01"}).totals["starts"]
        == 100
    )
    assert outcomes(filters={"sector": "agro-food"}).totals["starts"] == 1


@pytest.mark.parametrize(
    ("group_by", "filters", "errors"),
    [
        (
            ["country"],
            {},
            {
                "group_by": [
                    "Unknown dimension “country”; use any of: "
                    "year, semester, project, action_type, pes, sector, status, gender, "
                    "age_band, youth_band, entry_status, education_level."
                ]
            },
        ),
        (["pes", "pes"], {}, {"group_by": ["A dimension may be given only once."]}),
        (
            [],
            {"project": "atlantis"},
            {"project": ["Select a valid choice. atlantis is not one of the available choices."]},
        ),
        (
            [],
            {"action_type": "picnic"},
            {"action_type": ["Select a valid choice. picnic is not one of the available choices."]},
        ),
        (
            [],
            {"pes": "ukraine"},
            {"pes": ["Select a valid choice. ukraine is not one of the available choices."]},
        ),
        ([], {"year": "twenty"}, {"year": ["“twenty” is not a year between 2000 and 2100."]}),
        (
            [],
            {"semester": "2017-S3"},
            {"semester": ["“2017-S3” is not a semester like 2017-S1 or 2017-S2."]},
        ),
        ([], {"date_from": "2017-13-01"}, {"date_from": ["Enter a valid date."]}),
        (
            [],
            {"date_from": "2018-01-01", "date_to": "2017-01-01"},
            {"date_to": ["May not be before the start of the range."]},
        ),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(vdab, group_by, filters, errors):
    with pytest.raises(ReportParameterError) as excinfo:
        outcomes(group_by=group_by, filters=filters)
    assert excinfo.value.message_dict == errors


def _populate(size: int, vdab, le_forem) -> None:
    project = ProjectFactory(slug="p")
    for n in range(size):
        action = ActionFactory(project=project, start_date=D(2017 + n % 3, 1 + n % 12, 1))
        FigureFactory(action=action, pes=le_forem, value=n + 1)
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
        ActionEmployerFactory(action=action)


@pytest.mark.parametrize("size", [2, 30])
def test_the_report_is_two_queries_at_most_whatever_the_rows(
    vdab, le_forem, size, django_assert_num_queries
):
    _populate(size, vdab, le_forem)
    # Validating the filters: the project slugs and the PES choices; then the rollups' standing
    # (reports.answers), rows and totals (an action of several of the PES asked counts in several
    # rows: its own statement).
    with django_assert_num_queries(5):
        table = outcomes(
            group_by=["year", "semester", "project", "pes"],
            filters={"project": "p", "pes": "vdab,le-forem,unknown"},
        )
    assert table.totals["actions"] == size
    # Each action in one row: the totals are the rows' (the people from the rollups' bitmaps).
    with django_assert_num_queries(2):
        outcomes(group_by=["semester", "action_type", "sector", "status"])


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"pes": "vdab"},
        {"pes": "unknown"},
        {"pes": "le-forem,unknown"},
        {"pes": "vdab,le-forem"},
        {"status": "planned"},
        {"project": "p2"},
    ],
)
def test_the_totals_of_a_grouped_table_are_those_of_the_ungrouped_report(
    mixed, vdab, le_forem, filters
):
    """A grouped table's totals are derived from its rows and one narrow count (no second pass
    over the facts): they must be exactly the one-statement totals, whatever the grouping."""
    person = JobseekerFactory(pes=vdab)
    ParticipationFactory(action=mixed, jobseeker=person)
    second = CohortFactory(
        project=ProjectFactory(slug="p2"), start_date=D(2018, 3, 5), end_date=D(2018, 5, 5)
    )
    ParticipationFactory(action=second, jobseeker=person)
    ParticipationFactory(
        action=second, jobseeker=JobseekerFactory(pes=le_forem), status="interested"
    )
    FigureFactory(action=second, pes=None, metric=Metric.PLACEMENTS, value=2, is_lower_bound=True)
    ActionEmployerFactory(action=second, vacancies=3)
    ActionFactory(project=second.project, action_type=ActionType.STAFF_SEMINAR)
    planned = ActionFactory(project=second.project, status=ActionStatus.PLANNED)
    ParticipationFactory(action=planned, jobseeker=JobseekerFactory(pes=vdab), status="interested")
    expected = outcomes(filters=filters).totals
    for group_by in (
        ["pes"],
        ["project"],
        ["semester", "pes"],
        ["year", "action_type", "status"],
        ["project", "sector", "pes"],
    ):
        assert outcomes(group_by=group_by, filters=filters).totals == expected, group_by


def test_rows_without_people_are_summed_per_action_first_and_give_the_same_figures(mixed, vdab):
    """indicator_progress() asks for rows without `people`: the records are pre-summed per
    action and PES, which must change nothing else."""
    from reports.selectors import _run, report_actions

    second = CohortFactory(project=mixed.project)
    for status in ("started", "completed", "interested"):
        ParticipationFactory(action=second, jobseeker=JobseekerFactory(pes=vdab), status=status)
    FigureFactory(action=second, pes=None, metric=Metric.PLACEMENTS, value=2, is_lower_bound=True)
    actions, _pes = report_actions({})
    for group_by in (["project", "action_type", "year"], ["pes"], ["semester", "status"]):
        with_people = _run(group_by, actions, [])
        assert [row["people"] for row in with_people if row["people"] is not None]
        expected = [{**row, "people": None} for row in with_people]
        assert _run(group_by, actions, [], people=False) == expected
