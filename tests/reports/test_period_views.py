"""The reporting periods' pages: the list with what is missing, its filters and scope; a
period's page with its actions, its steps and the buttons of the user's steps."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus
from projects.models import PartnerRole, PeriodStatus, ReportingPeriod
from projects.roles import COORDINATOR
from tests.factories import (
    ActionFactory,
    FigureFactory,
    MembershipFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("reports:periods")


@pytest.fixture
def project(vdab, le_forem):
    project = ProjectFactory(slug="grenzeloos", name="Grenzeloos")
    ProjectPartnerFactory(project=project, organisation=vdab, role=PartnerRole.PARTNER)
    ProjectPartnerFactory(project=project, organisation=le_forem, role=PartnerRole.LEAD)
    return project


@pytest.fixture
def actions(project, vdab):
    """2018-S1: a completed jobdating with VDAB's figures, a completed one with nothing, and a
    visit planned for a day long past."""
    with_figures = ActionFactory(
        project=project, title="With figures", start_date=datetime.date(2018, 2, 1)
    )
    FigureFactory(action=with_figures, pes=vdab, metric=Metric.STARTS, value=7)
    silent = ActionFactory(project=project, title="Silent", start_date=datetime.date(2018, 3, 1))
    overdue = ActionFactory(
        project=project,
        title="Overdue",
        start_date=datetime.date(2018, 4, 1),
        status=ActionStatus.PLANNED,
    )
    return with_figures, silent, overdue


@pytest.fixture
def lead_coordinator(le_forem):
    user = UserFactory(username="coordinator-le-forem")
    user.groups.add(Group.objects.get(name=COORDINATOR))
    MembershipFactory(user=user, organisation=le_forem)
    return user


def rows(response) -> list[tuple]:
    return [
        (
            p.project.slug,
            p.period_label,
            p.pes.slug,
            p.status,
            p.action_count,
            p.silent_count,
            p.overdue_count,
        )
        for p in response.context["periods"]
    ]


def period_of(project, pes) -> ReportingPeriod:
    return ReportingPeriod.objects.get(project=project, semester="2018-S1", pes=pes)


def test_a_manager_sees_every_period_with_what_is_missing(client, manager, actions, vdab):
    client.force_login(manager)
    response = client.get(LIST)
    assert response.status_code == 200
    assert rows(response) == [
        ("grenzeloos", "2018-S1", "le-forem", "open", 3, 2, 1),
        ("grenzeloos", "2018-S1", "vdab", "open", 3, 1, 1),
    ]
    page = response.content.decode()
    detail = reverse("reports:period-detail", args=[period_of(actions[0].project, vdab).pk])
    assert f'href="{detail}"' in page


def test_a_coordinator_sees_the_periods_of_its_projects_only(
    client, coordinator, actions, le_forem
):
    ActionFactory(project=ProjectFactory(slug="not-ours"), start_date=datetime.date(2018, 2, 1))
    ProjectPartnerFactory(project=ProjectFactory(slug="not-ours"), organisation=le_forem)
    client.force_login(coordinator)
    assert [row[0] for row in rows(client.get(LIST))] == ["grenzeloos", "grenzeloos"]


@pytest.mark.parametrize("who", ["partner_vdab", "stranger"])
def test_partners_and_strangers_get_403(client, request, who, actions):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    period = ReportingPeriod.objects.create(
        project=actions[0].project, year=2018, semester="2018-S1", pes=actions[0].figures.get().pes
    )
    url = reverse("reports:period-detail", args=[period.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"step": "submit"}).status_code == 403
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("reports:login"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pes=vdab", [("grenzeloos", "2018-S1", "vdab")]),
        (
            "project=grenzeloos&semester=2018-S1&pes=le-forem",
            [("grenzeloos", "2018-S1", "le-forem")],
        ),
        ("status=approved", []),
        ("semester=2019-S2", []),
        ("project=unknown", []),
    ],
)
def test_the_filters(client, manager, actions, query, expected):
    client.force_login(manager)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert [row[:3] for row in rows(response)] == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("semester=2018-S3", "semester: “2018-S3” is not a semester like 2017-S1 or 2017-S2."),
        (
            "status=locked",
            "status: “locked” is not a status; use open, submitted, returned, approved.",
        ),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, manager, actions, query, message):
    client.force_login(manager)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert response.context["errors"] == [message]
    assert "periods" not in response.context


def test_a_nul_in_a_filter_is_a_400(client, manager, actions):
    client.force_login(manager)
    assert client.get(f"{LIST}?pes=a%00b").status_code == 400


def test_no_actions_no_periods_and_a_way_back(client, manager, project):
    client.force_login(manager)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["periods"] == []
    assert 'id="periods-empty"' in response.content.decode()


def test_the_list_query_count_does_not_grow_with_periods(
    client, manager, project, django_assert_num_queries
):
    client.force_login(manager)
    ActionFactory(project=project, start_date=datetime.date(2018, 2, 1))
    client.get(LIST)
    # The session and its user, the roles, the PES and projects to filter by, the rows to add
    # (semesters, partners, rows held), the periods with their counts.
    with django_assert_num_queries(9):
        assert len(client.get(LIST).context["periods"]) == 2
    for year in (2019, 2020, 2021):
        ActionFactory(project=project, start_date=datetime.date(year, 2, 1))
    client.get(LIST)
    with django_assert_num_queries(9):
        assert len(client.get(LIST).context["periods"]) == 8


def test_the_period_page_shows_its_actions_and_the_pes_figures(client, coordinator, actions, vdab):
    client.force_login(coordinator)
    client.get(LIST)
    url = reverse("reports:period-detail", args=[period_of(actions[0].project, vdab).pk])
    response = client.get(url)
    assert response.status_code == 200
    assert [
        (row.action.title, [(f.metric, f.value) for f in row.figures], row.silent, row.overdue)
        for row in response.context["actions"]
    ] == [
        ("With figures", [("starts", 7)], False, False),
        ("Silent", [], True, False),
        ("Overdue", [], False, True),
    ]
    assert [step["kind"] for step in response.context["steps"]] == ["submit"]
    assert 'id="step-submit"' in response.content.decode()


def test_steps_taken_on_the_page_are_shown_with_who_and_why(
    client, coordinator, manager, lead_coordinator, actions, vdab
):
    client.force_login(coordinator)
    client.get(LIST)
    period = period_of(actions[0].project, vdab)
    url = reverse("reports:period-detail", args=[period.pk])

    response = client.post(url, {"step": "submit", "comment": "Our 2018-S1 figures"})
    assert response.status_code == 302
    page = client.get(url)
    assert page.context["period"].status == PeriodStatus.SUBMITTED
    assert page.context["steps"] == []
    text = page.content.decode()
    assert "Our 2018-S1 figures" in text
    assert "coordinator-vdab" in text

    client.force_login(lead_coordinator)
    assert [s["kind"] for s in client.get(url).context["steps"]] == ["approve", "return"]
    refused = client.post(url, {"step": "return", "comment": " "})
    assert refused.status_code == 400
    assert refused.context["error"] == "Say what the PES should correct before it submits again."
    assert client.post(url, {"step": "approve"}).status_code == 302

    client.force_login(manager)
    page = client.get(url)
    assert [s["kind"] for s in page.context["steps"]] == ["reopen"]
    assert [(t.kind, t.by.username) for t in page.context["transitions"]] == [
        ("submit", "coordinator-vdab"),
        ("approve", "coordinator-le-forem"),
    ]
    assert client.post(url, {"step": "reopen", "comment": "A hire came in late"}).status_code == 302
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    assert "A hire came in late" in client.get(url).content.decode()


def test_a_step_the_user_may_not_take_is_a_403_naming_who_may(client, coordinator, actions, vdab):
    client.force_login(coordinator)
    client.get(LIST)
    period = period_of(actions[0].project, vdab)
    ReportingPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.SUBMITTED)
    response = client.post(reverse("reports:period-detail", args=[period.pk]), {"step": "approve"})
    assert response.status_code == 403
    assert response.context["error"] == (
        "Only a manager or a coordinator of the project's lead partner may approve it."
    )
    period.refresh_from_db()
    assert period.status == PeriodStatus.SUBMITTED


def test_a_step_the_status_does_not_allow_is_a_409(client, manager, actions, vdab):
    client.force_login(manager)
    client.get(LIST)
    url = reverse("reports:period-detail", args=[period_of(actions[0].project, vdab).pk])
    response = client.post(url, {"step": "approve"})
    assert response.status_code == 409
    assert (
        response.context["error"] == "The period is open: only a submitted period can be approved."
    )
    assert client.post(url, {"step": "delete"}).status_code == 400


def test_another_projects_period_is_a_404_for_a_coordinator(client, coordinator, vdab):
    elsewhere = ReportingPeriod.objects.create(
        project=ProjectFactory(slug="elsewhere"), year=2018, semester="2018-S1", pes=vdab
    )
    client.force_login(coordinator)
    assert client.get(reverse("reports:period-detail", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("reports:period-detail", args=[99999])).status_code == 404


def test_the_period_page_query_count_does_not_grow_with_actions(
    client, manager, project, vdab, django_assert_num_queries
):
    client.force_login(manager)
    ActionFactory(project=project, start_date=datetime.date(2018, 2, 1))
    client.get(LIST)
    url = reverse("reports:period-detail", args=[period_of(project, vdab).pk])
    client.get(url)
    # The session and its user, the roles, the period, its actions with their records, their
    # figures of the PES, its steps, the user's membership and organisation (for the buttons).
    with django_assert_num_queries(9) as few:
        client.get(url)
    for day in range(2, 12):
        action = ActionFactory(project=project, start_date=datetime.date(2018, 2, day))
        FigureFactory(action=action, pes=vdab)
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_the_navigation_links_the_periods_for_managers_and_coordinators_only(
    client, manager, partner_vdab
):
    client.force_login(manager)
    assert f'href="{LIST}"' in client.get(reverse("reports:overview")).content.decode()
    client.force_login(partner_vdab)
    assert f'href="{LIST}"' not in client.get(reverse("reports:overview")).content.decode()
