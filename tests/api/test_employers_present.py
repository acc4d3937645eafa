"""/api/v1/action-employers/: the companies and temporary-work agencies present at an action, with
their vacancies and hires. Written by the coordinators of the action's project (as the action
itself), by the action's id or reference and the organisation's id or slug; plausible hires;
deleted with a reason kept in the history."""

from __future__ import annotations

import datetime
import threading

import pytest
import yaml
from django.db import connection

from actions.models import ActionEmployer
from crossborder.core.dataversion import data_version
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CompanyFactory,
    FigureFactory,
    JobOfferFactory,
    JobseekerFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/action-employers/"


@pytest.fixture
def action(vdab):
    """The jobdating of Veurne, in a project VDAB takes part in, with its 7 hires."""
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    action = ActionFactory(project=project, reference="gt-2017-jobdating-veurne")
    FigureFactory(action=action, metric="hires", pes=None, value=7)
    return action


@pytest.fixture
def theirs(le_forem):
    """A jobdating of a project without VDAB."""
    project = ProjectFactory(slug="actemploi", lead_partner=le_forem)
    return ActionFactory(project=project, reference="actemploi-2018-jobdating")


@pytest.fixture
def koraton(db: None):
    return CompanyFactory(slug="koraton", name="Koraton")


@pytest.fixture
def randstad(db: None):
    return OrganisationFactory(slug="randstad", name="Randstad", kind="agency")


@pytest.fixture
def api(client_for, coordinator):
    return client_for(coordinator)


def _detail(employer: ActionEmployer) -> str:
    return f"{LIST}{employer.pk}/"


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
def test_who_adds_an_employer_present(request, client_for, action, koraton, user, expected):
    client = client_for(None if user == "anonymous" else request.getfixturevalue(user))

    response = client.post(
        LIST, {"action": action.reference, "organisation": "koraton"}, format="json"
    )

    assert response.status_code == expected
    assert ActionEmployer.objects.filter(action=action).exists() is (expected == 201)


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
def test_who_changes_an_employer_present(request, client_for, action, koraton, user, expected):
    employer = ActionEmployerFactory(action=action, organisation=koraton, vacancies=3)
    client = client_for(None if user == "anonymous" else request.getfixturevalue(user))

    response = client.patch(_detail(employer), {"vacancies": 5}, format="json")

    assert response.status_code == expected
    employer.refresh_from_db()
    assert employer.vacancies == (5 if expected == 200 else 3)


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
def test_who_deletes_an_employer_present(request, client_for, action, koraton, user, expected):
    employer = ActionEmployerFactory(action=action, organisation=koraton)
    client = client_for(None if user == "anonymous" else request.getfixturevalue(user))

    response = client.delete(_detail(employer))

    assert response.status_code == expected
    assert ActionEmployer.objects.filter(pk=employer.pk).exists() is (expected != 204)


@pytest.mark.parametrize("user", ["manager", "partner_le_forem", "coordinator", "superuser"])
def test_every_role_reads_the_employers_present(request, client_for, action, koraton, user):
    ActionEmployerFactory(action=action, organisation=koraton)
    client = client_for(request.getfixturevalue(user))
    assert client.get(LIST).json()["count"] == 1


def test_anonymous_and_strangers_read_nothing(client_for, stranger, action, koraton):
    employer = ActionEmployerFactory(action=action, organisation=koraton)
    assert client_for(None).get(LIST).status_code == 401
    assert client_for(stranger).get(_detail(employer)).status_code == 403


