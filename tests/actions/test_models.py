from __future__ import annotations

import datetime

import pytest

from actions.models import Figure
from crossborder.core.metrics import Metric
from crossborder.core.periods import add_months, semester_of
from crossborder.core.vocabulary import ActionStatus, ActionType
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CohortFactory,
    FigureFactory,
    OrganisationFactory,
    ParticipationFactory,
    PesFactory,
    ProjectFactory,
    WorkPackageFactory,
)
from tests.helpers import assert_db_refuses, validation_errors

pytestmark = pytest.mark.django_db
D = datetime.date


def test_semester_and_year_follow_the_start_date():
    action = ActionFactory.build(
        project=ProjectFactory(), start_date=D(2017, 9, 29), year=2000, semester=""
    )
    action.full_clean()
    assert (action.year, action.semester) == (2017, "2017-S2")
    assert semester_of(D(2017, 6, 30)) == "2017-S1"


def test_end_date_before_start_date_is_refused():
    action = ActionFactory.build(
        project=ProjectFactory(), start_date=D(2017, 6, 6), end_date=D(2017, 6, 5)
    )
    assert validation_errors(action) == {"end_date": ["May not be before the start date."]}
    assert_db_refuses(action, "action_end_not_before_start")


def test_end_date_without_start_date_is_refused():
    action = ActionFactory.build(
        project=ProjectFactory(), start_date=None, end_date=D(2017, 6, 5), year=2017
    )
    assert validation_errors(action) == {"start_date": ["Needed when there is an end date."]}
    assert_db_refuses(action, "action_end_needs_start")


def test_cancelled_action_needs_its_reason():
    action = ActionFactory.build(project=ProjectFactory(), status=ActionStatus.CANCELLED)
    assert validation_errors(action) == {
        "cancellation_reason": ["Required for a cancelled action: say why."]
    }
    assert_db_refuses(action, "action_cancelled_has_reason")
    action.cancellation_reason = "No candidates with basic Dutch."
    action.full_clean()


def test_guidance_cohort_takes_at_most_twelve():
    cohort = CohortFactory.build(project=ProjectFactory(), capacity=13)
    assert validation_errors(cohort) == {
        "capacity": ["A guidance cohort takes at most 12 jobseekers."]
    }
    assert_db_refuses(cohort, "action_cohort_capacity")


def test_guidance_cohort_lasts_at_most_three_months():
    cohort = CohortFactory.build(
        project=ProjectFactory(), start_date=D(2017, 4, 27), end_date=D(2017, 7, 28)
    )
    assert validation_errors(cohort) == {
        "end_date": ["A guidance cohort lasts at most 3 months: end on 2017-07-27 at the latest."]
    }
    assert_db_refuses(cohort, "action_cohort_duration")
    cohort.end_date = D(2017, 7, 27)
    cohort.full_clean()
    cohort.save()


def test_other_action_types_may_last_longer_and_take_more():
    training = ActionFactory.build(
        project=ProjectFactory(),
        action_type=ActionType.TRAINING,
        start_date=D(2017, 1, 1),
        end_date=D(2017, 12, 31),
        capacity=40,
    )
    training.full_clean()
    training.save()


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(D(2017, 11, 30), 3) == D(2018, 2, 28)
    assert add_months(D(2017, 4, 27), 3) == D(2017, 7, 27)


def test_semester_must_belong_to_the_year():
    action = ActionFactory.build(
        project=ProjectFactory(), start_date=None, year=2018, semester="2017-S2"
    )
    assert validation_errors(action) == {
        "semester": ["Must be 2018-S1 or 2018-S2, in the action's year."]
    }
    action.semester = "2018-S3"
    assert_db_refuses(action, "action_semester_format")


def test_year_must_be_plausible():
    action = ActionFactory.build(project=ProjectFactory(), start_date=None, year=1990, semester="")
    assert validation_errors(action) == {"year": ["Must lie between 2000 and 2100."]}
    assert_db_refuses(action, "action_year_plausible")


def test_work_package_of_another_project_is_refused():
    action = ActionFactory.build(project=ProjectFactory(), work_package=WorkPackageFactory())
    assert validation_errors(action) == {
        "work_package": ["The work package belongs to another project."]
    }


def test_reference_is_unique_when_given():
    ActionFactory(reference="gt-1")
    ActionFactory(reference="")
    ActionFactory(reference="")
    duplicate = ActionFactory.build(project=ProjectFactory(), reference="gt-1")
    assert validation_errors(duplicate) == {
        "__all__": ["Reference: another action already has it."]
    }


