"""Roles in the admin (projects/access.py): who sees and who changes what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Action, Figure
from participants.models import Jobseeker
from tests.factories import (
    ActionFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(vdab):
    """A project VDAB takes part in, with one action."""
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return ActionFactory(project=project, title="Our jobdating")


@pytest.fixture
def theirs(le_forem):
    """A project without VDAB."""
    project = ProjectFactory(slug="actemploi", lead_partner=le_forem)
    return ActionFactory(project=project, title="Their jobdating")


def _as(client, user):
    client.force_login(user)
    return client


def test_coordinator_sees_every_action_but_changes_only_its_projects(
    client, coordinator, ours, theirs
):
    _as(client, coordinator)

    listed = client.get(reverse("admin:actions_action_changelist"))
    assert {a.title for a in listed.context["cl"].result_list} == {
        "Our jobdating",
        "Their jobdating",
    }

    own_page = client.get(reverse("admin:actions_action_change", args=[ours.pk]))
    other_page = client.get(reverse("admin:actions_action_change", args=[theirs.pk]))
    assert own_page.context["has_change_permission"] is True
    assert other_page.status_code == 200
    assert other_page.context["has_change_permission"] is False  # read-only

    refused = client.post(
        reverse("admin:actions_action_change", args=[theirs.pk]), {"title_en": "Hijacked"}
    )
    assert refused.status_code == 403
    assert Action.objects.get(pk=theirs.pk).title == "Their jobdating"
    assert (
        client.post(
            reverse("admin:actions_action_delete", args=[theirs.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Action.objects.filter(pk=theirs.pk).exists()


def test_coordinator_cannot_add_an_action_to_another_project(client, coordinator, ours, theirs):
    _as(client, coordinator)

    response = client.post(
        reverse("admin:actions_action_add"),
        {
            "project": theirs.project_id,
            "action_type": "jobdating",
            "title_en": "Sneaked in",
            "status": "planned",
            "year": "2018",
            **{
                f"{p}-TOTAL_FORMS": "0"
                for p in ("figures", "employers", "job_offers", "participations")
            },
            **{
                f"{p}-INITIAL_FORMS": "0"
                for p in ("figures", "employers", "job_offers", "participations")
            },
        },
    )

    assert response.status_code == 200
    assert (
        "Choose a project your organisation takes part in; ask its coordinator for others."
        in response.content.decode()
    )
    assert not Action.objects.filter(title="Sneaked in").exists()


def test_coordinator_cannot_add_a_figure_to_another_projects_action(
    client, coordinator, vdab, theirs
):
    _as(client, coordinator)

    response = client.post(
        reverse("admin:actions_figure_add"),
        {"action": theirs.pk, "metric": "starts", "value": "3"},
    )

    assert (
        "Choose an action of a project your organisation takes part in."
        in response.content.decode()
    )
    assert not Figure.objects.exists()


def test_coordinator_gets_no_bulk_delete(client, coordinator, ours):
    _as(client, coordinator)
    response = client.get(reverse("admin:actions_action_changelist"))
    assert (
        "delete_selected" not in response.context["action_form"].fields["action"].choices.__str__()
    )


def test_programme_definitions_are_read_only_for_coordinators(client, coordinator):
    programme = ProgrammeFactory()
    _as(client, coordinator)
    page = client.get(reverse("admin:projects_programme_change", args=[programme.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False


def test_coordinator_edits_its_projects_only(client, coordinator, ours, theirs):
    _as(client, coordinator)
    own = client.get(reverse("admin:projects_project_change", args=[ours.project_id]))
    other = client.get(reverse("admin:projects_project_change", args=[theirs.project_id]))
    assert (own.context["has_change_permission"], other.context["has_change_permission"]) == (
        True,
        False,
    )


def test_coordinator_sees_only_its_own_pes_jobseekers(client, coordinator, vdab, le_forem, ours):
    zoe = JobseekerFactory(pes=vdab, given_name="Zoë")
    helene = JobseekerFactory(pes=le_forem, given_name="Hélène")
    ParticipationFactory(action=ours, jobseeker=zoe)
    ParticipationFactory(action=ours, jobseeker=helene)
    _as(client, coordinator)

    listed = client.get(reverse("admin:participants_jobseeker_changelist"))
    assert [j.given_name for j in listed.context["cl"].result_list] == ["Zoë"]
    other = client.get(reverse("admin:participants_jobseeker_change", args=[helene.pk]))
    assert other.status_code == 302  # "doesn't exist": the admin does not say it is there
    participations = client.get(reverse("admin:participants_participation_changelist"))
    assert [p.jobseeker.given_name for p in participations.context["cl"].result_list] == ["Zoë"]
    # The action page lists only its own PES's participants.
    action_page = client.get(reverse("admin:actions_action_change", args=[ours.pk]))
    inline = next(
        f
        for f in action_page.context["inline_admin_formsets"]
        if f.opts.model._meta.model_name == "participation"
    )
    assert [form.instance.jobseeker.given_name for form in inline.formset.forms] == ["Zoë"]


def test_coordinator_cannot_add_a_jobseeker_of_another_pes(client, coordinator, le_forem):
    _as(client, coordinator)

    response = client.post(
        reverse("admin:participants_jobseeker_add"),
        {
            "pes": le_forem.pk,
            "external_ref": "LF-1",
            "gender": "not_given",
            "participations-TOTAL_FORMS": "0",
            "participations-INITIAL_FORMS": "0",
        },
    )

    assert (
        "Choose your own PES: other PES record their own jobseekers." in response.content.decode()
    )
    assert not Jobseeker.objects.exists()


def test_managers_and_partners_are_not_staff_and_stay_out(client, manager, partner_vdab):
    for user in (manager, partner_vdab):
        _as(client, user)
        response = client.get(reverse("admin:actions_action_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_manager_made_staff_only_reads_and_sees_no_personal_data(client, manager, ours):
    manager.is_staff = True
    manager.save()
    _as(client, manager)

    assert client.get(reverse("admin:actions_action_changelist")).status_code == 200
    page = client.get(reverse("admin:actions_action_change", args=[ours.pk]))
    assert page.context["has_change_permission"] is False
    assert client.get(reverse("admin:participants_jobseeker_changelist")).status_code == 403


def test_a_partner_made_staff_reads_programme_data_and_its_own_jobseekers(
    client, partner_le_forem, vdab, le_forem, ours
):
    partner_le_forem.is_staff = True
    partner_le_forem.save()
    JobseekerFactory(pes=vdab)
    JobseekerFactory(pes=le_forem, given_name="Hélène")
    _as(client, partner_le_forem)

    page = client.get(reverse("admin:actions_action_change", args=[ours.pk]))
    assert page.context["has_change_permission"] is False
    listed = client.get(reverse("admin:participants_jobseeker_changelist"))
    assert [j.given_name for j in listed.context["cl"].result_list] == ["Hélène"]


def test_a_staff_user_without_a_role_sees_nothing(client, stranger, ours):
    stranger.is_staff = True
    stranger.save()
    _as(client, stranger)
    assert client.get(reverse("admin:actions_action_changelist")).status_code == 403
    assert client.get(reverse("admin:participants_jobseeker_changelist")).status_code == 403


def test_the_audit_trail_of_another_pes_jobseeker_stays_closed(client, coordinator, le_forem):
    helene = JobseekerFactory(pes=le_forem, given_name="Hélène")
    version = helene.history.get()
    _as(client, coordinator)

    history = client.get(reverse("admin:participants_jobseeker_history", args=[helene.pk]))
    old_version = client.get(
        reverse("admin:participants_jobseeker_simple_history", args=[helene.pk, version.history_id])
    )

    assert (history.status_code, old_version.status_code) == (403, 403)
    assert "Hélène" not in history.content.decode() + old_version.content.decode()


def test_the_audit_trail_of_its_own_jobseeker_is_open(client, coordinator, vdab):
    zoe = JobseekerFactory(pes=vdab, given_name="Zoë")
    _as(client, coordinator)

    history = client.get(reverse("admin:participants_jobseeker_history", args=[zoe.pk]))

    assert history.status_code == 200
