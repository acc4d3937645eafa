"""Master data (organisations, programmes, indicators and targets, a project's partners and
identity) is changed by superusers only; a slug in use never changes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from crossborder.core.vocabulary import OrganisationKind
from projects.models import Indicator, Organisation, Programme, Project
from tests.factories import (
    IndicatorFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _no_inlines(*prefixes: str) -> dict[str, str]:
    return {
        f"{prefix}-{key}": value
        for prefix in prefixes
        for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
    }


@pytest.fixture
def superuser(db: None):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def staff_stranger(db: None):
    """Staff, but with no role: the admin lets it in, and shows it nothing."""
    return UserFactory(username="staff-stranger", is_staff=True)


@pytest.fixture
def ours(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen", name="Grenzeloos Tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


ORGANISATION_FORM = {
    "name": "Le Forem",
    "kind": OrganisationKind.PARTNER,
    "country": "BE",
    **_no_inlines("former_names", "offices"),
}


def test_a_coordinator_reads_an_organisation_but_cannot_change_its_kind(
    client, coordinator, le_forem
):
    client.force_login(coordinator)
    url = reverse("admin:projects_organisation_change", args=[le_forem.pk])

    page = client.get(url)
    refused = client.post(url, {**ORGANISATION_FORM, "slug": "le-forem"})

    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    assert refused.status_code == 403
    assert Organisation.objects.get(pk=le_forem.pk).kind == OrganisationKind.PES


def test_a_superuser_changes_an_organisation(client, superuser, le_forem):
    client.force_login(superuser)
    url = reverse("admin:projects_organisation_change", args=[le_forem.pk])

    response = client.post(url, {**ORGANISATION_FORM, "name": "Le Forem (Wallonie)"})

    assert response.status_code == 302
    assert Organisation.objects.get(pk=le_forem.pk).name == "Le Forem (Wallonie)"


def test_a_staff_user_without_a_role_does_not_see_organisations(client, staff_stranger, vdab):
    client.force_login(staff_stranger)
    url = reverse("admin:projects_organisation_change", args=[vdab.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {**ORGANISATION_FORM, "slug": "vdab"}).status_code == 403


def test_a_coordinator_cannot_add_an_organisation(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:projects_organisation_add"), {**ORGANISATION_FORM, "slug": "new-org"}
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(slug="new-org").exists()


@pytest.mark.parametrize(
    ("model", "factory", "form"),
    [
        (
            "programme",
            ProgrammeFactory,
            {
                "name_en": "Renamed",
                "name_fr": "",
                "name_nl": "",
                "starts_on": "2014-01-01",
                "ends_on": "2020-12-31",
            },
        ),
        (
            "indicator",
            IndicatorFactory,
            {
                "name_en": "Renamed",
                "name_fr": "",
                "name_nl": "",
                "unit": "participations",
                "rule": "metric",
                "source": "starts",
                "action_types": "[]",
            },
        ),
    ],
)
def test_programmes_and_indicators_are_changed_by_superusers_only(
    client, coordinator, superuser, staff_stranger, model, factory, form
):
    obj = factory()
    url = reverse(f"admin:projects_{model}_change", args=[obj.pk])
    form = {**form, "slug": obj.slug} if model == "programme" else {**form, "code": obj.code}

    client.force_login(coordinator)
    page = client.get(url)
    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    assert client.post(url, form).status_code == 403
    client.force_login(staff_stranger)
    assert client.get(url).status_code == 403
    client.force_login(superuser)
    assert client.post(url, form).status_code == 302

    assert type(obj).objects.get(pk=obj.pk).name == "Renamed"


def test_targets_and_partners_are_read_only_for_a_coordinator_of_the_project(
    client, coordinator, ours
):
    target = TargetFactory(project=ours)
    client.force_login(coordinator)

    page = client.get(reverse("admin:projects_target_change", args=[target.pk]))
    project_page = client.get(reverse("admin:projects_project_change", args=[ours.pk]))

    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    inlines = {
        formset.opts.model._meta.model_name: formset
        for formset in project_page.context["inline_admin_formsets"]
    }
    for name in ("target", "projectpartner"):
        assert inlines[name].has_add_permission is False
        assert inlines[name].has_change_permission is False
        assert inlines[name].has_delete_permission is False
    assert inlines["workpackage"].has_add_permission is True


PROJECT_FORM = {
    "name_en": "Grenzeloos Tewerkstellen",
    "name_fr": "",
    "name_nl": "",
    "summary_en": "New summary",
    "summary_fr": "",
    "summary_nl": "",
    **_no_inlines("memberships", "work_packages", "targets"),
}


def test_a_coordinator_changes_its_projects_summary_not_its_identity(client, coordinator, ours):
    client.force_login(coordinator)
    url = reverse("admin:projects_project_change", args=[ours.pk])

    page = client.get(url)
    response = client.post(
        url,
        {
            **PROJECT_FORM,
            "slug": "hijacked",
            "name_en": "Hijacked",
            "programme": ours.programme_id,
            "starts_on": "2010-01-01",
        },
    )

    assert {"slug", "name_en", "programme", "lead_partner", "starts_on", "ends_on"} <= set(
        page.context["adminform"].readonly_fields
    )
    assert response.status_code == 302
    project = Project.objects.get(pk=ours.pk)
    assert (project.slug, project.name, project.starts_on, project.summary) == (
        "grenzeloos-tewerkstellen",
        "Grenzeloos Tewerkstellen",
        ours.starts_on,
        "New summary",
    )


def test_a_coordinator_cannot_add_or_delete_a_project(client, coordinator, ours):
    client.force_login(coordinator)
    assert client.get(reverse("admin:projects_project_add")).status_code == 403
    delete = client.post(
        reverse("admin:projects_project_delete", args=[ours.pk]), {"post": "yes", "reason": "x"}
    )
    assert delete.status_code == 403
    assert Project.objects.filter(pk=ours.pk).exists()


def test_a_superuser_changes_a_projects_name_but_not_its_slug(client, superuser, ours):
    client.force_login(superuser)
    url = reverse("admin:projects_project_change", args=[ours.pk])

    page = client.get(url)
    response = client.post(
        url,
        {
            **PROJECT_FORM,
            "slug": "renamed",
            "name_en": "Renamed",
            "programme": ours.programme_id,
        },
    )

    assert "slug" in page.context["adminform"].readonly_fields
    assert response.status_code == 302
    assert Project.objects.filter(pk=ours.pk).values_list("slug", "name").get() == (
        "grenzeloos-tewerkstellen",
        "Renamed",
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: ProgrammeFactory(),
        lambda: OrganisationFactory(slug="koraton"),
        lambda: ProjectFactory(slug="grenzeloos-tewerkstellen"),
    ],
    ids=["programme", "organisation", "project"],
)
def test_a_slug_in_use_never_changes(make):
    obj = make()
    obj.full_clean()
    obj.slug = "another-slug"

    with pytest.raises(ValidationError) as refused:
        obj.full_clean()

    assert refused.value.message_dict == {
        "slug": ["A slug in use cannot change: links and other systems name the record by it."]
    }


def test_a_new_record_takes_any_free_slug():
    Programme(
        slug="interreg-vi",
        name="Interreg VI",
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
    ).full_clean()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/api/v1/organisations/le-forem/", {"kind": "partner"}),
        ("/api/v1/programmes/interreg-v-fwvl/", {"slug": "renamed"}),
        ("/api/v1/indicators/RCO81/", {"name": "Renamed"}),
        ("/api/v1/projects/grenzeloos-tewerkstellen/", {"slug": "renamed"}),
    ],
)
def test_the_api_changes_no_master_data(
    coordinator, manager, superuser, le_forem, ours, path, data
):
    """The endpoints of master data are read-only: a coordinator's and even a superuser's
    change is refused as a method not offered (405), a manager's as a write it may not make."""
    IndicatorFactory()
    answers = []
    for user in (coordinator, superuser, manager):
        api = APIClient()
        api.force_authenticate(user)
        answers.append(api.patch(path, data, format="json").status_code)
    assert answers == [405, 405, 403]
    assert Organisation.objects.get(pk=le_forem.pk).kind == OrganisationKind.PES
    assert Programme.objects.filter(slug="interreg-v-fwvl").exists()
    assert Indicator.objects.get(code="RCO81").name != "Renamed"
    assert Project.objects.filter(slug="grenzeloos-tewerkstellen").exists()
