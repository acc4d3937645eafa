"""/api/v1/reporting-periods/: the list and its filters, scoped by role; the steps (submit,
approve, return, reopen) with an allowed user and a stranger; the lock seen through the API's
writes; two steps at once."""

from __future__ import annotations

import datetime
import threading

import pytest
import yaml
from django.contrib.auth.models import Group
from django.db import connection

from actions.models import Figure
from crossborder.core.metrics import Metric
from participants.models import Participation
from projects.models import PartnerRole, PeriodStatus, ReportingPeriod
from projects.roles import COORDINATOR
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    MembershipFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/reporting-periods/"


@pytest.fixture
def project(vdab, le_forem):
    project = ProjectFactory(slug="grenzeloos", name="Grenzeloos")
    ProjectPartnerFactory(project=project, organisation=vdab, role=PartnerRole.PARTNER)
    ProjectPartnerFactory(project=project, organisation=le_forem, role=PartnerRole.LEAD)
    return project


@pytest.fixture
def action(project):
    return ActionFactory(project=project, start_date=datetime.date(2018, 2, 10))


@pytest.fixture
def period(project, vdab, action):
    return ReportingPeriod.objects.create(project=project, year=2018, semester="2018-S1", pes=vdab)


@pytest.fixture
def lead_coordinator(le_forem):
    user = UserFactory(username="coordinator-le-forem")
    user.groups.add(Group.objects.get(name=COORDINATOR))
    MembershipFactory(user=user, organisation=le_forem)
    return user


def set_status(period, status):
    ReportingPeriod.objects.filter(pk=period.pk).update(status=status)


def test_the_list_has_a_period_for_each_semester_and_partner_pes(
    client_for, manager, project, action
):
    ActionFactory(project=project, start_date=datetime.date(2018, 9, 1))

    response = client_for(manager).get(URL)

    assert response.status_code == 200
    rows = [(r["project"], r["period"], r["pes"], r["status"]) for r in response.json()["results"]]
    assert rows == [
        ("grenzeloos", "2018-S1", "le-forem", "open"),
        ("grenzeloos", "2018-S1", "vdab", "open"),
        ("grenzeloos", "2018-S2", "le-forem", "open"),
        ("grenzeloos", "2018-S2", "vdab", "open"),
    ]


def test_a_period_shows_its_steps(client_for, coordinator, manager, period):
    api = client_for(coordinator)
    submitted = api.post(f"{URL}{period.pk}/submit/", {"comment": "Our figures"}, format="json")
    assert submitted.status_code == 200
    approved = client_for(manager).post(f"{URL}{period.pk}/approve/", {}, format="json")
    assert approved.status_code == 200

    body = api.get(f"{URL}{period.pk}/").json()
    for step in body["transitions"]:
        step.pop("at")
    assert body == {
        "id": period.pk,
        "project": "grenzeloos",
        "year": 2018,
        "semester": "2018-S1",
        "period": "2018-S1",
        "pes": "vdab",
        "status": "approved",
        "transitions": [
            {
                "kind": "submit",
                "status": "submitted",
                "by": "coordinator-vdab",
                "comment": "Our figures",
            },
            {"kind": "approve", "status": "approved", "by": "manager-vdab", "comment": ""},
        ],
    }


def test_who_sees_the_periods(
    client_for, manager, coordinator, partner_vdab, stranger, period, vdab
):
    elsewhere = ReportingPeriod.objects.create(
        project=ProjectFactory(slug="elsewhere"), year=2018, semester="2018-S1", pes=vdab
    )
    assert {r["id"] for r in client_for(manager).get(URL).json()["results"]} >= {
        period.pk,
        elsewhere.pk,
    }
    coordinator_ids = {r["id"] for r in client_for(coordinator).get(URL).json()["results"]}
    assert period.pk in coordinator_ids
    assert elsewhere.pk not in coordinator_ids
    assert client_for(coordinator).get(f"{URL}{elsewhere.pk}/").status_code == 404
    partner = client_for(partner_vdab).get(URL)
    assert partner.status_code == 403
    assert partner.json() == {"detail": "Reporting periods are for managers and coordinators."}
    assert client_for(stranger).get(URL).status_code == 403
    assert client_for(None).get(URL).status_code == 401


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("project=grenzeloos&pes=vdab", [("2018-S1", "vdab")]),
        ("semester=2018-S1&pes=le-forem", [("2018-S1", "le-forem")]),
        ("status=submitted", [("2018-S1", "vdab")]),
        ("year=2018&status=approved", []),
        ("project=unknown", []),
        ("semester=2019-S2", []),
    ],
)
def test_the_filters(client_for, manager, period, query, expected):
    set_status(period, PeriodStatus.SUBMITTED)
    response = client_for(manager).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert [(r["period"], r["pes"]) for r in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [("semester=2018-S3", "semester"), ("status=locked", "status"), ("year=1850", "year")],
)
def test_a_bad_filter_is_a_400_naming_it(client_for, manager, period, query, field):
    response = client_for(manager).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_list_is_empty_without_actions(client_for, manager, project):
    response = client_for(manager).get(URL)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_list_query_count_does_not_grow_with_periods(
    client_for, manager, project, django_assert_num_queries
):
    api = client_for(manager)
    for month in (2, 9):
        ActionFactory(project=project, start_date=datetime.date(2018, month, 1))
    api.get(URL)
    # The rows to add (the semesters with actions, the partners, the rows held), the count,
    # the page, the steps with their users.
    with django_assert_num_queries(6):
        assert len(api.get(URL).json()["results"]) == 4
    for year in (2019, 2020):
        ActionFactory(project=project, start_date=datetime.date(year, 2, 1))
    api.get(URL)
    with django_assert_num_queries(6):
        assert len(api.get(URL).json()["results"]) == 8


