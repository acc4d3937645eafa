from __future__ import annotations

import datetime

import pytest

from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ParticipationStatus
from participants.models import Jobseeker, Participation, pseudonym_for
from tests.factories import (
    CohortFactory,
    FigureFactory,
    JobseekerFactory,
    OrganisationFactory,
    ParticipationFactory,
    PesFactory,
)
from tests.helpers import assert_db_refuses, validation_errors

pytestmark = pytest.mark.django_db
D = datetime.date


def test_reference_is_unique_per_pes():
    JobseekerFactory(external_ref="A1", pes=PesFactory(slug="vdab"))
    JobseekerFactory(external_ref="A1", pes=PesFactory(slug="le-forem"))
    duplicate = JobseekerFactory.build(external_ref="A1", pes=PesFactory(slug="vdab"))
    assert validation_errors(duplicate) == {
        "__all__": ["This PES already has a jobseeker with this reference."]
    }
    assert_db_refuses(duplicate, "jobseeker_ref_unique_per_pes")


def test_erased_jobseekers_without_reference_do_not_clash():
    JobseekerFactory(external_ref="")
    JobseekerFactory(external_ref="")
    assert Jobseeker.objects.filter(external_ref="").count() == 2


def test_pseudonym_is_a_keyed_hash_of_the_reference():
    jobseeker = JobseekerFactory.build(pes=PesFactory(slug="vdab"), external_ref=" ab12 ")
    jobseeker.full_clean()
    assert jobseeker.pseudonym == pseudonym_for("AB12")
    assert len(jobseeker.pseudonym) == 64
    assert "AB12" not in jobseeker.pseudonym


def test_the_same_reference_at_two_pes_gives_the_same_pseudonym(settings):
    at_vdab = JobseekerFactory(pes=PesFactory(slug="vdab"), external_ref="85073003328")
    at_forem = JobseekerFactory(pes=PesFactory(slug="le-forem"), external_ref="85073003328")
    at_vdab.full_clean()
    at_forem.full_clean()
    assert at_vdab.pseudonym == at_forem.pseudonym
    settings.PSEUDONYM_KEY = "another-key"
    assert pseudonym_for("85073003328") != at_vdab.pseudonym


def test_jobseeker_pes_must_be_a_pes():
    jobseeker = JobseekerFactory.build(pes=OrganisationFactory(kind="partner"))
    assert validation_errors(jobseeker) == {
        "pes": ["Must be an existing public employment service."]
    }


def test_birth_year_must_be_plausible():
    jobseeker = JobseekerFactory.build(pes=PesFactory(slug="vdab"), birth_year=1850)
    assert validation_errors(jobseeker) == {
        "__all__": ["Year of birth: must lie between 1900 and 2100."]
    }
    assert_db_refuses(jobseeker, "jobseeker_birth_year_plausible")


def test_a_jobseeker_takes_part_once_per_action():
    participation = ParticipationFactory()
    duplicate = Participation(action=participation.action, jobseeker=participation.jobseeker)
    assert validation_errors(duplicate) == {
        "__all__": ["This jobseeker already takes part in this action."]
    }
    assert_db_refuses(duplicate, "participation_unique")


def test_completion_date_needs_a_completed_participation():
    participation = ParticipationFactory.build(
        action=CohortFactory(), jobseeker=JobseekerFactory(), completed_on=D(2017, 7, 27)
    )
    assert validation_errors(participation) == {
        "completed_on": ["Only for a completed participation."]
    }
    assert_db_refuses(participation, "participation_completed_on_needs_completed")


def test_completion_may_not_precede_the_start():
    participation = ParticipationFactory.build(
        action=CohortFactory(),
        jobseeker=JobseekerFactory(),
        status=ParticipationStatus.COMPLETED,
        started_on=D(2017, 4, 27),
        completed_on=D(2017, 4, 1),
    )
    assert validation_errors(participation) == {"completed_on": ["May not be before the start."]}
    assert_db_refuses(participation, "participation_completed_after_start")


