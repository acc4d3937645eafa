"""The audit trail tells: an action's history names the rows added, changed or removed on its
page, a change reason shows when one was given, and "None" never shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Figure
from crossborder.core.metrics import Metric
from participants.models import Participation
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def action(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return ActionFactory(project=project, title="Jobdating Menen")


def _page_data(client, url: str) -> dict:
    """The action's change page as it is filled in: its form and every row of its inlines."""
    context = client.get(url).context
    form = context["adminform"].form
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [getattr(v, "pk", v) for v in value] if isinstance(value, list) else value
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.initial_form_count())
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for row in formset.initial_forms:
            for name in row.fields:
                value = row[name].value()
                if value is not None and value is not False:
                    data[row.add_prefix(name)] = value
    return data


def _save(client, action, change) -> None:
    url = reverse("admin:actions_action_change", args=[action.pk])
    data = _page_data(client, url)
    change(data)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors or [
        inline.formset.errors for inline in response.context["inline_admin_formsets"]
    ]


def _reasons(action) -> list[str | None]:
    return [entry.history_change_reason for entry in action.history.order_by("history_id")]


def _add_figure(data: dict, pes, value: int) -> None:
    index = int(data["figures-TOTAL_FORMS"])
    data["figures-TOTAL_FORMS"] = str(index + 1)
    data[f"figures-{index}-metric"] = Metric.STARTS
    data[f"figures-{index}-pes"] = pes.pk
    data[f"figures-{index}-value"] = str(value)


def test_a_figure_added_changed_and_removed_inline_is_told_on_the_action(
    superuser_client, action, vdab
):
    _save(superuser_client, action, lambda data: _add_figure(data, vdab, 12))
    figure = Figure.objects.get(action=action)
    _save(superuser_client, action, lambda data: data.update({"figures-0-value": "14"}))
    _save(
        superuser_client,
        action,
        lambda data: data.update({"figures-0-DELETE": "on", "figures-0-deletion_reason": "typo"}),
    )

    shown = str(figure.pes)
    assert _reasons(action) == [
        None,
        f"Figure “starts {shown}: 12” added",
        f"Figure “starts {shown}: 14”: Value 12 → 14",
        f"Figure “starts {shown}: 14” removed (reason: typo)",
    ]
    page = superuser_client.get(
        reverse("admin:actions_action_history", args=[action.pk])
    ).content.decode()
    assert f"Figure “starts {shown}: 14” removed (reason: typo)" in page
    assert "None" not in page


def test_a_save_that_changes_no_row_gives_no_reason(superuser_client, action):
    _save(superuser_client, action, lambda data: data.update({"place": "Menen"}))

    assert _reasons(action) == [None, None]
    page = superuser_client.get(
        reverse("admin:actions_action_history", args=[action.pk])
    ).content.decode()
    assert "None" not in page


def test_several_rows_in_one_save_are_each_told(superuser_client, action, vdab, le_forem):
    FigureFactory(action=action, metric=Metric.STARTS, pes=vdab, value=3)

    def change(data: dict) -> None:
        data["figures-0-value"] = "5"
        _add_figure(data, le_forem, 7)

    _save(superuser_client, action, change)

    assert _reasons(action)[-1] == (
        f"Figure “starts {vdab}: 5”: Value 3 → 5\nFigure “starts {le_forem}: 7” added"
    )


def test_a_participation_record_is_told_by_its_number_never_by_the_jobseeker_s_name(
    superuser_client, action, vdab
):
    jobseeker = JobseekerFactory(pes=vdab, given_name="Anna", family_name="Peeters")

    def add(data: dict) -> None:
        data["participations-TOTAL_FORMS"] = "1"
        data["participations-0-jobseeker"] = jobseeker.pk
        data["participations-0-status"] = "started"

    _save(superuser_client, action, add)

    record = Participation.objects.get(action=action)
    assert _reasons(action)[-1] == f"Participation #{record.pk} added"
    page = superuser_client.get(
        reverse("admin:actions_action_history", args=[action.pk])
    ).content.decode()
    assert "Peeters" not in page


def test_a_reason_given_on_a_record_s_own_delete_page_shows_in_its_history(
    superuser_client, action, vdab
):
    figure = FigureFactory(action=action, metric=Metric.STARTS, pes=vdab, value=3)
    response = superuser_client.post(
        reverse("admin:actions_figure_delete", args=[figure.pk]),
        {"post": "yes", "reason": "entered twice"},
    )
    assert response.status_code == 302

    entries = Figure.history.filter(id=figure.pk).order_by("history_id")
    assert [(e.history_type, e.history_change_reason) for e in entries] == [
        ("+", None),
        ("-", "entered twice"),
    ]
