"""Deleting what the reports count, in the admin: never in bulk, one record at a time with a
reason that the record's history keeps."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Action, Figure
from participants.models import Jobseeker, Participation
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

COUNTED = [
    "participants_jobseeker",
    "participants_participation",
    "actions_figure",
    "actions_action",
]


@pytest.fixture
def superuser(db: None):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def ours(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return ActionFactory(project=project, title="Our jobdating")


@pytest.mark.parametrize("user", ["superuser", "coordinator"])
@pytest.mark.parametrize("model", COUNTED)
def test_no_bulk_delete_is_offered(client, request, ours, user, model):
    client.force_login(request.getfixturevalue(user))
    page = client.get(reverse(f"admin:{model}_changelist"))
    assert page.status_code == 200
    form = page.context["action_form"]  # None: no action at all
    offered = [] if form is None else [name for name, _l in form.fields["action"].choices]
    assert "delete_selected" not in offered


def test_the_bulk_delete_cannot_be_posted_either(client, superuser, vdab):
    records = ParticipationFactory.create_batch(2, jobseeker__pes=vdab)
    client.force_login(superuser)
    client.post(
        reverse("admin:participants_participation_changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in records], "post": "yes"},
    )
    assert Participation.objects.count() == 2


def test_a_delete_without_a_reason_is_refused(client, coordinator, ours, vdab):
    figure = FigureFactory(action=ours, pes=vdab, value=7)
    client.force_login(coordinator)
    url = reverse("admin:actions_figure_delete", args=[figure.pk])

    page = client.get(url)
    refused = client.post(url, {"post": "yes", "reason": "  "})

    assert 'name="reason"' in page.content.decode()
    assert refused.status_code == 200
    assert refused.context["reason_form"].errors == {"reason": ["This field is required."]}
    assert Figure.objects.filter(pk=figure.pk).exists()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_confirmation_page_speaks_djangos_words(client, coordinator, ours, vdab, language):
    figure = FigureFactory(action=ours, pes=vdab)
    client.force_login(coordinator)
    page = client.get(
        reverse("admin:actions_figure_delete", args=[figure.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    expected = {"en": "Yes, I\u2019m sure", "fr": "Oui, je suis sûr"}[language]
    assert expected in page.content.decode()


def _last_history(model, pk):
    return model.history.filter(id=pk).order_by("-history_id").first()


def test_a_figure_deleted_with_a_reason_keeps_it_in_its_history(client, coordinator, ours, vdab):
    figure = FigureFactory(action=ours, pes=vdab, value=7)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:actions_figure_delete", args=[figure.pk]),
        {"post": "yes", "reason": "Entered twice"},
    )

    assert response.status_code == 302
    assert not Figure.objects.filter(pk=figure.pk).exists()
    record = _last_history(Figure, figure.pk)
    assert (record.history_type, record.history_change_reason, record.history_user) == (
        "-",
        "Entered twice",
        coordinator,
    )


def test_a_participation_deleted_with_a_reason_keeps_it_in_its_history(
    client, coordinator, ours, vdab
):
    participation = ParticipationFactory(action=ours, jobseeker=JobseekerFactory(pes=vdab))
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:participants_participation_delete", args=[participation.pk]),
        {"post": "yes", "reason": "Wrong jobseeker"},
    )

    assert response.status_code == 302
    record = _last_history(Participation, participation.pk)
    assert (record.history_type, record.history_change_reason) == ("-", "Wrong jobseeker")


def test_another_pes_participation_cannot_be_deleted(client, coordinator, ours, le_forem):
    participation = ParticipationFactory(action=ours, jobseeker=JobseekerFactory(pes=le_forem))
    client.force_login(coordinator)
    client.post(
        reverse("admin:participants_participation_delete", args=[participation.pk]),
        {"post": "yes", "reason": "Not ours"},
    )
    assert Participation.objects.filter(pk=participation.pk).exists()


def test_a_jobseeker_and_an_action_are_deleted_with_a_reason(client, superuser, ours, vdab):
    jobseeker = JobseekerFactory(pes=vdab)
    client.force_login(superuser)

    client.post(
        reverse("admin:participants_jobseeker_delete", args=[jobseeker.pk]),
        {"post": "yes", "reason": "Registered twice"},
    )
    client.post(
        reverse("admin:actions_action_delete", args=[ours.pk]),
        {"post": "yes", "reason": "Never took place"},
    )

    assert not Jobseeker.objects.filter(pk=jobseeker.pk).exists()
    assert not Action.objects.filter(pk=ours.pk).exists()
    assert _last_history(Jobseeker, jobseeker.pk).history_change_reason == "Registered twice"
    assert _last_history(Action, ours.pk).history_change_reason == "Never took place"


def test_a_reason_longer_than_the_history_keeps_is_refused(client, coordinator, ours, vdab):
    figure = FigureFactory(action=ours, pes=vdab)
    client.force_login(coordinator)
    refused = client.post(
        reverse("admin:actions_figure_delete", args=[figure.pk]),
        {"post": "yes", "reason": "x" * 101},
    )
    assert refused.status_code == 200
    assert Figure.objects.filter(pk=figure.pk).exists()


# Rows deleted on the action's page.


def _value(value):
    if isinstance(value, list):
        return [getattr(v, "pk", v) for v in value]
    return getattr(value, "pk", value)


def _form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[form.add_prefix(name)] = _value(value)
    return data


def _action_page_data(client, url: str) -> dict:
    """The action's page as it comes, every inline row included."""
    page = client.get(url)
    data = _form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
                f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
            }
        )
        for form in formset.forms:
            data.update(_form_data(form))
    return data


@pytest.mark.parametrize("prefix", ["figures", "participations"])
def test_a_row_deleted_on_the_action_page_names_its_reason(client, coordinator, ours, vdab, prefix):
    if prefix == "figures":
        model, obj = Figure, FigureFactory(action=ours, pes=vdab, value=2)
    else:
        model, obj = Participation, ParticipationFactory(action=ours, jobseeker__pes=vdab)
    client.force_login(coordinator)
    url = reverse("admin:actions_action_change", args=[ours.pk])
    data = {**_action_page_data(client, url), f"{prefix}-0-DELETE": "on"}

    refused = client.post(url, data)
    deleted = client.post(url, {**data, f"{prefix}-0-deletion_reason": "Entered twice"})

    assert refused.status_code == 200
    assert "Give the reason for deleting each row marked for deletion." in refused.content.decode()
    assert deleted.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    record = _last_history(model, obj.pk)
    assert (record.history_type, record.history_change_reason, record.history_user) == (
        "-",
        "Entered twice",
        coordinator,
    )


def test_the_reason_column_is_only_for_who_may_delete(client, coordinator, le_forem, vdab):
    theirs = ActionFactory(project=ProjectFactory(slug="actemploi", lead_partner=le_forem))
    FigureFactory(action=theirs, pes=le_forem)
    client.force_login(coordinator)
    page = client.get(reverse("admin:actions_action_change", args=[theirs.pk]))
    assert page.status_code == 200
    assert "deletion_reason" not in page.content.decode()
