"""The year report page asks the database as many queries for thirty actions as for three,
whatever each action's story holds: its employers, jobs and certificates, who taught, tested,
presented or organised it (with their former names), and the staff seminars of question 5."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crossborder.core.vocabulary import ActionStatus, ActionType
from projects.models import FormerName, Organisation, Project
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CertificateFactory,
    CohortFactory,
    FigureFactory,
    JobOfferFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def add_actions(project: Project, pes: Organisation, batches: range) -> None:
    """Three actions per batch, with everything their stories tell: a cohort of 2017 with its
    starts, employer, job, certificate, teacher, tester and presenter; a staff seminar of 2017
    organised and presented by the PES; a jobdating of 2018 still planned."""
    certificate = CertificateFactory(slug="caces", name_en="CACES", country="FR")
    for n in batches:
        day = datetime.date(2017, 1, 1) + datetime.timedelta(days=n)
        cohort = CohortFactory(
            project=project,
            title_en=f"Cohort {n}",
            description_en="welding for the shipyards",
            start_date=day,
            end_date=day + datetime.timedelta(days=60),
            workshops=4,
        )
        FigureFactory(action=cohort, pes=pes, value=n + 1)
        employer = ActionEmployerFactory(action=cohort, vacancies=2, hires=1)
        JobOfferFactory(action=cohort, employer=employer.organisation, positions=2)
        cohort.certificates.add(certificate)
        cohort.taught_by.add(pes)
        cohort.tested_by.add(pes)
        cohort.presenters.add(pes)
        seminar = ActionFactory(
            project=project,
            action_type=ActionType.STAFF_SEMINAR,
            title_en=f"Seminar {n}",
            start_date=day,
        )
        seminar.organisers.add(pes)
        seminar.presenters.add(pes)
        ActionFactory(
            project=project,
            title_en=f"Jobdating {n}",
            status=ActionStatus.PLANNED,
            start_date=datetime.date(2018, 12, 1) + datetime.timedelta(days=n % 20),
        )


def page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:year-report", args=[2017]), {"lang": "en"})
    assert response.status_code == 200
    return len(queries)


def test_the_page_asks_as_many_queries_for_thirty_actions_as_for_three(
    client, manager, vdab, django_assert_num_queries
):
    # A former name, so that the organisations' names are read by day.
    FormerName.objects.create(
        organisation=vdab, name="VDAB of old", used_until=datetime.date(2016, 12, 31)
    )
    project = ProjectFactory(slug="p")
    add_actions(project, vdab, range(1))
    client.force_login(manager)
    # The first request fills what the site keeps for every later one (roles, content types).
    page_queries(client)
    few = page_queries(client)

    add_actions(project, vdab, range(1, 10))
    assert project.actions.count() == 30
    with django_assert_num_queries(few):
        response = client.get(reverse("reports:year-report", args=[2017]), {"lang": "en"})
    html = response.content.decode()
    assert html.count("Welding for the shipyards.") == 10
    assert html.count("Taught by VDAB. Tested by VDAB. Presented by VDAB.") == 10
