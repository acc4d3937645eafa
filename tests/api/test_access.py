"""Each role against each endpoint: who may read and write what, with the exact status codes.

Anonymous: 401. A user without a role (stranger): 403 everywhere. Managers read programme data
but no personal data (403). Partners and coordinators read their own PES's jobseekers and
participation; another PES's are 404, as if they did not exist.
"""

from __future__ import annotations

import pytest

from crossborder.accounts.tokens import api_token_create
from crossborder.core.vocabulary import ActionType
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
)
from tests.helpers import if_match

pytestmark = pytest.mark.django_db

PROGRAMME_LISTS = [
    "/api/v1/programmes/",
    "/api/v1/projects/",
    "/api/v1/organisations/",
    "/api/v1/indicators/",
    "/api/v1/actions/",
    "/api/v1/figures/",
    "/api/v1/reports/outcomes/",
]
PROGRAMME_DETAILS = [
    "/api/v1/programmes/interreg-v-fwvl/",
    "/api/v1/projects/grenzeloos-tewerkstellen/",
    "/api/v1/organisations/pole-emploi/",
    "/api/v1/indicators/RCO81/",
]
PERSONAL_LISTS = ["/api/v1/jobseekers/", "/api/v1/participations/"]

ROLES = ["anonymous", "stranger", "manager", "partner_vdab", "coordinator", "superuser"]
PROGRAMME_READ = {
    "anonymous": 401,
    "stranger": 403,
    "manager": 200,
    "partner_vdab": 200,
    "coordinator": 200,
    "superuser": 200,
}
PERSONAL_READ = {**PROGRAMME_READ, "manager": 403}


@pytest.fixture
def user_of(request):
    def get(role: str):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


@pytest.mark.parametrize("role", ROLES)
def test_programme_data_is_read_by_every_role_and_nobody_else(demo, role, user_of, client_for):
    client = client_for(user_of(role))
    action = ActionFactory(project=ProjectFactory(slug="grenzeloos-tewerkstellen"))
    figure = FigureFactory(action=action)
    urls = [
        *PROGRAMME_LISTS,
        *PROGRAMME_DETAILS,
        f"/api/v1/actions/{action.pk}/",
        f"/api/v1/figures/{figure.pk}/",
    ]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(
        urls, PROGRAMME_READ[role]
    )


@pytest.mark.parametrize("role", ROLES)
def test_personal_data_is_for_partners_coordinators_and_superusers(role, user_of, client_for):
    client = client_for(user_of(role))
    assert {url: client.get(url).status_code for url in PERSONAL_LISTS} == dict.fromkeys(
        PERSONAL_LISTS, PERSONAL_READ[role]
    )