def test_the_whole_life_cycle_with_a_stranger_at_each_step(
    client_for, coordinator, manager, lead_coordinator, partner_vdab, stranger, period
):
    def post(user, step, comment=None):
        body = {} if comment is None else {"comment": comment}
        return client_for(user).post(f"{URL}{period.pk}/{step}/", body, format="json")

    assert post(stranger, "submit").status_code == 403
    assert post(partner_vdab, "submit").status_code == 403
    refused = post(manager, "submit")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Only a coordinator of VDAB who takes part in the project may submit this period."
    }
    assert post(coordinator, "submit").json()["status"] == "submitted"

    assert post(coordinator, "approve").status_code == 403
    returned = post(lead_coordinator, "return")
    assert returned.status_code == 400
    assert returned.json() == {
        "comment": ["Say what the PES should correct before it submits again."]
    }
    assert post(lead_coordinator, "return", "Hires missing").json()["status"] == "returned"
    assert post(coordinator, "submit").json()["status"] == "submitted"
    assert post(stranger, "approve").status_code == 403
    assert post(lead_coordinator, "approve").json()["status"] == "approved"

    assert post(lead_coordinator, "reopen", "Late hire").status_code == 403
    assert post(manager, "reopen").status_code == 400
    reopened = post(manager, "reopen", "Late hire")
    assert reopened.status_code == 200
    assert [(t["kind"], t["by"]) for t in reopened.json()["transitions"]] == [
        ("submit", "coordinator-vdab"),
        ("return", "coordinator-le-forem"),
        ("submit", "coordinator-vdab"),
        ("approve", "coordinator-le-forem"),
        ("reopen", "manager-vdab"),
    ]


def test_a_step_the_status_does_not_allow_is_a_409(client_for, manager, period):
    response = client_for(manager).post(f"{URL}{period.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The period is open: only a submitted period can be approved."
    }


def test_a_bad_body_is_a_400(client_for, coordinator, period):
    api = client_for(coordinator)
    response = api.post(f"{URL}{period.pk}/submit/", {"note": "x"}, format="json")
    assert response.json() == {"note": ["Unknown field."]}
    response = api.post(f"{URL}{period.pk}/submit/", {"comment": "x" * 2001}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["comment"]
    assert api.post(f"{URL}999999/submit/", {}, format="json").status_code == 404
    assert api.get(f"{URL}abc/").status_code == 404


@pytest.mark.parametrize("status", [PeriodStatus.SUBMITTED, PeriodStatus.APPROVED])
def test_the_apis_writes_are_refused_in_a_locked_period(
    client_for, coordinator, partner_vdab, period, action, project, vdab, status
):
    other = ActionFactory(project=project, start_date=datetime.date(2018, 3, 1))
    figure = FigureFactory(action=other, pes=vdab, metric=Metric.STARTS, value=3)
    record = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    set_status(period, status)
    coordinators, partners = client_for(coordinator), client_for(partner_vdab)

    response = coordinators.post(
        "/api/v1/figures/",
        {"action": other.pk, "metric": "starts", "pes": "vdab", "value": 9},
        format="json",
    )
    assert response.status_code == 400
    [message] = response.json()["non_field_errors"]
    assert message.startswith(f"The reporting period Grenzeloos, 2018-S1, VDAB is {status}")
    # Based on the figure's current version, when the detail gives one (If-Match).
    etag = coordinators.get(f"/api/v1/figures/{figure.pk}/").headers.get("ETag")
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    response = coordinators.delete(f"/api/v1/figures/{figure.pk}/?reason=typo", **headers)
    assert response.status_code == 400
    assert response.json()["non_field_errors"][0].startswith("The reporting period Grenzeloos")
    response = partners.post(
        "/api/v1/participations/",
        {
            "action": action.pk,
            "jobseeker": JobseekerFactory(pes=vdab).pk,
            "status": "started",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(Figure.objects.values_list("value", flat=True)) == [3]
    assert list(Participation.objects.values_list("pk", flat=True)) == [record.pk]


def test_the_schema_documents_the_steps(client, manager):
    client.force_login(manager)
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    for step in ("submit", "approve", "return", "reopen"):
        operation = schema["paths"][f"/api/v1/reporting-periods/{{id}}/{step}/"]["post"]
        assert {"200", "400", "401", "403", "404", "409", "429"} <= set(operation["responses"])
    parameters = {
        p["name"] for p in schema["paths"]["/api/v1/reporting-periods/"]["get"]["parameters"]
    }
    assert {"project", "semester", "year", "pes", "status"} <= parameters


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL (SQLite has none)"
)
@pytest.mark.parametrize("step", ["submit", "approve"])
def test_two_steps_at_once_give_one_200_and_one_409(
    client_for, coordinator, manager, lead_coordinator, period, monkeypatch, step
):
    from projects import periods as periods_module

    if step == "approve":
        set_status(period, PeriodStatus.SUBMITTED)
        users = [manager, lead_coordinator]
    else:
        second = UserFactory(username="coordinator-vdab-2")
        second.groups.add(Group.objects.get(name=COORDINATOR))
        MembershipFactory(user=second, organisation=period.pes)
        users = [coordinator, second]
    service = periods_module.period_transition
    both_read = threading.Barrier(2, timeout=10)

    def after_both_read(**kwargs):
        # Both requests hold the period as open (or submitted) before either takes the step.
        both_read.wait()
        return service(**kwargs)

    monkeypatch.setattr(periods_module, "period_transition", after_both_read)
    answers: list[int] = []

    def take(user) -> None:
        try:
            response = client_for(user).post(f"{URL}{period.pk}/{step}/", {}, format="json")
            answers.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [200, 409]
    assert ReportingPeriod.objects.get(pk=period.pk).transitions.count() == 1
