"""An action's admin page lists its participants (the jobseekers' names): recorded in the read
audit with the participants the user may see, and nothing when it shows none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crossborder.audit.models import ReadKind
from tests.audit.conftest import recorded
from tests.conftest import _user_with_role
from tests.factories import (
    ActionFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(vdab, le_forem):
    project = ProjectFactory()
    ProjectPartnerFactory(project=project, organisation=vdab)
    return ActionFactory(project=project)


def test_the_participants_shown_on_an_action_page_are_recorded(
    client, coordinator, action, jobseekers, le_forem
):
    for jobseeker in jobseekers[:2]:
        ParticipationFactory(action=action, jobseeker=jobseeker)
    ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=le_forem))
    client.force_login(coordinator)
    url = reverse("admin:actions_action_change", args=[action.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert recorded() == [
        ("coordinator-vdab", ReadKind.ADMIN_CHANGE, url, sorted(j.pk for j in jobseekers[:2]))
    ]


def test_an_action_page_without_participants_shown_records_nothing(
    client, coordinator, vdab, action, jobseekers
):
    ParticipationFactory(action=ActionFactory(project=action.project), jobseeker=jobseekers[0])
    manager = _user_with_role("manager", vdab, username="staff-manager", is_staff=True)
    ParticipationFactory(action=action, jobseeker=jobseekers[1])

    client.force_login(coordinator)
    empty = ActionFactory(project=action.project)
    assert client.get(reverse("admin:actions_action_change", args=[empty.pk])).status_code == 200
    # A manager sees the action but not its participants.
    client.force_login(manager)
    assert client.get(reverse("admin:actions_action_change", args=[action.pk])).status_code == 200

    assert recorded() == []


def test_an_action_deletion_page_records_the_participants_it_names(
    client, coordinator, action, jobseekers
):
    for jobseeker in jobseekers[:2]:
        ParticipationFactory(action=action, jobseeker=jobseeker)
    client.force_login(coordinator)
    url = reverse("admin:actions_action_delete", args=[action.pk])

    response = client.get(url)

    assert "Aerts" in response.content.decode()
    assert recorded() == [
        ("coordinator-vdab", ReadKind.ADMIN_DELETE, url, sorted(j.pk for j in jobseekers[:2]))
    ]


def test_an_action_deletion_page_naming_no_one_records_nothing(
    client, coordinator, action, jobseekers, le_forem
):
    ParticipationFactory(action=action, jobseeker=jobseekers[0])
    # Another PES's record: the coordinator may not delete it, so Django names only its kind.
    ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=le_forem))
    client.force_login(coordinator)

    response = client.get(reverse("admin:actions_action_delete", args=[action.pk]))

    assert response.status_code == 200
    assert "Aerts" not in response.content.decode()
    assert recorded() == []
