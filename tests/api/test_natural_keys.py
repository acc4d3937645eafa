"""Writes that name related records as a partner's system knows them: an action by its
reference, a jobseeker by its PES and reference, an organisation, sector, office or certificate
by slug, ids still taken; within the user's scope, with messages naming the unknown key. And
the action's new fields, its texts per language, its reference and its order by date."""

from __future__ import annotations

import datetime
import json
import re

import pytest

from actions.models import Action, Figure
from participants.models import Participation
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CertificateFactory,
    CompanyFactory,
    JobseekerFactory,
    OfficeFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    SectorFactory,
)
from tests.helpers import if_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


@pytest.fixture
def action(project):
    return ActionFactory(
        project=project, reference="GT-2017-JD", start_date=datetime.date(2017, 3, 1)
    )


@pytest.fixture
def partner_api(partner_vdab, client_for):
    return client_for(partner_vdab)


@pytest.fixture
def coordinator_api(coordinator, project, client_for):
    return client_for(coordinator)


def record(**values):
    return {"action": "GT-2017-JD", "status": "started", **values}


def test_a_partner_records_participation_by_references(partner_api, vdab, action):
    jobseeker = JobseekerFactory(pes=vdab, external_ref="VD-001")
    response = partner_api.post(
        "/api/v1/participations/",
        record(jobseeker={"pes": "vdab", "ref": " vd-001 "}, started_on="2017-03-01"),
        format="json",
    )
    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("action", "jobseeker", "jobseeker_ref", "pes")} == {
        "action": action.pk,
        "jobseeker": jobseeker.pk,
        "jobseeker_ref": "VD-001",
        "pes": "vdab",
    }
    # The PES left out is the user's own; the id still names the action.
    response = partner_api.post(
        "/api/v1/participations/",
        {"action": action.pk, "jobseeker": {"ref": "VD-001"}, "status": "completed"},
        format="json",
    )
    assert response.status_code == 200
    assert Participation.objects.get().status == "completed"


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        (
            {"action": "GT-NOPE", "jobseeker": {"ref": "VD-001"}},
            {"action": ['No action with reference "GT-NOPE" in your scope.']},
        ),
        (
            {"action": 999999, "jobseeker": {"ref": "VD-001"}},
            {"action": ["No action with id 999999 in your scope."]},
        ),
        (
            {"action": True, "jobseeker": {"ref": "VD-001"}},
            {"action": ["Must be the id of an action (an integer) or its reference."]},
        ),
        (
            {"action": "", "jobseeker": {"ref": "VD-001"}},
            {"action": ["May not be blank: give an id or a key."]},
        ),
        (
            {"jobseeker": {"ref": "VD-404"}},
            {"jobseeker": ['No jobseeker of vdab with reference "VD-404" in your scope.']},
        ),
        (
            {"jobseeker": "VD-001"},
            {
                "jobseeker": [
                    'Must be the id of a jobseeker (an integer) or {"pes": <slug>, "ref": '
                    "<reference>}."
                ]
            },
        ),
        (
            {"jobseeker": {"ref": " "}},
            {"jobseeker": ['The jobseeker\'s reference ("ref") may not be blank.']},
        ),
        (
            {"jobseeker": {"ref": "VD-001", "name": "x"}},
            {"jobseeker": ['Unknown field in the jobseeker\'s key: name; send "pes" and "ref".']},
        ),
        (
            {"jobseeker": {"ref": "VD-001"}, "hired_on": "2017-03-02", "hired_by": "nope"},
            {"hired_by": ['No organisation with slug "nope".']},
        ),
        (
            {"jobseeker": {"ref": "VD-001"}, "certificate": 999999},
            {"certificate": ["No certificate with id 999999."]},
        ),
    ],
)
def test_an_unknown_or_malformed_key_is_a_400_naming_it(partner_api, vdab, action, values, errors):
    JobseekerFactory(pes=vdab, external_ref="VD-001")
    response = partner_api.post("/api/v1/participations/", record(**values), format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Participation.objects.exists()


def test_another_pes_s_jobseeker_is_unknown_whether_it_exists_or_not(
    partner_api, vdab, le_forem, action
):
    theirs = JobseekerFactory(pes=le_forem, external_ref="LF-1")
    answers = [
        partner_api.post(
            "/api/v1/participations/",
            record(jobseeker={"pes": "le-forem", "ref": ref}),
            format="json",
        )
        for ref in ("LF-1", "LF-2")
    ]
    assert [answer.json() for answer in answers] == [
        {"jobseeker": ['No jobseeker of le-forem with reference "LF-1" in your scope.']},
        {"jobseeker": ['No jobseeker of le-forem with reference "LF-2" in your scope.']},
    ]
    response = partner_api.post(
        "/api/v1/participations/", record(jobseeker=theirs.pk), format="json"
    )
    assert response.json() == {"jobseeker": [f"No jobseeker of your PES has the id {theirs.pk}."]}
    assert not Participation.objects.exists()


def test_a_superuser_names_the_jobseeker_s_pes(superuser, client_for, vdab, action):
    JobseekerFactory(pes=vdab, external_ref="VD-001")
    client = client_for(superuser)
    response = client.post(
        "/api/v1/participations/", record(jobseeker={"ref": "VD-001"}), format="json"
    )
    assert response.json() == {
        "jobseeker": ['Give the jobseeker\'s PES ("pes"): you belong to no PES.']
    }
    response = client.post(
        "/api/v1/participations/",
        record(jobseeker={"pes": "vdab", "ref": "VD-001"}),
        format="json",
    )
    assert response.status_code == 201


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
def test_who_records_participation_by_references(role, expected, request, client_for, vdab, action):
    JobseekerFactory(pes=vdab, external_ref="VD-001")
    user = None if role == "anonymous" else request.getfixturevalue(role)
    response = client_for(user).post(
        "/api/v1/participations/", record(jobseeker={"ref": "VD-001"}), format="json"
    )
    assert response.status_code == expected


def test_the_employer_who_hired_and_the_certificate_by_slug_or_id(partner_api, vdab, action):
    koraton = CompanyFactory(slug="koraton")
    ActionEmployerFactory(action=action, organisation=koraton)
    caces = CertificateFactory(slug="caces")
    jobseeker = JobseekerFactory(pes=vdab, external_ref="VD-001")
    values = {
        "jobseeker": jobseeker.pk,
        "started_on": "2017-03-01",
        "hired_on": "2017-03-10",
        "certified_on": "2017-03-05",
    }
    for hired_by, certificate in (("koraton", caces.pk), (koraton.pk, "caces")):
        response = partner_api.post(
            "/api/v1/participations/",
            record(**values, hired_by=hired_by, certificate=certificate),
            format="json",
        )
        assert response.status_code in (200, 201)
        assert (response.json()["hired_by"], response.json()["certificate"]) == (
            "koraton",
            "caces",
        )
    # And by PATCH.
    participation = Participation.objects.get()
    response = partner_api.patch(
        f"/api/v1/participations/{participation.pk}/",
        {"hired_by": None, "hired_on": None},
        format="json",
        **if_match(participation),
    )
    assert response.status_code == 200
    assert response.json()["hired_by"] is None


def test_a_figure_by_the_action_s_reference_and_the_pes_s_id(coordinator_api, vdab, action):
    response = coordinator_api.post(
        "/api/v1/figures/",
        {"action": "GT-2017-JD", "metric": "starts", "pes": vdab.pk, "value": 7},
        format="json",
    )
    assert response.status_code == 201
    figure = Figure.objects.get()
    assert (figure.action, figure.pes, figure.value) == (action, vdab, 7)
    theirs = ActionFactory(project=ProjectFactory(slug="someone-elses"), reference="THEIRS")
    response = coordinator_api.post(
        "/api/v1/figures/",
        {"action": theirs.reference, "metric": "starts", "pes": "vdab", "value": 7},
        format="json",
    )
    assert response.json() == {"action": ['No action you may change has the reference "THEIRS".']}
    response = coordinator_api.post(
        "/api/v1/figures/",
        {"action": "GT-2017-JD", "metric": "starts", "pes": "nowhere", "value": 7},
        format="json",
    )
    assert response.json() == {"pes": ['No public employment service with slug "nowhere".']}


ACTION = {
    "project": "grenzeloos-tewerkstellen",
    "action_type": "training",
    "title_nl": "Opleiding lasser",
    "title_fr": "Formation soudeur",
    "year": 2018,
    "semester": "2018-S2",
    "period_month": 9,
    "period_note_nl": "najaar",
    "period_note_fr": "automne",
    "description_en": "Welders for the border region.",
    "place_fr": "Tournai",
    "workshops": 4,
    "workshop_note_nl": "afwisselend in Frankrijk en België",
    "language_note_fr": "deux semaines de néerlandais intensif",
    "reviews_en": "a mid-way and a final review",
    "outcomes_expected_on": "2019-03-01",
    "outcomes_note_en": "outflow expected early 2019",
}


@pytest.fixture
def organisations(vdab):
    return {
        "school": OrganisationFactory(slug="cvo-ieper"),
        "tester": OrganisationFactory(slug="iiw"),
        "office": OfficeFactory(slug="vdab-ieper"),
        "sector": SectorFactory(slug="industry"),
        "certificate": CertificateFactory(slug="welder-eu"),
    }


def test_an_action_with_its_new_fields_and_texts_per_language(coordinator_api, vdab, organisations):
    data = {
        **ACTION,
        "taught_by": ["cvo-ieper", organisations["tester"].pk],
        "tested_by": ["iiw"],
        "presenters": [vdab.pk],
        "organisers": ["vdab"],
        "offices": [organisations["office"].pk],
        "sector": organisations["sector"].pk,
        "certificates": ["welder-eu"],
    }
    response = coordinator_api.post("/api/v1/actions/", data, format="json")
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"grenzeloos-tewerkstellen-2018-[0-9a-f]{8}", body["reference"])
    assert {name: body[name] for name in ACTION if name != "project"} == {
        **{name: value for name, value in ACTION.items() if name != "project"}
    }
    assert {name: body[name] for name in ("taught_by", "tested_by", "presenters")} == {
        "taught_by": ["cvo-ieper", "iiw"],
        "tested_by": ["iiw"],
        "presenters": ["vdab"],
    }
    assert (body["offices"], body["sector"], body["certificates"]) == (
        ["vdab-ieper"],
        "industry",
        ["welder-eu"],
    )
    # No English title: the title falls back to Dutch; the first of September sorts it.
    assert (body["title"], body["sort_date"]) == ("Opleiding lasser", "2018-09-01")
    action = Action.objects.get(pk=body["id"])
    detail = coordinator_api.get(f"/api/v1/actions/{action.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert (detail.json()["title"], detail.json()["place"], detail.json()["period_note"]) == (
        "Formation soudeur",
        "Tournai",
        "automne",
    )
    # The same through the list, which builds its rows another way.
    listed = coordinator_api.get("/api/v1/actions/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"]
    assert listed == [detail.json()]


