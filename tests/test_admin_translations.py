"""Texts in three languages in the admin: the coordinator writes in their own language (a title
in any one language is enough), the languages of a text side by side, the translations still
missing listed on the page and filtered in the action list."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse

from actions.models import Action, JobOffer
from projects.models import Project
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INLINES = ("figures", "employers", "job_offers", "participations")
NO_TITLE = "Title: give it in at least one language."


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


def client_of(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def new_action(project, **texts) -> dict[str, object]:
    data: dict[str, object] = {
        "project": project.pk,
        "action_type": "jobdating",
        "status": "planned",
        "start_date": "28/11/2017",
        **texts,
    }
    for prefix in INLINES:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_an_action_titled_only_in_dutch_is_saved_and_shown_in_the_dutch_admin(coordinator, project):
    client = client_of(coordinator, "nl")
    response = client.post(
        reverse("admin:actions_action_add"), new_action(project, title_nl="Jobdating Veurne")
    )

    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.title_nl, action.title_en or "", action.title_fr or "") == (
        "Jobdating Veurne",
        "",
        "",
    )
    listing = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert "Jobdating Veurne" in listing


def test_an_action_titled_in_no_language_is_refused_with_the_message(coordinator, project):
    response = client_of(coordinator).post(
        reverse("admin:actions_action_add"), new_action(project, title_en="  ")
    )

    assert response.status_code == 200
    assert NO_TITLE in response.content.decode()
    assert not Action.objects.exists()


def test_no_language_is_required_over_the_others_in_the_form(coordinator, project):
    form = client_of(coordinator).get(reverse("admin:actions_action_add")).context["adminform"]
    assert [form.form.fields[f"title_{code}"].required for code in ("en", "nl", "fr")] == [
        False,
        False,
        False,
    ]


def test_the_languages_of_each_text_stand_side_by_side(coordinator, project):
    action = ActionFactory(project=project)
    response = client_of(coordinator).get(reverse("admin:actions_action_change", args=[action.pk]))
    lines = [tuple(line.fields) for fieldset in response.context["adminform"] for line in fieldset]
    assert ("title_en", "title_nl", "title_fr") in lines
    assert ("place_en", "place_nl", "place_fr") in lines
    assert ("outcomes_note_en", "outcomes_note_nl", "outcomes_note_fr") in lines
    names = {name for line in lines for name in line}
    for story_field in (
        "period_month",
        "workshops",
        "workshop_note_nl",
        "language_note_fr",
        "reviews_en",
        "taught_by",
        "tested_by",
        "presenters",
        "outcomes_expected_on",
    ):
        assert story_field in names


def test_the_missing_translations_line_lists_exactly_what_is_missing(coordinator, project):
    action = ActionFactory(
        project=project,
        title_en="Jobdating Veurne",
        title_nl="Jobdating Veurne",
        description_fr="Des stands avec des offres",
        place_en="Veurne",
    )
    page = (
        client_of(coordinator)
        .get(reverse("admin:actions_action_change", args=[action.pk]))
        .content.decode()
    )
    assert "Title: French; Description: English, Dutch; Place: Dutch, French" in page


def test_a_text_in_every_language_leaves_nothing_missing(coordinator, project):
    action = ActionFactory(project=project, title_en="Visit", title_nl="Bezoek", title_fr="Visite")
    admin = site._registry[Action]
    assert admin.missing_translations(action) == "none"


def test_the_action_list_filters_actions_missing_a_translation(coordinator, project):
    complete = ActionFactory(project=project, title_en="A", title_nl="A", title_fr="A")
    no_french = ActionFactory(project=project, title_en="B", title_nl="B", title_fr="")
    no_dutch_place = ActionFactory(
        project=project, title_en="C", title_nl="C", title_fr="C", place_fr="Lille"
    )
    client = client_of(coordinator)
    url = reverse("admin:actions_action_changelist")

    def listed(query: str) -> set[int]:
        return {row.pk for row in client.get(url + query).context["cl"].result_list}

    assert listed("") == {complete.pk, no_french.pk, no_dutch_place.pk}
    assert listed("?missing=fr") == {no_french.pk}
    assert listed("?missing=nl") == {no_dutch_place.pk}
    assert listed("?missing=any") == {no_french.pk, no_dutch_place.pk}
    assert listed("?missing=xx") == {complete.pk, no_french.pk, no_dutch_place.pk}


def test_the_employers_inline_takes_the_hires_and_how_soon(coordinator, project):
    action = ActionFactory(project=project)
    ActionEmployerFactory(action=action)
    response = client_of(coordinator).get(reverse("admin:actions_action_change", args=[action.pk]))
    employers = next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "employers"
    )
    assert list(employers.formset.forms[0].fields)[:4] == [
        "organisation",
        "vacancies",
        "hires",
        "hired_within_days",
    ]


def test_a_job_titled_in_french_only_is_saved_and_one_without_title_refused(coordinator, project):
    action = ActionFactory(project=project)
    url = reverse("admin:actions_joboffer_add")
    refused = client_of(coordinator).post(url, {"action": action.pk, "title_en": ""})
    assert "Job: give it in at least one language." in refused.content.decode()
    assert not JobOffer.objects.exists()
    client = client_of(coordinator, "fr")
    assert client.post(url, {"action": action.pk, "title_fr": "cariste"}).status_code == 302
    assert JobOffer.objects.get().title_fr == "cariste"


@pytest.fixture
def superuser_client(db):
    return client_of(UserFactory(username="root", is_staff=True, is_superuser=True))


def test_a_project_named_only_in_french_is_saved_and_one_unnamed_refused(superuser_client, project):
    url = reverse("admin:projects_project_add")
    data = {
        "slug": "actemploi",
        "programme": project.programme.pk,
        "starts_on": "01/01/2018",
        "state_note_fr": "Aucun demandeur d'emploi français n'a encore commencé.",
        **{
            f"{prefix}-{key}": "0"
            for prefix in ("memberships", "work_packages", "targets")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    refused = superuser_client.post(url, data)
    assert "Name: give it in at least one language." in refused.content.decode()
    assert superuser_client.post(url, {**data, "name_fr": "Act'emploi"}).status_code == 302
    created = Project.objects.get(slug="actemploi")
    page = superuser_client.get(
        reverse("admin:projects_project_change", args=[created.pk])
    ).content.decode()
    assert "Name: English, Dutch; State: English, Dutch" in page
    assert created.starts_on == datetime.date(2018, 1, 1)


@pytest.mark.parametrize("name", ["admin:actions_action_changelist", "admin:actions_action_add"])
def test_a_stranger_cannot_see_the_pages(stranger, name):
    response = client_of(stranger).get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_stranger_cannot_see_an_actions_page(stranger, project):
    action = ActionFactory(project=project)
    response = client_of(stranger).get(reverse("admin:actions_action_change", args=[action.pk]))
    assert response.status_code == 302


def test_staff_without_a_role_cannot_see_them_either(project):
    staff = UserFactory(username="staff-without-role", is_staff=True)
    assert not staff.groups.exists()
    action = ActionFactory(project=project)
    client = client_of(staff)
    assert client.get(reverse("admin:actions_action_change", args=[action.pk])).status_code == 403
    assert client.get(reverse("admin:actions_action_changelist")).status_code == 403
