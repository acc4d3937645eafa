"""Writes through the API: the model's rules with its messages by field, unknown fields refused,
idempotent pushes, all in a transaction, never a 500."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from actions.models import Action, Figure
from participants.models import Jobseeker, Participation
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CohortFactory,
    CompanyFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)
from tests.helpers import if_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


@pytest.fixture
def coordinator_api(coordinator, project, client_for):
    return client_for(coordinator)


@pytest.fixture
def partner_api(partner_vdab, client_for):
    return client_for(partner_vdab)


ACTION = {
    "project": "grenzeloos-tewerkstellen",
    "action_type": "guidance_cohort",
    "title_en": "Guidance cohort Ieper",
    "title_fr": "Action d'accompagnement Ypres",
    "start_date": "2019-01-07",
    "end_date": "2019-04-05",
    "status": "planned",
    "capacity": 12,
    "organisers": ["vdab", "pole-emploi"],
}


@pytest.fixture(autouse=True)
def organisers(vdab, pole_emploi):
    return [vdab, pole_emploi]


def test_coordinator_creates_an_action(coordinator_api, pole_emploi):
    response = coordinator_api.post("/api/v1/actions/", ACTION, format="json")
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("year", "semester", "title", "title_fr", "project")} == {
        "year": 2019,
        "semester": "2019-S1",
        "title": "Guidance cohort Ieper",
        "title_fr": "Action d'accompagnement Ypres",
        "project": "grenzeloos-tewerkstellen",
    }
    assert sorted(body["organisers"]) == ["pole-emploi", "vdab"]
    assert Action.objects.get(pk=body["id"]).organisers.count() == 2


def test_an_action_known_only_by_its_period(coordinator_api):
    data = {
        "project": "grenzeloos-tewerkstellen",
        "action_type": "job_fair",
        "title_en": "Online job fair",
        "year": 2018,
        "semester": "2018-S2",
        "period_note": "autumn",
    }
    response = coordinator_api.post("/api/v1/actions/", data, format="json")
    assert response.status_code == 201
    assert response.json()["semester"] == "2018-S2"


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"end_date": "2019-05-07"},
            {
                "end_date": [
                    "A guidance cohort lasts at most 3 months: end on 2019-04-07 at the latest."
                ]
            },
        ),
        ({"capacity": 13}, {"capacity": ["A guidance cohort takes at most 12 jobseekers."]}),
        (
            {"status": "cancelled"},
            {"cancellation_reason": ["Required for a cancelled action: say why."]},
        ),
        ({"end_date": "2018-12-31"}, {"end_date": ["May not be before the start date."]}),
        ({"action_type": "picnic"}, {"action_type": ['"picnic" is not a valid choice.']}),
        ({"start_date": "07/01/2019"}, None),
    ],
)
def test_an_action_breaking_a_rule_is_a_400_with_the_admins_message(
    coordinator_api, change, errors
):
    response = coordinator_api.post("/api/v1/actions/", {**ACTION, **change}, format="json")
    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    else:
        assert list(response.json()) == ["start_date"]
    assert not Action.objects.exists()


def test_a_period_without_dates_needs_a_year(coordinator_api):
    data = {"project": "grenzeloos-tewerkstellen", "action_type": "training", "title_en": "X"}
    response = coordinator_api.post("/api/v1/actions/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {"year": ["This field cannot be null."]}


def test_a_reference_is_unique(coordinator_api, project):
    ActionFactory(project=project, reference="gt-2019-cohort")
    response = coordinator_api.post(
        "/api/v1/actions/", {**ACTION, "reference": "gt-2019-cohort"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Reference: another action already has it."]}


def test_unknown_fields_are_refused_by_name(coordinator_api):
    response = coordinator_api.post(
        "/api/v1/actions/", {**ACTION, "titel": "typo", "id": 3}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"id": ["Unknown field."], "titel": ["Unknown field."]}


@pytest.mark.parametrize(
    ("language", "message"), [("nl", "Onbekend veld."), ("fr", "Champ inconnu.")]
)
def test_the_refusal_speaks_the_language_asked(coordinator_api, language, message):
    response = coordinator_api.post(
        "/api/v1/actions/",
        {**ACTION, "titel": "typo"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json() == {"titel": [message]}


def test_coordinator_changes_an_action(coordinator_api, project):
    action = CohortFactory(project=project)
    response = coordinator_api.patch(
        f"/api/v1/actions/{action.pk}/",
        {"status": "cancelled", "cancellation_reason": "No candidates."},
        format="json",
        **if_match(action),
    )
    assert response.status_code == 200
    action.refresh_from_db()
    assert (action.status, action.cancellation_reason) == ("cancelled", "No candidates.")
    response = coordinator_api.patch(
        f"/api/v1/actions/{action.pk}/",
        {"cancellation_reason": ""},
        format="json",
        **if_match(action),
    )
    assert response.json() == {"cancellation_reason": ["Required for a cancelled action: say why."]}


def test_figures_are_set_again_not_duplicated(coordinator_api, project, vdab):
    action = ActionFactory(project=project)
    data = {"action": action.pk, "metric": "starts", "pes": "vdab", "value": 11}
    first = coordinator_api.post("/api/v1/figures/", data, format="json")
    assert first.status_code == 201
    again = coordinator_api.post("/api/v1/figures/", {**data, "value": 12}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert list(Figure.objects.values_list("value", flat=True)) == [12]
    unsplit = coordinator_api.post(
        "/api/v1/figures/",
        {"action": action.pk, "metric": "starts", "value": 200, "is_lower_bound": True},
        format="json",
    )
    assert unsplit.status_code == 201
    assert unsplit.json()["pes"] is None


def test_a_figure_breaking_a_rule_is_a_400(coordinator_api, project, vdab):
    action = ActionFactory(project=project)
    response = coordinator_api.post(
        "/api/v1/figures/",
        {"action": action.pk, "metric": "vacancies", "pes": "vdab", "value": 3},
        format="json",
    )
    assert response.json() == {
        "pes": ["Employers, agencies and vacancies belong to no PES: leave it empty."]
    }
    cohort = CohortFactory(project=project)
    response = coordinator_api.post(
        "/api/v1/figures/",
        {"action": cohort.pk, "metric": "starts", "pes": "vdab", "value": 13},
        format="json",
    )
    assert response.json() == {
        "value": [
            "A guidance cohort takes at most 12 jobseekers; with this figure it would have 13."
        ]
    }
    response = coordinator_api.post(
        "/api/v1/figures/",
        {"action": action.pk, "metric": "actions", "pes": "ibm", "value": -1},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"metric", "pes", "value"}


def test_a_figure_changes_its_value_only(coordinator_api, project, vdab):
    figure = FigureFactory(action=ActionFactory(project=project), pes=vdab, value=3)
    response = coordinator_api.patch(
        f"/api/v1/figures/{figure.pk}/",
        {"value": 4, "note": "counted again"},
        format="json",
        **if_match(figure),
    )
    assert response.status_code == 200
    assert (response.json()["value"], response.json()["note"]) == (4, "counted again")
    response = coordinator_api.patch(
        f"/api/v1/figures/{figure.pk}/", {"metric": "hires"}, format="json", **if_match(figure)
    )
    assert response.json() == {"metric": ["Unknown field."]}


PUSH = {
    "jobseekers": [
        {"external_ref": "VD-001", "given_name": "Anna", "family_name": "Peeters"},
        {"external_ref": "VD-002", "birth_year": 1985, "education_level": "isced_0_2"},
    ]
}


def test_pushing_the_same_list_twice_gives_the_same_rows(partner_api, vdab):
    first = partner_api.post("/api/v1/jobseekers/push/", PUSH, format="json")
    assert first.status_code == 200
    assert (first.json()["created"], first.json()["updated"]) == (2, 0)
    rows = list(Jobseeker.objects.order_by("pk").values())
    second = partner_api.post("/api/v1/jobseekers/push/", PUSH, format="json")
    assert (second.json()["created"], second.json()["updated"]) == (0, 2)
    assert list(Jobseeker.objects.order_by("pk").values()) == rows
    assert [r["id"] for r in second.json()["results"]] == [r["id"] for r in first.json()["results"]]
    assert {r["pes"] for r in first.json()["results"]} == {"vdab"}


def test_a_push_updates_what_changed(partner_api, vdab):
    JobseekerFactory(pes=vdab, external_ref="VD-001", birth_year=1990)
    response = partner_api.post(
        "/api/v1/jobseekers/push/",
        {"jobseekers": [{"external_ref": "VD-001", "birth_year": 1991}]},
        format="json",
    )
    assert (response.json()["created"], response.json()["updated"]) == (0, 1)
    assert Jobseeker.objects.get().birth_year == 1991


def test_a_push_is_all_or_nothing(partner_api, vdab):
    data = {
        "jobseekers": [
            {"external_ref": "VD-001"},
            {"external_ref": "VD-002", "birth_year": 1850, "colour": "red"},
            {"external_ref": "  "},
        ]
    }
    response = partner_api.post("/api/v1/jobseekers/push/", data, format="json")
    assert response.status_code == 400
    # A field no item takes is refused first, by its place (crossborder.api.base).
    assert response.json() == {"jobseekers.1.colour": ["Unknown field."]}
    data["jobseekers"][1].pop("colour")
    data["jobseekers"].pop()
    response = partner_api.post("/api/v1/jobseekers/push/", data, format="json")
    assert response.json() == {
        "jobseekers": {"1": {"birth_year": ["Ensure this value is greater than or equal to 1900."]}}
    }
    assert not Jobseeker.objects.exists()


def test_a_push_needs_a_list(partner_api, vdab):
    assert partner_api.post("/api/v1/jobseekers/push/", {}, format="json").json() == {
        "jobseekers": ["This field is required."]
    }
    assert partner_api.post(
        "/api/v1/jobseekers/push/", {"jobseekers": []}, format="json"
    ).json() == {"jobseekers": {"non_field_errors": ["This list may not be empty."]}}


def test_posting_a_jobseeker_again_updates_it(partner_api, vdab):
    first = partner_api.post(
        "/api/v1/jobseekers/", {"external_ref": "VD-9", "is_refugee": True}, format="json"
    )
    again = partner_api.post(
        "/api/v1/jobseekers/", {"external_ref": "VD-9", "is_refugee": False}, format="json"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert Jobseeker.objects.get().is_refugee is False


def test_a_jobseeker_changes_but_not_its_pes(partner_api, vdab):
    jobseeker = JobseekerFactory(pes=vdab)
    response = partner_api.patch(
        f"/api/v1/jobseekers/{jobseeker.pk}/",
        {"family_name": "Claes"},
        format="json",
        **if_match(jobseeker),
    )
    assert response.json()["family_name"] == "Claes"
    response = partner_api.patch(
        f"/api/v1/jobseekers/{jobseeker.pk}/",
        {"pes": "le-forem"},
        format="json",
        **if_match(jobseeker),
    )
    assert response.json() == {"pes": ["Unknown field."]}


def test_an_erased_jobseeker_cannot_be_filled_in_again(partner_api, vdab):
    from django.utils import timezone

    jobseeker = JobseekerFactory(pes=vdab, external_ref="", erased_at=timezone.now())
    response = partner_api.patch(
        f"/api/v1/jobseekers/{jobseeker.pk}/",
        {"family_name": "Claes"},
        format="json",
        **if_match(jobseeker),
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This jobseeker's data was erased; it cannot be changed."]
    }


def test_a_reference_taken_by_another_jobseeker_is_a_400(partner_api, vdab):
    JobseekerFactory(pes=vdab, external_ref="VD-1")
    other = JobseekerFactory(pes=vdab, external_ref="VD-2")
    response = partner_api.patch(
        f"/api/v1/jobseekers/{other.pk}/",
        {"external_ref": "VD-1"},
        format="json",
        **if_match(other),
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This PES already has a jobseeker with this reference."]
    }


def test_participation_is_pushed_again_without_duplicates(partner_api, vdab):
    action = ActionFactory()
    jobseeker = JobseekerFactory(pes=vdab)
    data = {"action": action.pk, "jobseeker": jobseeker.pk, "status": "started"}
    first = partner_api.post("/api/v1/participations/", data, format="json")
    assert first.status_code == 201
    assert first.json()["pes"] == "vdab"
    employer = CompanyFactory(slug="koraton")
    # Present at the action: only its employers may hire its participants.
    ActionEmployerFactory(action=action, organisation=employer)
    again = partner_api.post(
        "/api/v1/participations/",
        {**data, "status": "completed", "hired_on": "2017-12-04", "hired_by": "koraton"},
        format="json",
    )
    assert again.status_code == 200
    participation = Participation.objects.get()
    assert (participation.status, participation.hired_by) == ("completed", employer)


def test_participation_breaking_a_rule_is_a_400(partner_api, vdab):
    action = ActionFactory()
    jobseeker = JobseekerFactory(pes=vdab)
    response = partner_api.post(
        "/api/v1/participations/",
        {
            "action": action.pk,
            "jobseeker": jobseeker.pk,
            "status": "interested",
            "placed_on": "2018-01-02",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "placed_on": ["Only for a jobseeker who started: change the status first."]
    }
    FigureFactory(action=action, pes=vdab, metric="starts", value=3)
    response = partner_api.post(
        "/api/v1/participations/",
        {"action": action.pk, "jobseeker": jobseeker.pk, "status": "started"},
        format="json",
    )
    assert response.json() == {
        "jobseeker": [
            "VDAB already gave aggregate figures for this action; its jobseekers are counted "
            "from those. Delete the figures before adding individual records."
        ]
    }
    assert not Participation.objects.exists()


def test_participation_changes_keep_action_and_jobseeker(partner_api, vdab):
    participation = ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    response = partner_api.patch(
        f"/api/v1/participations/{participation.pk}/",
        {"status": "completed", "completed_on": "2017-12-20"},
        format="json",
        **if_match(participation),
    )
    assert response.status_code == 200
    assert response.json()["completed_on"] == "2017-12-20"
    response = partner_api.patch(
        f"/api/v1/participations/{participation.pk}/",
        {"status": "started"},
        format="json",
        **if_match(participation),
    )
    assert response.json() == {"completed_on": ["Only for a completed participation."]}
    response = partner_api.patch(
        f"/api/v1/participations/{participation.pk}/",
        {"action": 1},
        format="json",
        **if_match(participation),
    )
    assert response.json() == {"action": ["Unknown field."]}


def test_a_database_conflict_is_a_400_not_a_500(partner_api, vdab, monkeypatch):
    """Two pushes at the same time can both pass validation; the database refuses the second."""

    def conflict(**kwargs: object) -> None:
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr("participants.api.jobseeker_upsert", conflict)
    response = partner_api.post("/api/v1/jobseekers/", {"external_ref": "VD-1"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "The change conflicts with data written at the same time; send it again."
        ]
    }


def test_malformed_json_is_a_400(partner_api, vdab):
    response = partner_api.post("/api/v1/jobseekers/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["detail"]


def test_a_push_refused_by_the_model_rolls_back_what_it_wrote(partner_api, vdab, monkeypatch):
    from django.core.exceptions import ValidationError

    from participants import services

    def upsert(**values: object):
        if values["external_ref"] == "VD-002":
            raise ValidationError({"birth_year": ["Refused by the model."]})
        return services.jobseeker_upsert(**values)

    monkeypatch.setattr("participants.api.jobseeker_upsert", upsert)
    response = partner_api.post("/api/v1/jobseekers/push/", PUSH, format="json")
    assert response.status_code == 400
    assert response.json() == {"jobseekers": {"1": {"birth_year": ["Refused by the model."]}}}
    assert not Jobseeker.objects.exists()
