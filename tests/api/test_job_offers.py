"""/api/v1/job-offers/: the jobs shown or offered at an action, with their title in each language,
their employer (one present at the action, or none: the action's own) and their positions.
Written by the coordinators of the action's project (as the action itself); deleted with a
reason kept in the history."""

from __future__ import annotations

import pytest
import yaml

from actions.models import JobOffer
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CompanyFactory,
    JobOfferFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/job-offers/"


@pytest.fixture
def action(vdab):
    """The company visit of the skills Eurometropolis Tour, in a project VDAB takes part in."""
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return ActionFactory(project=project, reference="gt-2017-company-visit")


@pytest.fixture
def theirs(le_forem):
    """An action of a project without VDAB."""
    project = ProjectFactory(slug="actemploi", lead_partner=le_forem)
    return ActionFactory(project=project, reference="actemploi-2018-jobdating")


@pytest.fixture
def koraton(action):
    """A company present at the action."""
    company = CompanyFactory(slug="koraton", name="Koraton")
    ActionEmployerFactory(action=action, organisation=company)
    return company


@pytest.fixture
def api(client_for, coordinator):
    return client_for(coordinator)


def _detail(offer: JobOffer) -> str:
    return f"{LIST}{offer.pk}/"


def _without_stamp(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "updated_at"}


# Who writes.


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_vdab", 403),
        ("partner_le_forem", 403),
        ("coordinator", 201),
        ("superuser", 201),
    ],
)
def test_who_adds_a_job(request, client_for, action, user, expected):
    client = client_for(None if user == "anonymous" else request.getfixturevalue(user))

    response = client.post(
        LIST, {"action": action.reference, "title_en": "line operator"}, format="json"
    )

    assert response.status_code == expected
    assert JobOffer.objects.filter(action=action).exists() is (expected == 201)


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_vdab", 403),
        ("coordinator", 200),
        ("superuser", 200),
    ],
)
def test_who_changes_a_job(request, client_for, action, user, expected):
    offer = JobOfferFactory(action=action, title_en="line operator", positions=2)
    client = client_for(None if user == "anonymous" else request.getfixturevalue(user))

    response = client.patch(_detail(offer), {"positions": 3}, format="json")

    assert response.status_code == expected
    offer.refresh_from_db()
    assert offer.positions == (3 if expected == 200 else 2)


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_vdab", 403),
        ("coordinator", 204),
        ("superuser", 204),
    ],
)
def test_who_deletes_a_job(request, client_for, action, user, expected):
    offer = JobOfferFactory(action=action)
    client = client_for(None if user == "anonymous" else request.getfixturevalue(user))

    response = client.delete(_detail(offer))

    assert response.status_code == expected
    assert JobOffer.objects.filter(pk=offer.pk).exists() is (expected != 204)


def test_every_role_reads_the_jobs(client_for, manager, partner_le_forem, action):
    offer = JobOfferFactory(action=action)
    assert client_for(manager).get(LIST).json()["count"] == 1
    assert client_for(partner_le_forem).get(_detail(offer)).status_code == 200


def test_anonymous_and_strangers_read_nothing(client_for, stranger, action):
    offer = JobOfferFactory(action=action)
    assert client_for(None).get(LIST).status_code == 401
    assert client_for(stranger).get(_detail(offer)).status_code == 403


