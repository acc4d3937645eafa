from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from projects import access
from projects.models import PartnerRole
from tests.factories import (
    ActionFactory,
    JobseekerFactory,
    ParticipationFactory,
    PesFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(vdab, le_forem):
    ours = JobseekerFactory(pes=vdab)
    theirs = JobseekerFactory(pes=le_forem)
    return ours, theirs


def test_partner_sees_only_its_own_pes_jobseekers(partner_vdab, people):
    ours, _theirs = people
    assert list(access.jobseekers_for(partner_vdab)) == [ours]
    assert access.can_write_personal_data(partner_vdab)


def test_coordinator_sees_its_own_pes_jobseekers(coordinator, people):
    assert list(access.jobseekers_for(coordinator)) == [people[0]]


def test_manager_and_stranger_see_no_personal_data(manager, stranger, people):
    for user in (manager, stranger, AnonymousUser()):
        assert not access.jobseekers_for(user).exists()
        assert not access.can_read_personal_data(user)
    assert access.can_read_programme(manager)
    assert not access.can_read_programme(stranger)


def test_superuser_sees_everyone(people):
    root = UserFactory(username="root", is_superuser=True)
    assert access.jobseekers_for(root).count() == 2


def test_participations_follow_the_jobseekers_pes(partner_le_forem, le_forem, vdab):
    theirs = ParticipationFactory(jobseeker=JobseekerFactory(pes=le_forem))
    ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    assert list(access.participations_for(partner_le_forem)) == [theirs]


def test_coordinator_edits_only_projects_its_organisation_takes_part_in(coordinator, vdab):
    ours = ProjectFactory()
    ProjectPartnerFactory(project=ours, organisation=vdab, role=PartnerRole.PARTNER)
    led = ProjectFactory(lead_partner=vdab)
    other = ProjectFactory()
    assert set(access.projects_editable_by(coordinator)) == {ours, led}
    ActionFactory(project=other)
    mine = ActionFactory(project=ours)
    assert list(access.actions_editable_by(coordinator)) == [mine]


def test_partner_and_manager_edit_no_project(partner_vdab, manager, vdab):
    ProjectFactory(lead_partner=vdab)
    assert not access.projects_editable_by(partner_vdab).exists()
    assert not access.projects_editable_by(manager).exists()
    assert PesFactory(slug="vdab") == vdab