def test_an_action_needs_a_title_in_one_language_at_least(coordinator_api, organisations):
    data = {**ACTION, "title_nl": "", "title_fr": " "}
    response = coordinator_api.post("/api/v1/actions/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "title": ["Give a title in one language at least: title_en, title_nl, title_fr."]
    }


def test_an_action_keeps_its_reference(coordinator_api, action):
    url = f"/api/v1/actions/{action.pk}/"
    response = coordinator_api.patch(url, {"reference": " "}, format="json", **if_match(action))
    assert response.status_code == 400
    assert response.json() == {
        "reference": ["May not be blank: clients find the action by its reference."]
    }
    response = coordinator_api.patch(
        url, {"reference": " GT-2017-JD-2 "}, format="json", **if_match(action)
    )
    assert response.json()["reference"] == "GT-2017-JD-2"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organisers", ["vdab", "nope"], 'No organisation with slug "nope".'),
        ("taught_by", [999999], "No organisation with id 999999."),
        ("offices", ["nowhere"], 'No office with slug "nowhere".'),
        ("sector", "farming", 'No sector with slug "farming".'),
        (
            "certificates",
            [{"slug": "x"}],
            "Must be the id of a certificate (an integer) or its slug.",
        ),
        ("period_month", 13, "Ensure this value is less than or equal to 12."),
    ],
)
def test_an_unknown_related_record_of_an_action_is_a_400(
    coordinator_api, organisations, field, value, message
):
    response = coordinator_api.post("/api/v1/actions/", {**ACTION, field: value}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Action.objects.exists()


def test_a_manager_writes_no_action(manager, client_for, project, organisations):
    response = client_for(manager).post("/api/v1/actions/", ACTION, format="json")
    assert response.status_code == 403


def test_the_list_is_ordered_by_the_date_an_action_sorts_on(partner_api, project):
    ActionFactory(project=project, reference="AUG", start_date=datetime.date(2018, 8, 1))
    ActionFactory(project=project, reference="OCT", start_date=datetime.date(2018, 10, 1))
    september = ActionFactory(
        project=project, reference="SEP", start_date=None, year=2018, semester="2018-S2"
    )
    september.period_month = 9
    september.save()

    def references(**query):
        results = partner_api.get("/api/v1/actions/", query).json()["results"]
        return [row["reference"] for row in results]

    assert references() == ["AUG", "SEP", "OCT"]
    assert references(ordering="start_date") == ["AUG", "SEP", "OCT"]
    assert references(ordering="-start_date") == ["OCT", "SEP", "AUG"]
    assert references(ordering="-sort_date") == ["OCT", "SEP", "AUG"]
    assert references(ordering="reference") == ["AUG", "OCT", "SEP"]


def test_the_schema_takes_an_id_or_a_key_and_bounds_the_pushes(partner_api):
    response = partner_api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    components = schema["components"]["schemas"]
    write = components["ParticipationWriteRequest"]["properties"]
    assert [option["type"] for option in write["action"]["oneOf"]] == ["integer", "string"]
    assert [option["type"] for option in write["jobseeker"]["oneOf"]] == ["integer", "object"]
    assert write["jobseeker"]["oneOf"][1]["required"] == ["ref"]
    for name, items in (
        ("ParticipationPushRequest", "participations"),
        ("FigurePushRequest", "figures"),
    ):
        pushed = components[name]["properties"][items]
        assert (pushed["minItems"], pushed["maxItems"]) == (1, 5000)
    push = schema["paths"]["/api/v1/participations/push/"]["post"]
    assert set(push["responses"]) >= {"200", "400", "401", "403", "429"}
    assert "one request for the throttle" in push["description"]