def test_another_projects_action_is_unknown_to_a_coordinator(api, theirs):
    response = api.post(LIST, {"action": theirs.pk, "title_en": "welder"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"action": [f"No action with id {theirs.pk} in your scope."]}
    assert not JobOffer.objects.exists()


def test_another_projects_job_is_not_changed_nor_deleted(api, theirs):
    offer = JobOfferFactory(action=theirs, title_en="welder")
    refusal = {"detail": "You may not change actions of this project."}

    changed = api.patch(_detail(offer), {"title_en": "solderer"}, format="json")
    deleted = api.delete(_detail(offer))

    assert (changed.status_code, changed.json()) == (403, refusal)
    assert (deleted.status_code, deleted.json()) == (403, refusal)
    offer.refresh_from_db()
    assert offer.title_en == "welder"


# Adding one.


def test_a_job_with_its_titles_employer_and_positions(api, action, koraton):
    response = api.post(
        LIST,
        {
            "action": "gt-2017-company-visit",
            "title_en": "maintenance technician",
            "title_nl": "onderhoudstechnicus",
            "title_fr": "technicien de maintenance",
            "employer": "koraton",
            "positions": 2,
        },
        format="json",
    )

    assert response.status_code == 201
    offer = JobOffer.objects.get()
    assert _without_stamp(response.json()) == {
        "id": offer.pk,
        "action": action.pk,
        "action_reference": "gt-2017-company-visit",
        "project": "grenzeloos-tewerkstellen",
        "title": "maintenance technician",
        "title_en": "maintenance technician",
        "title_nl": "onderhoudstechnicus",
        "title_fr": "technicien de maintenance",
        "employer": "koraton",
        "positions": 2,
    }


def test_a_job_of_the_action_itself_by_ids(api, action):
    response = api.post(LIST, {"action": action.pk, "title_en": "order picker"}, format="json")

    assert response.status_code == 201
    assert (response.json()["employer"], response.json()["positions"]) == (None, None)


def test_the_employer_by_its_id(api, action, koraton):
    response = api.post(
        LIST, {"action": action.pk, "title_en": "packer", "employer": koraton.pk}, format="json"
    )
    assert (response.status_code, response.json()["employer"]) == (201, "koraton")


@pytest.mark.parametrize(
    ("language", "column"), [("fr", "title_fr"), ("nl", "title_nl"), ("en", "title_en")]
)
def test_title_is_the_title_in_the_requests_language(api, action, language, column):
    response = api.post(
        LIST,
        {"action": action.pk, "title": "cariste"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 201
    assert (response.json()["title"], response.json()[column]) == ("cariste", "cariste")
    assert getattr(JobOffer.objects.get(), column) == "cariste"


def test_a_title_in_french_only_is_shown_in_english_too(client_for, manager, api, action):
    api.post(LIST, {"action": action.pk, "title_fr": "cariste"}, format="json")
    row = client_for(manager).get(LIST).json()["results"][0]
    assert (row["title"], row["title_en"], row["title_fr"]) == ("cariste", None, "cariste")


def test_the_action_page_shows_the_job_added(api, manager, client_for, action, koraton):
    reader = client_for(manager)
    page = f"/api/v1/actions/{action.pk}/"
    assert reader.get(page).json()["job_offers"] == []

    api.post(
        LIST,
        {"action": action.pk, "title_en": "line operator", "employer": "koraton", "positions": 3},
        format="json",
    )

    assert reader.get(page).json()["job_offers"] == [
        {"title": "line operator", "employer": "koraton", "positions": 3}
    ]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"action": "gt-2017-company-visit"},
            {"title": ["Give the job's title, in one language at least."]},
        ),
        (
            {"action": "gt-2017-company-visit", "title_en": "", "title_fr": ""},
            {"title": ["Give the job's title, in one language at least."]},
        ),
        (
            {"action": "gt-2017-company-visit", "title": ""},
            {"title": ["This field may not be blank."]},
        ),
        (
            {"action": "gt-2017-company-visit", "title": "welder", "title_en": "solderer"},
            {"title": ["Differs from title_en: give it once."]},
        ),
        (
            {"action": "gt-2017-company-visit", "title_en": "x" * 201},
            {"title_en": ["Ensure this field has no more than 200 characters."]},
        ),
        (
            {"action": "gt-2017-company-visit", "title_en": "welder", "employer": "wepa"},
            {"employer": ['No organisation with slug "wepa".']},
        ),
        (
            {"action": "gt-2017-company-visit", "title_en": "welder", "employer": "vdab"},
            {
                "employer": [
                    "Must be a company or a temporary-work agency: vdab is of the kind "
                    "“public employment service”."
                ]
            },
        ),
        (
            {"action": "gt-2017-company-visit", "title_en": "welder", "employer": "vandeputte"},
            {
                "employer": [
                    "Not an employer present at the action; add it to the action's employers first."
                ]
            },
        ),
        (
            {"action": "gt-2017-company-visit", "title_en": "welder", "positions": -1},
            {"positions": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"action": "gt-2017-company-vist", "title_en": "welder"},
            {"action": ['No action with reference "gt-2017-company-vist" in your scope.']},
        ),
        (
            {"title_en": "welder"},
            {"action": ["This field is required."]},
        ),
        (
            {"action": "gt-2017-company-visit", "title_de": "Schweißer"},
            {"title_de": ["Unknown field."]},
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, action, koraton, body, errors):
    CompanyFactory(slug="vandeputte")

    response = api.post(LIST, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not JobOffer.objects.exists()


def test_the_same_title_in_title_and_its_column_is_taken(api, action):
    response = api.post(
        LIST, {"action": action.pk, "title": "welder", "title_en": "welder"}, format="json"
    )
    assert (response.status_code, response.json()["title_en"]) == (201, "welder")


# Changing one.


def test_a_change_sets_only_the_fields_sent(api, action, koraton):
    offer = JobOfferFactory(
        action=action, title_en="line operator", title_fr="opérateur de ligne", positions=2
    )

    response = api.patch(
        _detail(offer), {"employer": "koraton", "title_nl": "lijnoperator"}, format="json"
    )

    assert response.status_code == 200
    offer.refresh_from_db()
    assert (offer.title_en, offer.title_nl, offer.title_fr, offer.employer, offer.positions) == (
        "line operator",
        "lijnoperator",
        "opérateur de ligne",
        koraton,
        2,
    )


def test_a_change_may_make_the_job_the_actions_own(api, action, koraton):
    offer = JobOfferFactory(action=action, employer=koraton)
    response = api.patch(_detail(offer), {"employer": None}, format="json")
    assert (response.status_code, response.json()["employer"]) == (200, None)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"action": 1}, {"action": ["Unknown field."]}),
        ({"title_en": ""}, {"title": ["Give the job's title, in one language at least."]}),
        ({"positions": "two"}, {"positions": ["A valid integer is required."]}),
        (
            {"employer": "vandeputte"},
            {
                "employer": [
                    "Not an employer present at the action; add it to the action's employers first."
                ]
            },
        ),
    ],
)
def test_a_bad_change_is_a_400_and_changes_nothing(api, action, body, errors):
    CompanyFactory(slug="vandeputte")
    offer = JobOfferFactory(action=action, title_en="line operator", positions=2)

    response = api.patch(_detail(offer), body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    offer.refresh_from_db()
    assert (offer.title_en, offer.employer, offer.positions) == ("line operator", None, 2)


def test_an_unknown_job_is_a_404(api, action):
    assert api.patch(f"{LIST}999999/", {"positions": 1}, format="json").status_code == 404
    assert api.delete(f"{LIST}999999/").status_code == 404
    assert api.get(f"{LIST}123456789012345678901/").status_code == 404


# Deleting one.


def test_a_deleted_job_keeps_its_reason_in_the_history(api, coordinator, action):
    offer = JobOfferFactory(action=action, title_en="welder")

    response = api.delete(f"{_detail(offer)}?reason=Not+offered+there")

    assert (response.status_code, response.content) == (204, b"")
    assert not JobOffer.objects.filter(pk=offer.pk).exists()
    deletion = JobOffer.history.get(id=offer.pk, history_type="-")
    assert (deletion.history_change_reason, deletion.history_user) == (
        "Not offered there",
        coordinator,
    )


def test_a_job_deleted_lets_its_employer_go(api, action, koraton):
    """An employer present is kept while a job offered is its; once the job is gone, it can
    be deleted too."""
    offer = JobOfferFactory(action=action, employer=koraton)
    employer = action.employers.get()
    assert api.delete(f"/api/v1/action-employers/{employer.pk}/").status_code == 400

    assert api.delete(_detail(offer)).status_code == 204

    assert api.delete(f"/api/v1/action-employers/{employer.pk}/").status_code == 204


# Lists.


def test_the_list_is_empty_without_jobs(client_for, manager):
    response = client_for(manager).get(LIST)
    assert (response.status_code, response.json()["count"], response.json()["results"]) == (
        200,
        0,
        [],
    )


def test_the_list_is_filtered_by_action_employer_and_project(
    client_for, manager, action, theirs, koraton
):
    by_koraton = JobOfferFactory(action=action, employer=koraton, title_en="line operator")
    own = JobOfferFactory(action=action, title_en="packer")
    there = JobOfferFactory(action=theirs, title_en="carer")
    reader = client_for(manager)

    def ids(query: str) -> list[int]:
        response = reader.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(f"action={action.pk}") == sorted([by_koraton.pk, own.pk])
    assert ids("action=actemploi-2018-jobdating") == [there.pk]
    assert ids("employer=koraton") == [by_koraton.pk]
    assert ids("project=actemploi") == [there.pk]
    assert ids("search=pack") == [own.pk]


def test_titles_in_the_requests_language(client_for, manager, action):
    JobOfferFactory(action=action, title_en="forklift driver", title_fr="cariste")
    reader = client_for(manager)
    french = reader.get(LIST, HTTP_ACCEPT_LANGUAGE="fr").json()["results"][0]
    dutch = reader.get(LIST, HTTP_ACCEPT_LANGUAGE="nl").json()["results"][0]
    assert (french["title"], dutch["title"]) == ("cariste", "forklift driver")


def _offers(count: int, project) -> None:
    for _n in range(count):
        action = ActionFactory(project=project)
        employer = CompanyFactory()
        ActionEmployerFactory(action=action, organisation=employer)
        JobOfferFactory(action=action, employer=employer)


def test_the_list_queries_a_fixed_number_of_times(
    client_for, manager, action, django_assert_num_queries
):
    reader = client_for(manager)
    _offers(2, action.project)
    # The user's roles, the data version, the count and the page.
    with django_assert_num_queries(4):
        assert reader.get(LIST).json()["count"] == 2
    manager.__dict__.pop("_crossborder_roles")
    _offers(8, action.project)

    with django_assert_num_queries(4):
        assert reader.get(f"{LIST}?page_size=100").json()["count"] == 10


# The schema.


def test_the_schema_documents_every_answer(client_for, manager):
    paths = yaml.safe_load(client_for(manager).get("/api/v1/schema/").content)["paths"]
    detail = "/api/v1/job-offers/{id}/"

    def codes(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    assert codes(LIST, "post") == {"201", "400", "401", "403", "404", "429"}
    assert codes(detail, "patch") == {"200", "400", "401", "403", "404", "429"}
    assert codes(detail, "delete") == {"204", "400", "401", "403", "404", "429"}
    # 414: gunicorn's refusal of a request line too long, before the API reads it.
    assert codes(detail, "get") == {"200", "401", "403", "404", "414", "429"}
    assert "put" not in paths[detail]
    body = paths[LIST]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/JobOfferWriteRequest")