def test_anonymous_is_asked_for_a_token(client_for):
    response = client_for(None).get("/api/v1/actions/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_authentication(demo, partner_vdab, client):
    _token, key = api_token_create(user=partner_vdab, name="nightly pull")
    response = client.get("/api/v1/actions/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    response = client.get("/api/v1/actions/", HTTP_AUTHORIZATION="Token wrong")
    assert response.status_code == 401


def test_session_authentication(demo, manager, client):
    client.force_login(manager)
    assert client.get("/api/v1/projects/").status_code == 200


def test_stranger_is_told_why(stranger, client_for):
    response = client_for(stranger).get("/api/v1/projects/")
    assert response.json() == {
        "detail": "Your account has no role in Crossborder: ask a coordinator for one."
    }


def test_manager_is_told_personal_data_is_not_for_it(manager, client_for):
    response = client_for(manager).get("/api/v1/jobseekers/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Personal data is for the partners and coordinators of a PES."
    }


def test_partner_sees_only_its_own_pes_jobseekers(
    partner_vdab, partner_le_forem, vdab, le_forem, client_for
):
    ours = JobseekerFactory(pes=vdab)
    theirs = JobseekerFactory(pes=le_forem)
    client = client_for(partner_vdab)
    listed = client.get("/api/v1/jobseekers/").json()["results"]
    assert [row["id"] for row in listed] == [ours.pk]
    assert client.get(f"/api/v1/jobseekers/{ours.pk}/").status_code == 200
    assert client.get(f"/api/v1/jobseekers/{theirs.pk}/").status_code == 404
    other = client_for(partner_le_forem)
    assert other.get(f"/api/v1/jobseekers/{ours.pk}/").status_code == 404


def test_partner_sees_only_its_own_pes_participations(partner_vdab, vdab, le_forem, client_for):
    ours = ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    theirs = ParticipationFactory(jobseeker=JobseekerFactory(pes=le_forem))
    client = client_for(partner_vdab)
    listed = client.get("/api/v1/participations/").json()["results"]
    assert [row["id"] for row in listed] == [ours.pk]
    assert client.get(f"/api/v1/participations/{theirs.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/participations/{theirs.pk}/", {"status": "completed"}, format="json"
        ).status_code
        == 404
    )


def test_participations_are_listed_by_action_then_jobseeker(partner_vdab, vdab, client_for):
    """The list follows the unique index (action, jobseeker), whatever order they were made in:
    a page never sorts the whole table."""
    first, second = ActionFactory(), ActionFactory()
    late, early = JobseekerFactory(pes=vdab), JobseekerFactory(pes=vdab)
    made = [
        ParticipationFactory(action=second, jobseeker=early),
        ParticipationFactory(action=first, jobseeker=early),
        ParticipationFactory(action=second, jobseeker=late),
    ]
    listed = client_for(partner_vdab).get("/api/v1/participations/").json()["results"]
    expected = sorted(made, key=lambda p: (p.action_id, p.jobseeker_id))
    assert [row["id"] for row in listed] == [p.pk for p in expected]


def test_jobseekers_are_listed_by_name(partner_vdab, vdab, client_for):
    for family_name, given_name in [("Peeters", "Zoë"), ("Janssens", "An"), ("Peeters", "Anna")]:
        JobseekerFactory(pes=vdab, family_name=family_name, given_name=given_name)
    listed = client_for(partner_vdab).get("/api/v1/jobseekers/").json()["results"]
    assert [(row["family_name"], row["given_name"]) for row in listed] == [
        ("Janssens", "An"),
        ("Peeters", "Anna"),
        ("Peeters", "Zoë"),
    ]


def test_coordinator_reads_its_own_pes_personal_data_only(coordinator, vdab, le_forem, client_for):
    ours = JobseekerFactory(pes=vdab)
    theirs = JobseekerFactory(pes=le_forem)
    client = client_for(coordinator)
    assert [r["id"] for r in client.get("/api/v1/jobseekers/").json()["results"]] == [ours.pk]
    assert client.get(f"/api/v1/jobseekers/{theirs.pk}/").status_code == 404


def test_superuser_sees_every_pes(superuser, vdab, le_forem, client_for):
    JobseekerFactory(pes=vdab)
    JobseekerFactory(pes=le_forem)
    assert client_for(superuser).get("/api/v1/jobseekers/").json()["count"] == 2


def test_unknown_objects_are_404(demo, partner_vdab, client_for):
    client = client_for(partner_vdab)
    for url in [
        "/api/v1/projects/no-such-project/",
        "/api/v1/organisations/no-such-organisation/",
        "/api/v1/indicators/RCO999/",
        "/api/v1/actions/999999/",
        "/api/v1/actions/99999999999999999999999999/",
        "/api/v1/figures/999999/",
        "/api/v1/jobseekers/999999/",
    ]:
        assert client.get(url).status_code == 404, url


ACTION = {
    "project": "grenzeloos-tewerkstellen",
    "action_type": ActionType.JOBDATING,
    "title_en": "Jobdating Ieper",
    "start_date": "2019-03-12",
}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_vdab", 403),
        ("coordinator", 201),
        ("superuser", 201),
    ],
)
def test_only_coordinators_and_superusers_create_actions(demo, role, expected, user_of, client_for):
    response = client_for(user_of(role)).post("/api/v1/actions/", ACTION, format="json")
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_vdab", 403),
        ("coordinator", 200),
        ("superuser", 200),
    ],
)
def test_only_coordinators_and_superusers_change_figures(demo, role, expected, user_of, client_for):
    from actions.models import Figure

    figure = Figure.objects.get(action__reference="gt-2017-jobdating-veurne", metric="vacancies")
    response = client_for(user_of(role)).patch(
        f"/api/v1/figures/{figure.pk}/", {"value": 18}, format="json", **if_match(figure)
    )
    assert response.status_code == expected