def test_another_projects_action_is_unknown_to_a_coordinator(api, theirs, koraton):
    response = api.post(
        LIST, {"action": theirs.reference, "organisation": "koraton"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "action": ['No action with reference "actemploi-2018-jobdating" in your scope.']
    }
    assert not ActionEmployer.objects.exists()


def test_another_projects_employer_is_not_changed_nor_deleted(api, theirs, koraton):
    employer = ActionEmployerFactory(action=theirs, organisation=koraton, vacancies=2)
    refusal = {"detail": "You may not change actions of this project."}

    changed = api.patch(_detail(employer), {"vacancies": 9}, format="json")
    deleted = api.delete(_detail(employer))

    assert (changed.status_code, changed.json()) == (403, refusal)
    assert (deleted.status_code, deleted.json()) == (403, refusal)
    employer.refresh_from_db()
    assert employer.vacancies == 2


# Adding one.


def test_an_employer_added_by_the_actions_reference_and_the_organisations_slug(
    api, action, koraton
):
    version = data_version()

    response = api.post(
        LIST,
        {
            "action": "gt-2017-jobdating-veurne",
            "organisation": "koraton",
            "vacancies": 4,
            "hires": 2,
            "hired_within_days": 7,
        },
        format="json",
    )

    assert response.status_code == 201
    employer = ActionEmployer.objects.get()
    assert _without_stamp(response.json()) == {
        "id": employer.pk,
        "action": action.pk,
        "action_reference": "gt-2017-jobdating-veurne",
        "project": "grenzeloos-tewerkstellen",
        "organisation": "koraton",
        "kind": "company",
        "vacancies": 4,
        "hires": 2,
        "hired_within_days": 7,
    }
    assert data_version() != version


def test_an_employer_added_by_ids(api, action, randstad):
    response = api.post(LIST, {"action": action.pk, "organisation": randstad.pk}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["organisation"], body["kind"], body["vacancies"], body["hires"]) == (
        "randstad",
        "agency",
        None,
        None,
    )


def test_the_action_page_shows_the_employer_added(api, manager, client_for, action, koraton):
    reader = client_for(manager)
    page = f"/api/v1/actions/{action.pk}/"
    assert reader.get(page).json()["employers"] == []

    api.post(LIST, {"action": action.pk, "organisation": "koraton", "vacancies": 4}, format="json")

    assert reader.get(page).json()["employers"] == [
        {"organisation": "koraton", "kind": "company", "vacancies": 4}
    ]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": "koratn"},
            {"organisation": ['No organisation with slug "koratn".']},
        ),
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": 999999},
            {"organisation": ["No organisation with id 999999."]},
        ),
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": "vdab"},
            {
                "organisation": [
                    "Must be a company or a temporary-work agency: vdab is of the kind "
                    "“public employment service”."
                ]
            },
        ),
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": "ivr"},
            {
                "organisation": [
                    "Must be a company or a temporary-work agency: ivr is of the kind “partner”."
                ]
            },
        ),
        (
            {"action": "gt-2017-jobdating-veurn", "organisation": "koraton"},
            {"action": ['No action with reference "gt-2017-jobdating-veurn" in your scope.']},
        ),
        (
            {"action": 999999, "organisation": "koraton"},
            {"action": ["No action with id 999999 in your scope."]},
        ),
        (
            {"action": True, "organisation": "koraton"},
            {"action": ["Must be the id of an action (an integer) or its reference."]},
        ),
        (
            {"organisation": "koraton"},
            {"action": ["This field is required."]},
        ),
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": "koraton", "vacancies": -1},
            {"vacancies": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": "koraton", "hires": -2},
            {"hires": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {
                "action": "gt-2017-jobdating-veurne",
                "organisation": "koraton",
                "hired_within_days": -7,
            },
            {"hired_within_days": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {
                "action": "gt-2017-jobdating-veurne",
                "organisation": "koraton",
                "vacancies": 2_147_483_648,
            },
            {"vacancies": ["Ensure this value is less than or equal to 2147483647."]},
        ),
        (
            {"action": "x" * 10_000, "organisation": "koraton"},
            {"action": [f'No action with reference "{"x" * 80}…" in your scope.']},
        ),
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": "kor\x00aton"},
            {"organisation": ["Null characters are not allowed."]},
        ),
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": ["koraton"]},
            {"organisation": ["Must be the id of an organisation (an integer) or its slug."]},
        ),
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": "koraton", "vacancy": 3},
            {"vacancy": ["Unknown field."]},
        ),
        (
            {"action": "gt-2017-jobdating-veurne", "organisation": "koraton", "id": 3},
            {"id": ["Unknown field."]},
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, action, koraton, body, errors):
    OrganisationFactory(slug="ivr", kind="partner")

    response = api.post(LIST, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not ActionEmployer.objects.exists()


def test_an_employer_is_present_once_per_action(api, action, koraton):
    ActionEmployerFactory(action=action, organisation=koraton, vacancies=3)

    response = api.post(
        LIST, {"action": action.pk, "organisation": "koraton", "vacancies": 5}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This employer is already listed for the action."]
    }
    assert list(ActionEmployer.objects.values_list("vacancies", flat=True)) == [3]


def test_the_same_employer_may_be_present_at_another_action(api, action, koraton):
    other = ActionFactory(project=action.project, reference="gt-2018-jobdating-ieper")
    ActionEmployerFactory(action=action, organisation=koraton)

    response = api.post(LIST, {"action": other.pk, "organisation": "koraton"}, format="json")

    assert response.status_code == 201


# Plausible hires: the hires at the action's employers together are not more than the action's
# hires as its figures and records count them.


def test_hires_beyond_the_actions_hires_are_refused(api, action, koraton, randstad):
    ActionEmployerFactory(action=action, organisation=randstad, hires=5)

    response = api.post(
        LIST, {"action": action.pk, "organisation": "koraton", "hires": 3}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "hires": [
            "The action's employers would have hired 8 jobseekers, more than the 7 hires its "
            "figures and participation records count: send the action's hires first."
        ]
    }
    assert not ActionEmployer.objects.filter(organisation=koraton).exists()


def test_hires_up_to_the_actions_hires_are_taken(api, action, koraton, randstad):
    ActionEmployerFactory(action=action, organisation=randstad, hires=5)
    response = api.post(
        LIST, {"action": action.pk, "organisation": "koraton", "hires": 2}, format="json"
    )
    assert response.status_code == 201


def test_hires_at_an_action_without_hires_are_refused(api, action, koraton):
    action.figures.all().delete()

    response = api.post(
        LIST, {"action": action.pk, "organisation": "koraton", "hires": 1}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["hires"] == [
        "The action's employers would have hired 1 jobseekers, more than the 0 hires its "
        "figures and participation records count: send the action's hires first."
    ]


def test_the_actions_hires_count_its_records_of_every_pes(api, action, koraton, vdab, pole_emploi):
    """7 unsplit hires and 2 records of jobseekers of two PES hired: 9 hires."""
    for pes in (vdab, pole_emploi):
        ParticipationFactory(
            action=action,
            jobseeker=JobseekerFactory(pes=pes),
            started_on=action.start_date,
            hired_on=datetime.date(2017, 12, 4),
        )

    taken = api.post(
        LIST, {"action": action.pk, "organisation": "koraton", "hires": 9}, format="json"
    )
    refused = api.patch(f"{LIST}{taken.json()['id']}/", {"hires": 10}, format="json")

    assert taken.status_code == 201
    assert refused.status_code == 400
    assert "more than the 9 hires" in refused.json()["hires"][0]


def test_hires_beyond_a_lower_bound_are_taken(api, action, koraton):
    """ "More than 7 hires": the action's hires are at least 7, the employer may name 9."""
    action.figures.update(is_lower_bound=True)
    response = api.post(
        LIST, {"action": action.pk, "organisation": "koraton", "hires": 9}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize("hires", [None, 0])
def test_days_without_hires_are_refused(api, action, koraton, hires):
    response = api.post(
        LIST,
        {"action": action.pk, "organisation": "koraton", "hires": hires, "hired_within_days": 7},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "hired_within_days": [
            "Give the hires it counts too: the days say how soon they were hired."
        ]
    }


# Changing one.


def test_a_change_sets_only_the_fields_sent(api, action, koraton):
    employer = ActionEmployerFactory(action=action, organisation=koraton, vacancies=3, hires=2)

    response = api.patch(_detail(employer), {"hired_within_days": 7}, format="json")

    assert response.status_code == 200
    assert (response.json()["vacancies"], response.json()["hires"]) == (3, 2)
    employer.refresh_from_db()
    assert (employer.vacancies, employer.hires, employer.hired_within_days) == (3, 2, 7)


def test_a_change_may_blank_a_count(api, action, koraton):
    employer = ActionEmployerFactory(action=action, organisation=koraton, vacancies=3)
    response = api.patch(_detail(employer), {"vacancies": None}, format="json")
    assert (response.status_code, response.json()["vacancies"]) == (200, None)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"action": 1}, {"action": ["Unknown field."]}),
        ({"organisation": "randstad"}, {"organisation": ["Unknown field."]}),
        ({"vacancies": -3}, {"vacancies": ["Ensure this value is greater than or equal to 0."]}),
        ({"vacancies": "many"}, {"vacancies": ["A valid integer is required."]}),
        ({"hires": 8}, None),
    ],
)
def test_a_bad_change_is_a_400_and_changes_nothing(api, action, koraton, body, errors):
    employer = ActionEmployerFactory(action=action, organisation=koraton, vacancies=3, hires=1)

    response = api.patch(_detail(employer), body, format="json")

    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    else:
        assert list(response.json()) == ["hires"]
    employer.refresh_from_db()
    assert (employer.vacancies, employer.hires) == (3, 1)


