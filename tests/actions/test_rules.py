"""The rules across an action and its records, asked of the Action by every write path: which
PES it counts by records and which by figures, and the places of a guidance cohort."""

from __future__ import annotations

import pytest

from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ParticipationStatus
from tests.factories import (
    ActionFactory,
    CohortFactory,
    FigureFactory,
    ParticipationFactory,
    PesFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def vdab():
    return PesFactory(slug="vdab")


@pytest.fixture
def le_forem():
    return PesFactory(slug="le-forem")


def test_the_places_taken_are_the_started_records_and_the_starts_figures(vdab, le_forem):
    cohort = CohortFactory()
    records = ParticipationFactory.create_batch(3, action=cohort, jobseeker__pes=vdab)
    ParticipationFactory(action=cohort, jobseeker__pes=vdab, status=ParticipationStatus.INTERESTED)
    split = FigureFactory(action=cohort, pes=le_forem, value=5)
    FigureFactory(action=cohort, pes=None, value=2)
    FigureFactory(action=cohort, pes=le_forem, metric=Metric.INTERESTED, value=9)
    assert cohort.places_taken() == 10
    assert cohort.places_taken(besides_record=records[0].pk) == 9
    assert cohort.places_taken(besides_figure=split.pk) == 5


def test_a_cohort_refuses_the_starts_beyond_its_twelve_places(vdab, django_assert_num_queries):
    cohort = CohortFactory()
    ParticipationFactory.create_batch(11, action=cohort, jobseeker__pes=vdab)
    assert cohort.places_refusal(1) is None
    assert cohort.places_refusal(2) == (
        "A guidance cohort takes at most 12 jobseekers; this one would have 13."
    )
    assert cohort.places_refusal(3, by_figure=True) == (
        "A guidance cohort takes at most 12 jobseekers; with this figure it would have 14."
    )
    # Counted once by the caller (the bulk import, for a whole file): no query per row.
    with django_assert_num_queries(0):
        assert cohort.places_refusal(1, taken=11) is None
        assert cohort.places_refusal(1, taken=12) is not None


def test_other_types_take_any_number_without_a_query(django_assert_num_queries):
    action = ActionFactory()
    with django_assert_num_queries(0):
        assert action.places_refusal(1000) is None


def test_one_form_per_action_pes_and_metric(vdab, le_forem):
    action = ActionFactory()
    ParticipationFactory(action=action, jobseeker__pes=vdab)
    FigureFactory(action=action, pes=le_forem, metric=Metric.STARTS, value=4)
    FigureFactory(action=action, pes=None, metric=Metric.STARTS, value=2)
    FigureFactory(action=action, pes=None, metric=Metric.EMPLOYERS, value=3)
    assert action.pes_with_records() == {vdab.pk}
    assert action.pes_with_figures() == {le_forem.pk}
    assert action.pes_with_figures(among=[vdab.pk]) == set()

    assert action.records_refusal(vdab) is None
    assert action.records_refusal(le_forem) == (
        "Le Forem already gave aggregate figures for this action; its jobseekers are counted "
        "from those. Delete the figures before adding individual records."
    )
    assert action.records_refusal(le_forem, pes_with_figures=set()) is None

    assert action.figures_refusal(le_forem, Metric.PLACEMENTS) is None
    assert action.figures_refusal(vdab, Metric.PLACEMENTS) == (
        "VDAB keeps individual participation records for this action; its placements are "
        "counted from them. Enter the figure without PES if it counts others."
    )