def test_rough_period_reads_in_when():
    action = ActionFactory.build(
        start_date=None, year=2018, semester="2018-S2", period_note="autumn"
    )
    assert action.when == "autumn 2018-S2"


def test_figure_value_may_not_be_negative():
    figure = FigureFactory.build(action=ActionFactory(), pes=PesFactory(slug="vdab"), value=-3)
    assert validation_errors(figure)["value"] == [
        "Ensure this value is greater than or equal to 0."
    ]
    # PositiveIntegerField puts a CHECK (value >= 0) in the database.
    assert_db_refuses(figure, "value")


def test_one_figure_per_action_metric_and_pes():
    figure = FigureFactory()
    duplicate = Figure(action=figure.action, metric=figure.metric, pes=figure.pes, value=2)
    assert validation_errors(duplicate) == {
        "__all__": ["This action already has this figure for this PES."]
    }
    assert_db_refuses(duplicate, "figure_unique_per_pes")


def test_one_unsplit_figure_per_action_and_metric():
    figure = FigureFactory(pes=None, metric=Metric.PLACEMENTS)
    duplicate = Figure(action=figure.action, metric=Metric.PLACEMENTS, pes=None, value=2)
    assert validation_errors(duplicate) == {
        "__all__": ["This action already has an unsplit figure for this metric."]
    }
    assert_db_refuses(duplicate, "figure_unique_unsplit")


def test_unsplit_remainder_may_stand_beside_split_figures():
    figure = FigureFactory(metric=Metric.STARTS, value=35)
    Figure(action=figure.action, metric=Metric.STARTS, pes=None, value=4).full_clean()


def test_employer_metrics_belong_to_no_pes():
    figure = FigureFactory.build(
        action=ActionFactory(), metric=Metric.VACANCIES, pes=PesFactory(slug="vdab")
    )
    assert validation_errors(figure) == {
        "pes": ["Employers, agencies and vacancies belong to no PES: leave it empty."]
    }
    assert_db_refuses(figure, "figure_employer_metric_without_pes")


def test_actions_is_not_a_figure_metric():
    figure = FigureFactory.build(action=ActionFactory(), metric="actions", pes=None)
    assert validation_errors(figure) == {"metric": ["Value 'actions' is not a valid choice."]}
    assert_db_refuses(figure, "figure_metric_known")


def test_figure_pes_must_be_a_pes():
    figure = FigureFactory.build(action=ActionFactory(), pes=OrganisationFactory(kind="partner"))
    assert validation_errors(figure) == {"pes": ["Must be an existing public employment service."]}


def test_figure_refused_where_the_pes_keeps_individual_records():
    participation = ParticipationFactory()
    figure = Figure(
        action=participation.action,
        metric=Metric.PLACEMENTS,
        pes=participation.jobseeker.pes,
        value=2,
    )
    assert validation_errors(figure) == {
        "pes": [
            "VDAB keeps individual participation records for this action; its placements are "
            "counted from them. Enter the figure without PES if it counts others."
        ]
    }


def test_figure_for_another_pes_beside_individual_records_is_allowed():
    participation = ParticipationFactory()
    Figure(
        action=participation.action, metric=Metric.STARTS, pes=PesFactory(slug="le-forem"), value=4
    ).full_clean()


def test_cohort_starts_figures_may_not_exceed_twelve():
    cohort = CohortFactory()
    FigureFactory(action=cohort, pes=PesFactory(slug="vdab"), value=8)
    figure = Figure(action=cohort, metric=Metric.STARTS, pes=PesFactory(slug="le-forem"), value=5)
    assert validation_errors(figure) == {
        "value": [
            "A guidance cohort takes at most 12 jobseekers; with this figure it would have 13."
        ]
    }


def test_employer_must_be_a_company_or_agency():
    presence = ActionEmployerFactory.build(
        action=ActionFactory(), organisation=OrganisationFactory(kind="partner")
    )
    assert validation_errors(presence) == {
        "organisation": ["Must be an existing company or temporary-work agency."]
    }


def test_same_employer_listed_twice_is_refused():
    presence = ActionEmployerFactory()
    duplicate = ActionEmployerFactory.build(
        action=presence.action, organisation=presence.organisation
    )
    assert validation_errors(duplicate) == {
        "__all__": ["This employer is already listed for the action."]
    }