def test_a_change_of_the_vacancies_is_taken_beside_hires_grown_implausible(api, action, koraton):
    """The action's hires figure was lowered after the employer's 5 hires were given: its
    vacancies still change; only a change of its hires must fit."""
    employer = ActionEmployerFactory(action=action, organisation=koraton, vacancies=3, hires=5)
    action.figures.update(value=2)

    vacancies = api.patch(_detail(employer), {"vacancies": 4}, format="json")
    hires = api.patch(_detail(employer), {"hires": 4}, format="json")

    assert vacancies.status_code == 200
    assert (hires.status_code, list(hires.json())) == (400, ["hires"])
    employer.refresh_from_db()
    assert (employer.vacancies, employer.hires) == (4, 5)


def test_an_unknown_employer_present_is_a_404(api, action):
    assert api.patch(f"{LIST}999999/", {"vacancies": 1}, format="json").status_code == 404
    assert api.delete(f"{LIST}999999/").status_code == 404
    assert api.get(f"{LIST}abc/").status_code == 404


# Deleting one.


def test_a_deleted_employer_keeps_its_reason_in_the_history(api, coordinator, action, koraton):
    employer = ActionEmployerFactory(action=action, organisation=koraton)

    response = api.delete(f"{_detail(employer)}?reason=Was+not+there")

    assert (response.status_code, response.content) == (204, b"")
    assert not ActionEmployer.objects.filter(pk=employer.pk).exists()
    deletion = ActionEmployer.history.get(id=employer.pk, history_type="-")
    assert (deletion.history_change_reason, deletion.history_user) == ("Was not there", coordinator)


