"""The services that write actions: the API, the admin and the demo call them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from actions.models import Action
from actions.services import action_complete, action_copy, action_create, action_update
from crossborder.core.vocabulary import ActionStatus, ActionType
from tests.factories import (
    ActionFactory,
    OfficeFactory,
    OrganisationFactory,
    ProjectFactory,
    WorkPackageFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_an_action_created_takes_its_period_from_its_start_and_its_relations():
    office, organiser = OfficeFactory(), OrganisationFactory()
    action = action_create(
        project=ProjectFactory(),
        action_type=ActionType.JOBDATING,
        title_en="Jobdating Kortrijk",
        start_date=D(2018, 9, 20),
        offices=[office],
        organisers=[organiser],
    )
    action = Action.objects.get(pk=action.pk)
    assert (action.year, action.semester, action.status) == (2018, "2018-S2", "planned")
    assert list(action.offices.all()) == [office]
    assert list(action.organisers.all()) == [organiser]


def test_an_update_changes_what_it_is_given_and_leaves_the_rest():
    office = OfficeFactory()
    action = action_create(
        project=ProjectFactory(), action_type=ActionType.JOBDATING, title_en="A", year=2018
    )
    action_update(action=action, offices=[office])
    action_update(action=action, place="Tournai", start_date=D(2019, 3, 1))
    action = Action.objects.get(pk=action.pk)
    assert (action.place, action.year, action.semester) == ("Tournai", 2019, "2019-S1")
    assert list(action.offices.all()) == [office]


def test_an_update_keeps_the_models_rules():
    action = ActionFactory()
    with pytest.raises(ValidationError) as refused:
        action_update(action=action, status=ActionStatus.CANCELLED)
    assert refused.value.message_dict == {
        "cancellation_reason": ["Required for a cancelled action: say why."]
    }
    assert Action.objects.get(pk=action.pk).status == ActionStatus.COMPLETED


def test_the_services_refuse_what_is_not_a_field_of_an_action():
    with pytest.raises(TypeError, match="not a field of an action: colour"):
        action_create(project=ProjectFactory(), colour="red")


def test_completing_an_action_checks_it_and_leaves_a_completed_one_alone():
    ongoing = ActionFactory(status=ActionStatus.ONGOING)
    assert action_complete(action=ongoing).status == ActionStatus.COMPLETED
    assert Action.objects.get(pk=ongoing.pk).status == ActionStatus.COMPLETED
    updated_at = Action.objects.get(pk=ongoing.pk).updated_at
    action_complete(action=Action.objects.get(pk=ongoing.pk))
    assert Action.objects.get(pk=ongoing.pk).updated_at == updated_at

    # Written without the rules (a factory saves directly): the service refuses it.
    misfiled = ActionFactory(status=ActionStatus.ONGOING, work_package=WorkPackageFactory())
    with pytest.raises(ValidationError):
        action_complete(action=misfiled)
    assert Action.objects.get(pk=misfiled.pk).status == ActionStatus.ONGOING


def test_a_copy_is_planned_without_the_reason_or_expected_outcomes_in_any_language():
    teacher, tester = OrganisationFactory(), OrganisationFactory()
    action = ActionFactory(
        action_type=ActionType.TRAINING,
        status=ActionStatus.CANCELLED,
        start_date=D(2017, 3, 1),
        end_date=D(2017, 3, 14),
        cancellation_reason_en="Too few candidates.",
        cancellation_reason_nl="Te weinig kandidaten.",
        cancellation_reason_fr="Trop peu de candidats.",
        outcomes_expected_on=D(2018, 1, 1),
        outcomes_note_en="outflow expected early 2018",
        outcomes_note_nl="uitstroom verwacht begin 2018",
        workshops=4,
    )
    action.taught_by.add(teacher)
    action.tested_by.add(tester)

    copy = Action.objects.get(pk=action_copy(action=action, start_date=D(2019, 5, 6)).pk)

    assert copy.pk != action.pk and copy.reference != action.reference
    assert (copy.status, copy.start_date, copy.end_date) == (
        "planned",
        D(2019, 5, 6),
        D(2019, 5, 19),
    )
    assert [
        copy.cancellation_reason_en,
        copy.cancellation_reason_nl,
        copy.cancellation_reason_fr,
    ] == [
        "",
        "",
        "",
    ]
    assert (copy.outcomes_expected_on, copy.outcomes_note_en, copy.outcomes_note_nl) == (
        None,
        "",
        "",
    )
    assert copy.workshops == 4
    assert list(copy.taught_by.all()) == [teacher]
    assert list(copy.tested_by.all()) == [tester]
