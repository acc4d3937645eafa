"""GET /api/v1/data-quality/: the data-quality list of reports.quality through the API, with
the same items as the page, for coordinators and managers only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from crossborder.core.vocabulary import ActionStatus
from participants.models import pseudonym_for
from tests.factories import (
    ActionFactory,
    CohortFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/data-quality/"
D = datetime.date


@pytest.fixture
def project(vdab, le_forem):
    return ProjectFactory(slug="p", lead_partner=vdab)


@pytest.fixture
def data(project, vdab, le_forem):
    # Dates long past whatever day the tests run: the list is seen from today.
    made = {
        "ongoing": ActionFactory(
            project=project, status=ActionStatus.ONGOING, start_date=D(2018, 3, 1)
        ),
        "empty": ActionFactory(project=project, start_date=D(2018, 2, 1)),
        "cohort": CohortFactory(
            project=project, start_date=D(2018, 1, 10), end_date=D(2018, 4, 10)
        ),
        "unsplit": ActionFactory(project=project, start_date=D(2018, 3, 10)),
    }
    FigureFactory(action=made["ongoing"], pes=vdab, value=4)
    FigureFactory(action=made["unsplit"], pes=None, value=12)
    key = pseudonym_for("BE-1")
    made["vdab"] = JobseekerFactory(pes=vdab, external_ref="BE-1", pseudonym=key, birth_year=None)
    made["forem"] = JobseekerFactory(pes=le_forem, external_ref="BE-1", pseudonym=key)
    ParticipationFactory(action=made["cohort"], jobseeker=made["vdab"])
    ParticipationFactory(action=made["cohort"], jobseeker=made["forem"])
    return made


def codes_and_counts(body: dict) -> dict[str, int]:
    return {section["code"]: section["count"] for section in body["sections"]}


def test_a_coordinator_reads_its_project_list(data, coordinator, client_for, vdab):
    response = client_for(coordinator).get(URL, {"project": "p", "semester": "2018-S1"})
    assert response.status_code == 200
    body = response.json()
    assert (body["project"], body["semester"], body["outcome_months"], body["clean"]) == (
        "p",
        "2018-S1",
        3,
        False,
    )
    assert codes_and_counts(body) == {
        "overdue_actions": 1,
        "empty_actions": 1,
        "missing_outcomes": 1,
        "unknown_pes": 1,
        "missing_birth_year": 1,
        # Le Forem's jobseeker lacks it too, but is not the VDAB coordinator's to count.
        "missing_education_level": 1,
        "shared_pseudonyms": 1,
    }
    sections = {section["code"]: section for section in body["sections"]}
    [overdue] = sections["overdue_actions"]["items"]
    assert overdue == {
        "name": str(data["ongoing"]),
        "detail": "still ongoing",
        "action": data["ongoing"].pk,
        "project": "p",
        "pes": None,
        "count": None,
        "pseudonym": None,
        "links": [
            {
                "text": "Change the action",
                "url": reverse("admin:actions_action_change", args=[data["ongoing"].pk]),
            }
        ],
        "page": reverse("reports:action-detail", args=[data["ongoing"].pk]),
    }
    [birth] = sections["missing_birth_year"]["items"]
    assert (birth["pes"], birth["count"]) == ("vdab", 1)
    # The key is held at Le Forem too: counted, never shown to VDAB's coordinator.
    assert sections["shared_pseudonyms"]["items"] == []
    assert data["vdab"].pseudonym not in response.content.decode()


def test_a_superuser_sees_the_shared_key(data, superuser, client_for):
    body = client_for(superuser).get(URL, {"project": "p"}).json()
    [shared] = next(s for s in body["sections"] if s["code"] == "shared_pseudonyms")["items"]
    assert shared["pseudonym"] == data["vdab"].pseudonym
    assert [link["url"] for link in shared["links"]] == [
        reverse("admin:participants_jobseeker_change", args=[data["forem"].pk]),
        reverse("admin:participants_jobseeker_change", args=[data["vdab"].pk]),
    ]


def test_a_clean_project_says_so(project, manager, client_for):
    body = client_for(manager).get(URL, {"project": "p"}).json()
    assert body["clean"] is True
    assert set(codes_and_counts(body).values()) == {0}


@pytest.mark.parametrize(
    "params, errors",
    [
        (
            {"semester": "2018-S3"},
            {"semester": ["“2018-S3” is not a semester like 2017-S1 or 2017-S2."]},
        ),
        ({"semester": "1999-S1"}, {"semester": ["“1999” is not a year between 2000 and 2100."]}),
        ({"project": "nope"}, {"project": ["Unknown project “nope”."]}),
        ({"project": ["p", "q"]}, {"project": ["Give one value."]}),
        ({"colour": "red"}, {"colour": ["Unknown parameter."]}),
    ],
)
def test_a_parameter_not_understood_is_a_400_naming_it(
    project, manager, client_for, params, errors
):
    response = client_for(manager).get(URL, params)
    assert response.status_code == 400
    assert response.json() == errors


def test_who_may_read_it(project, client_for, stranger, partner_vdab, coordinator, le_forem):
    ProjectFactory(slug="q", lead_partner=le_forem)
    assert client_for(None).get(URL).status_code == 401
    assert client_for(stranger).get(URL).status_code == 403
    assert client_for(partner_vdab).get(URL).status_code == 403
    assert client_for(coordinator).get(URL, {"project": "q"}).status_code == 403
    assert client_for(coordinator).get(URL, {"project": "p"}).status_code == 200


def test_the_answer_is_a_fixed_number_of_queries(
    data, project, vdab, le_forem, manager, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = client_for(manager)
    api.get(URL, {"project": "p"})  # the roles, kept on the user object
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL, {"project": "p"}).status_code == 200
    for n in range(4):
        ActionFactory(project=project, status=ActionStatus.ONGOING, start_date=D(2018, 2, 1 + n))
        FigureFactory(action=ActionFactory(project=project), pes=None, value=n + 1)
        ParticipationFactory(
            action=CohortFactory(project=project, start_date=D(2018, 1, 1 + n), end_date=None),
            jobseeker=JobseekerFactory(pes=le_forem, birth_year=None),
        )
    with django_assert_num_queries(len(queries)):
        assert api.get(URL, {"project": "p"}).status_code == 200


def test_the_schema_documents_the_answer_and_its_errors(client, manager):
    client.force_login(manager)
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/data-quality/"]["get"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"project", "semester"}