def test_a_reason_too_long_is_a_400(api, action, koraton):
    employer = ActionEmployerFactory(action=action, organisation=koraton)

    response = api.delete(f"{_detail(employer)}?reason={'x' * 101}")

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert ActionEmployer.objects.filter(pk=employer.pk).exists()


def test_an_employer_who_hired_or_offers_jobs_is_not_deleted(api, action, koraton, vdab):
    employer = ActionEmployerFactory(action=action, organisation=koraton)
    ParticipationFactory(
        action=action,
        jobseeker=JobseekerFactory(pes=vdab),
        started_on=action.start_date,
        hired_on=datetime.date(2017, 12, 4),
        hired_by=koraton,
    )
    JobOfferFactory(action=action, employer=koraton, title="line operator")
    JobOfferFactory(action=action, employer=koraton, title="welder")

    response = api.delete(_detail(employer))

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "1 participation record of the action names it as the employer who hired: change "
            "it first.",
            "2 jobs offered at the action are its: change or delete them first.",
        ]
    }
    assert ActionEmployer.objects.filter(pk=employer.pk).exists()


# Lists.


def test_the_list_is_empty_without_employers(client_for, manager):
    response = client_for(manager).get(LIST)
    assert (response.status_code, response.json()["count"], response.json()["results"]) == (
        200,
        0,
        [],
    )


def test_the_list_is_filtered_by_action_organisation_project_and_kind(
    client_for, manager, action, theirs, koraton, randstad
):
    here = ActionEmployerFactory(action=action, organisation=koraton)
    agency = ActionEmployerFactory(action=action, organisation=randstad)
    there = ActionEmployerFactory(action=theirs, organisation=koraton)
    reader = client_for(manager)

    def ids(query: str) -> list[int]:
        response = reader.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(f"action={action.pk}") == sorted([here.pk, agency.pk])
    assert ids("action=gt-2017-jobdating-veurne") == sorted([here.pk, agency.pk])
    assert ids("action=no-such-action") == []
    assert ids("organisation=koraton") == sorted([here.pk, there.pk])
    assert ids("project=actemploi") == [there.pk]
    assert ids("kind=agency") == [agency.pk]
    assert ids("action=99999999999999999999") == []
    assert ids("action=²") == []


def test_an_unknown_kind_is_a_400(client_for, manager):
    response = client_for(manager).get(f"{LIST}?kind=pes")
    assert response.status_code == 400
    assert list(response.json()) == ["kind"]


def test_a_change_is_read_at_once_from_the_cached_list(client_for, manager, api, action, koraton):
    employer = ActionEmployerFactory(action=action, organisation=koraton, vacancies=3)
    reader = client_for(manager)
    assert reader.get(LIST).json()["results"][0]["vacancies"] == 3

    api.patch(_detail(employer), {"vacancies": 4}, format="json")

    assert reader.get(LIST).json()["results"][0]["vacancies"] == 4
    assert reader.get(_detail(employer)).json()["vacancies"] == 4


def _employers(count: int, project) -> None:
    for _n in range(count):
        ActionEmployerFactory(action=ActionFactory(project=project), organisation=CompanyFactory())


