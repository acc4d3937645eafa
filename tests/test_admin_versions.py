"""The admin refuses a stale save: the change forms of actions, figures, jobseekers and
participation records (and an action's rows of figures and records) carry the version they were
opened with; a save over a newer version is refused, naming who changed the record and when, and
the user's input stays in the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x")


@pytest.fixture
def other(db):
    """The user who changes the record while the first has its form open."""
    return get_user_model().objects.create_superuser("marie", "marie@example.org", "x")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [getattr(item, "pk", item) for item in value]
    return getattr(value, "pk", value)


def form_data(response) -> dict[str, Any]:
    """What the change page would send back as it is: its form's and its inline rows' values."""
    forms = [response.context["adminform"].form]
    data: dict[str, Any] = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        count = str(formset.initial_form_count())
        data[formset.management_form.add_prefix("TOTAL_FORMS")] = count
        data[formset.management_form.add_prefix("INITIAL_FORMS")] = count
        forms.extend(formset.initial_forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if callable(value):
                value = value()
            if value is None or name == "DELETE":
                continue
            data[form.add_prefix(name)] = _value(value)
    return data


def _changed_by(record, user, **values) -> None:
    """Another user's change of the record, saved through its own admin page."""
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    client = client_of(user)
    data = {**form_data(client.get(url)), **values}
    assert client.post(url, data).status_code == 302


def _stale_message(record, user) -> str:
    latest = record.history.order_by("-history_date").first()
    when = date_format(timezone.localtime(latest.history_date), "DATETIME_FORMAT")
    return (
        f"{user} changed this record ({when}) after you opened it. Your input is kept below: "
        "open the record in another tab to see their change, then save again to replace it "
        "with yours."
    )


# Each admin: the record, the field the first user changes and its new value, the field the
# other user changes meanwhile and its value.
CASES = {
    # The place is a text in every language: the form's fields are one per language.
    "action": ("actions_action", "place_en", "Dunkerque", {"place_en": "Ieper"}),
    "figure": ("actions_figure", "note", "counted twice", {"value": 5}),
    "jobseeker": ("participants_jobseeker", "family_name", "Claes", {"birth_year": 1985}),
    "participation": (
        "participants_participation",
        "placed_on",
        "2017-12-01",
        {"status": "completed", "completed_on": "2017-11-30"},
    ),
}


@pytest.fixture
def records(project, vdab):
    action = ActionFactory(project=project, place="Veurne")
    jobseeker = JobseekerFactory(pes=vdab, family_name="Peeters")
    return {
        "action": action,
        "figure": FigureFactory(action=ActionFactory(project=project), pes=vdab, value=3),
        "jobseeker": jobseeker,
        "participation": ParticipationFactory(
            action=ActionFactory(project=project), jobseeker=JobseekerFactory(pes=vdab)
        ),
    }


@pytest.mark.parametrize("kind", CASES)
def test_the_change_form_carries_the_version_it_was_opened_with(kind, records, superuser):
    record = records[kind]
    url = reverse(f"admin:{CASES[kind][0]}_change", args=[record.pk])
    page = client_of(superuser).get(url).content.decode()
    assert '<input type="hidden" name="based_on_version" value="1"' in page


@pytest.mark.parametrize("kind", CASES)
def test_a_save_over_a_newer_version_is_refused_naming_who_and_when(
    kind, records, superuser, other
):
    record = records[kind]
    admin_name, field, value, meanwhile = CASES[kind]
    url = reverse(f"admin:{admin_name}_change", args=[record.pk])
    client = client_of(superuser)
    data = form_data(client.get(url))
    data[field] = value

    _changed_by(record, other, **meanwhile)
    response = client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert _stale_message(record, "marie") in page
    # The user's input is kept in the form, and nothing of it was saved.
    assert response.context["adminform"].form.data[field] == value
    record.refresh_from_db()
    assert str(getattr(record, field) or "") != value
    assert record.version == 2
    for name, kept in meanwhile.items():
        assert str(getattr(record, name)) == str(kept)
    # The form now carries the current version: saved again, knowing, it replaces the change.
    assert '<input type="hidden" name="based_on_version" value="2"' in page
    data["based_on_version"] = 2
    assert client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert str(getattr(record, field)) == value
    assert record.version == 3


def test_a_save_on_the_current_version_moves_it(records, coordinator):
    action = records["action"]
    url = reverse("admin:actions_action_change", args=[action.pk])
    client = client_of(coordinator)
    data = form_data(client.get(url))
    # The place is a text in every language: the coordinator changes its English one.
    data["place_en"] = "Dunkerque"
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert (action.place, action.version) == ("Dunkerque", 2)
    # The same form again is based on version 1 now: refused.
    response = client.post(url, {**data, "place_en": "Lille"})
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.place == "Dunkerque"


def test_a_stale_figure_row_of_an_action_is_refused(records, coordinator, other, vdab):
    action = records["action"]
    figure = FigureFactory(action=action, pes=vdab, value=3)
    url = reverse("admin:actions_action_change", args=[action.pk])
    client = client_of(coordinator)
    data = form_data(client.get(url))
    data["figures-0-value"] = 4

    _changed_by(figure, other, value=5)
    response = client.post(url, data)

    assert response.status_code == 200
    assert "marie changed this record" in response.content.decode()
    figure.refresh_from_db()
    assert (figure.value, figure.version) == (5, 2)


def test_a_stale_row_left_as_it_was_is_refused_too(records, coordinator, other, vdab):
    """The page sends every row back as it was shown: saved, an untouched row of an older
    version would write its old values over the other user's change."""
    action = records["action"]
    figure = FigureFactory(action=action, pes=vdab, value=3)
    url = reverse("admin:actions_action_change", args=[action.pk])
    client = client_of(coordinator)
    data = form_data(client.get(url))
    data["place_en"] = "Dunkerque"

    _changed_by(figure, other, value=5)
    response = client.post(url, data)

    assert response.status_code == 200
    assert "marie changed this record" in response.content.decode()
    figure.refresh_from_db()
    action.refresh_from_db()
    assert (figure.value, action.place) == (5, "Veurne")


def test_a_new_record_starts_at_the_first_version(superuser, vdab):
    url = reverse("admin:participants_jobseeker_add")
    client = client_of(superuser)
    data = {**form_data(client.get(url)), "pes": vdab.pk, "external_ref": "vd-9"}
    assert client.post(url, data).status_code == 302
    created = vdab.jobseekers.get()
    assert (created.external_ref, created.version) == ("VD-9", 1)


def test_a_page_that_only_shows_the_record_carries_no_version(coordinator, vdab):
    """A coordinator reads another project's action and its figures: nothing to save there."""
    action = ActionFactory(project=ProjectFactory(slug="elsewhere"))
    FigureFactory(action=action, pes=vdab)
    response = client_of(coordinator).get(reverse("admin:actions_action_change", args=[action.pk]))
    assert response.status_code == 200
    assert "based_on_version" not in response.content.decode()