def test_outcomes_need_a_jobseeker_who_started():
    participation = ParticipationFactory.build(
        action=CohortFactory(),
        jobseeker=JobseekerFactory(),
        status=ParticipationStatus.INTERESTED,
        placed_on=D(2017, 9, 1),
    )
    assert validation_errors(participation) == {
        "placed_on": ["Only for a jobseeker who started: change the status first."]
    }
    assert_db_refuses(participation, "participation_outcomes_need_start")


def test_employer_who_hired_needs_the_hiring_date():
    participation = ParticipationFactory.build(
        action=CohortFactory(),
        jobseeker=JobseekerFactory(),
        hired_by=OrganisationFactory(kind="company"),
    )
    assert validation_errors(participation) == {
        "hired_on": ["Needed when the employer who hired is given."]
    }
    assert_db_refuses(participation, "participation_hired_by_needs_date")


def test_records_refused_where_the_pes_gave_aggregate_figures():
    vdab = PesFactory(slug="vdab")
    figure = FigureFactory(pes=vdab, metric=Metric.STARTS, value=3)
    participation = ParticipationFactory.build(
        action=figure.action, jobseeker=JobseekerFactory(pes=vdab)
    )
    assert validation_errors(participation) == {
        "jobseeker": [
            "VDAB already gave aggregate figures for this action; its jobseekers are counted "
            "from those. Delete the figures before adding individual records."
        ]
    }


def test_records_of_another_pes_beside_aggregate_figures_are_allowed():
    figure = FigureFactory(pes=PesFactory(slug="vdab"), metric=Metric.STARTS, value=3)
    ParticipationFactory.build(
        action=figure.action, jobseeker=JobseekerFactory(pes=PesFactory(slug="le-forem"))
    ).full_clean()


def test_cohort_records_may_not_exceed_twelve():
    cohort = CohortFactory()
    FigureFactory(action=cohort, pes=PesFactory(slug="le-forem"), value=10)
    ParticipationFactory(action=cohort)
    ParticipationFactory(action=cohort)
    thirteenth = ParticipationFactory.build(action=cohort, jobseeker=JobseekerFactory())
    assert validation_errors(thirteenth) == {
        "action": ["A guidance cohort takes at most 12 jobseekers; this one would have 13."]
    }
    # Interested jobseekers do not take a seat.
    ParticipationFactory.build(
        action=cohort, jobseeker=JobseekerFactory(), status=ParticipationStatus.INTERESTED
    ).full_clean()


def test_a_participation_keeps_the_pes_of_its_jobseeker():
    le_forem = PesFactory(slug="le-forem")
    participation = ParticipationFactory(jobseeker=JobseekerFactory(pes=le_forem))
    assert participation.pes == le_forem
    participation.refresh_from_db()
    assert participation.pes_id == le_forem.pk


def test_a_jobseeker_who_takes_part_keeps_their_pes():
    vdab, le_forem = PesFactory(slug="vdab"), PesFactory(slug="le-forem")
    jobseeker = JobseekerFactory(pes=vdab)
    ParticipationFactory(jobseeker=jobseeker)
    jobseeker.pes = le_forem
    assert validation_errors(jobseeker) == {
        "pes": [
            "This jobseeker already takes part in actions of their PES, which counted them; "
            "register them at the other PES as a new jobseeker."
        ]
    }


def test_a_jobseeker_without_participation_may_change_pes():
    jobseeker = JobseekerFactory(pes=PesFactory(slug="vdab"))
    jobseeker.pes = PesFactory(slug="le-forem")
    jobseeker.full_clean()


def test_checking_a_jobseeker_whose_pes_is_unchanged_asks_nothing_of_the_records(
    django_assert_num_queries,
):
    jobseeker = JobseekerFactory(pes=PesFactory(slug="vdab"))
    ParticipationFactory(jobseeker=jobseeker)
    stored = Jobseeker.objects.get(pk=jobseeker.pk)
    stored.given_name = "Anna"
    with django_assert_num_queries(0):
        stored.clean()
