"""Dates as people write them: day first in nl, fr and en (21/12/2018), ISO accepted too; an
action's year follows its start date in the admin and is asked only without any date."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, translation

from actions.models import Action
from crossborder.core.vocabulary import ActionStatus, ActionType
from reports.filters import ActionFilterSet
from tests.factories import ActionFactory, ProjectFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "nl", "fr")


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


def _add_form_data(client, language: str, **values: str) -> dict:
    """The admin's add form as the page fills it, with no inline rows, and these values."""
    url = reverse("admin:actions_action_add")
    form = client.get(url, HTTP_ACCEPT_LANGUAGE=language).context["adminform"].form
    data: dict = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None:
            data[name] = value
    for prefix in ("figures", "employers", "job_offers", "participations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(values)
    return data


def _add(client, language: str, **values: str):
    project = ProjectFactory(slug=f"p-{language}-{len(values)}-{Action.objects.count()}")
    data = _add_form_data(
        client,
        language,
        project=str(project.pk),
        action_type=ActionType.JOBDATING,
        status=ActionStatus.PLANNED,
        title_en="Jobdating Menen",
        **values,
    )
    return client.post(reverse("admin:actions_action_add"), data, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_adds_an_action_with_only_a_day_first_start_date(superuser_client, language):
    response = _add(superuser_client, language, start_date="21/12/2018")

    assert response.status_code == 302, response.context["adminform"].form.errors
    action = Action.objects.get()
    assert (action.start_date, action.year, action.semester) == (
        datetime.date(2018, 12, 21),
        2018,
        "2018-S2",
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_accepts_an_iso_start_date(superuser_client, language):
    response = _add(superuser_client, language, start_date="2018-12-21")

    assert response.status_code == 302
    assert Action.objects.get().start_date == datetime.date(2018, 12, 21)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Give the year of an action without a start date, or its start date."),
        ("nl", None),
        ("fr", None),
    ],
)
def test_without_any_date_the_year_is_asked_with_a_clear_message(
    superuser_client, language, message
):
    response = _add(superuser_client, language)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["year"]
    if message:
        assert errors["year"] == [message]
    assert not Action.objects.exists()


def test_without_a_date_the_year_given_is_kept(superuser_client):
    response = _add(superuser_client, "en", year="2019", semester="2019-S1")

    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.start_date, action.year, action.semester) == (None, 2019, "2019-S1")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_impossible_date_is_refused_naming_the_field(superuser_client, language):
    response = _add(superuser_client, language, start_date="31/02/2018")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["start_date"]
    assert not Action.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_shows_a_start_date_day_first(superuser_client, language):
    action = ActionFactory(start_date=datetime.date(2018, 12, 21))

    page = superuser_client.get(
        reverse("admin:actions_action_change", args=[action.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert 'name="start_date" value="21/12/2018"' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_reads_and_writes_dates_day_first(language):
    with translation.override(language):
        assert formats.date_format(datetime.date(2018, 4, 13), "SHORT_DATE_FORMAT") == "13/04/2018"
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"
        for written in ("13/04/2018", "2018-04-13", "13-04-2018", "13.04.2018"):
            filters = ActionFilterSet({"date_from": written}, queryset=Action.objects.none())
            assert filters.is_valid(), (written, filters.errors)
            assert filters.form.cleaned_data["date_from"] == datetime.date(2018, 4, 13)
        refused = ActionFilterSet({"date_from": "04/13/2018"}, queryset=Action.objects.none())
        assert not refused.is_valid()
        assert list(refused.errors) == ["date_from"]


@pytest.mark.parametrize(
    ("language", "long"),
    [("en", "13 April 2018"), ("nl", "13 april 2018"), ("fr", "13 avril 2018")],
)
def test_pages_show_dates_day_first(client, manager, language, long):
    client.force_login(manager)
    action = ActionFactory(
        start_date=datetime.date(2018, 4, 13), end_date=datetime.date(2018, 4, 13)
    )

    listing = client.get(
        reverse("reports:action-list"), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    detail = client.get(
        reverse("reports:action-detail", args=[action.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert "13/04/2018" in listing
    assert "04/13/2018" not in listing
    assert "13/04/2018" in detail or long in detail
    assert "04/13/2018" not in detail