def test_the_list_queries_a_fixed_number_of_times(
    client_for, manager, action, django_assert_num_queries
):
    reader = client_for(manager)
    _employers(2, action.project)
    # The user's roles, the data version, the count and the page.
    with django_assert_num_queries(4):
        assert reader.get(LIST).json()["count"] == 2
    manager.__dict__.pop("_crossborder_roles")
    _employers(8, action.project)

    with django_assert_num_queries(4):
        assert reader.get(f"{LIST}?page_size=100").json()["count"] == 10


# The schema.


def test_the_schema_documents_every_answer(client_for, manager):
    paths = yaml.safe_load(client_for(manager).get("/api/v1/schema/").content)["paths"]

    def codes(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    # 414: gunicorn's refusal of a request line too long, before the API reads it.
    assert codes(LIST, "get") == {"200", "400", "401", "403", "404", "414", "429"} | (
        codes(LIST, "get") & {"410"}
    )
    assert codes(LIST, "post") == {"201", "400", "401", "403", "404", "429"}
    detail = "/api/v1/action-employers/{id}/"
    assert codes(detail, "patch") == {"200", "400", "401", "403", "404", "429"}
    assert codes(detail, "delete") == {"204", "400", "401", "403", "404", "429"}
    assert "put" not in paths[detail]
    assert not any(
        parameter["name"] == "If-Match"
        for method in ("patch", "delete")
        for parameter in paths[detail][method].get("parameters", [])
    )


# Writes at the same moment: each takes the action's row lock in turn.


def _at_once(monkeypatch, service_name: str, send) -> list:
    """Send two requests whose service calls start together, once both were validated; their
    answers, in any order."""
    from actions import related_api

    service = getattr(related_api, service_name)
    both_ready = threading.Barrier(2, timeout=10)

    def after_both(**kwargs):
        both_ready.wait()
        return service(**kwargs)

    monkeypatch.setattr(related_api, service_name, after_both)
    answers: list = []

    def run(index: int) -> None:
        try:
            answers.append(send(index))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


ROW_LOCKS = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL (SQLite has none)"
)


@ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_the_same_employer_added_twice_at_once_is_added_once(
    client_for, coordinator, action, koraton, monkeypatch
):
    def send(index: int):
        response = client_for(coordinator).post(
            LIST, {"action": action.pk, "organisation": "koraton"}, format="json"
        )
        return response.status_code, response.json()

    answers = _at_once(monkeypatch, "action_employer_create", send)

    assert sorted(status for status, _body in answers) == [201, 400]
    assert [body for status, body in answers if status == 400] == [
        {"non_field_errors": ["This employer is already listed for the action."]}
    ]
    assert ActionEmployer.objects.filter(action=action).count() == 1


@ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_hires_sent_at_once_for_two_employers_are_counted_together(
    client_for, coordinator, action, koraton, randstad, monkeypatch
):
    """Each of 4 and 5 hires fits the action's 7; together they do not: one is refused."""

    def send(index: int):
        body = {"action": action.pk, "organisation": ["koraton", "randstad"][index]}
        return (
            client_for(coordinator)
            .post(LIST, {**body, "hires": [4, 5][index]}, format="json")
            .status_code
        )

    answers = _at_once(monkeypatch, "action_employer_create", send)

    assert sorted(answers) == [201, 400]
    assert sum(ActionEmployer.objects.values_list("hires", flat=True)) in (4, 5)


@ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_changes_of_different_fields_at_once_both_hold(
    client_for, coordinator, action, koraton, monkeypatch
):
    employer = ActionEmployerFactory(action=action, organisation=koraton, vacancies=1, hires=1)
    changes = [{"vacancies": 4}, {"hires": 2}]

    def send(index: int):
        return (
            client_for(coordinator)
            .patch(_detail(employer), changes[index], format="json")
            .status_code
        )

    answers = _at_once(monkeypatch, "action_employer_update", send)

    assert answers == [200, 200]
    employer.refresh_from_db()
    assert (employer.vacancies, employer.hires) == (4, 2)


@ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_two_deletions_at_once_give_one_204_and_one_404(
    client_for, coordinator, action, koraton, monkeypatch
):
    employer = ActionEmployerFactory(action=action, organisation=koraton)

    def send(index: int):
        return client_for(coordinator).delete(_detail(employer)).status_code

    answers = _at_once(monkeypatch, "action_employer_delete", send)

    assert sorted(answers) == [204, 404]
    assert ActionEmployer.history.filter(id=employer.pk, history_type="-").count() == 1