def test_coordinator_changes_only_actions_of_its_projects(demo, coordinator, client_for):
    elsewhere = ActionFactory(project=ProjectFactory(slug="someone-elses"))
    client = client_for(coordinator)
    # It reads the action, but may not change it: 403, not 404.
    assert client.get(f"/api/v1/actions/{elsewhere.pk}/").status_code == 200
    response = client.patch(f"/api/v1/actions/{elsewhere.pk}/", {"place": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not change actions of this project."}
    response = client.post(
        "/api/v1/actions/", {**ACTION, "project": "someone-elses"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "project": ["No project you may change has the slug slug=someone-elses."]
    }
    response = client.post(
        "/api/v1/figures/",
        {"action": elsewhere.pk, "metric": "starts", "pes": "vdab", "value": 3},
        format="json",
    )
    assert response.json() == {"action": [f"No action you may change has the id {elsewhere.pk}."]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_vdab", 201),
        ("coordinator", 201),
    ],
)
def test_partners_and_coordinators_push_their_jobseekers(role, expected, vdab, user_of, client_for):
    response = client_for(user_of(role)).post(
        "/api/v1/jobseekers/", {"external_ref": "VD-1", "birth_year": 1990}, format="json"
    )
    assert response.status_code == expected


def test_partner_cannot_write_another_pes_jobseekers(partner_vdab, vdab, le_forem, client_for):
    client = client_for(partner_vdab)
    response = client.post(
        "/api/v1/jobseekers/", {"pes": "le-forem", "external_ref": "LF-1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "pes": ["You may only write jobseekers of your own PES; le-forem is not it."]
    }
    theirs = JobseekerFactory(pes=le_forem)
    response = client.patch(f"/api/v1/jobseekers/{theirs.pk}/", {"birth_year": 1980}, format="json")
    assert response.status_code == 404


def test_partner_cannot_record_another_pes_jobseeker_in_an_action(
    partner_vdab, le_forem, client_for
):
    theirs = JobseekerFactory(pes=le_forem)
    action = ActionFactory()
    response = client_for(partner_vdab).post(
        "/api/v1/participations/",
        {"action": action.pk, "jobseeker": theirs.pk, "status": "started"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"jobseeker": [f"No jobseeker of your PES has the id {theirs.pk}."]}


def test_superuser_names_the_pes_of_a_jobseeker(superuser, vdab, client_for):
    client = client_for(superuser)
    response = client.post("/api/v1/jobseekers/", {"external_ref": "X-1"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"pes": ["Required: you belong to no PES."]}
    response = client.post(
        "/api/v1/jobseekers/", {"pes": "vdab", "external_ref": "X-1"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["pes"] == "vdab"


def test_there_is_no_delete_and_no_put(demo, superuser, client_for):
    client = client_for(superuser)
    action = ActionFactory(project=ProjectFactory(slug="grenzeloos-tewerkstellen"))
    assert client.delete(f"/api/v1/actions/{action.pk}/").status_code == 405
    assert client.put(f"/api/v1/actions/{action.pk}/", ACTION, format="json").status_code == 405
    assert client.post("/api/v1/projects/", {}, format="json").status_code == 405


def test_throttling_per_user(demo, partner_vdab, client_for, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    client = client_for(partner_vdab)
    codes = [client.get("/api/v1/projects/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    cache.clear()
