"""List and outcomes endpoints run a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CompanyFactory,
    FigureFactory,
    JobOfferFactory,
    JobseekerFactory,
    OfficeFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    SectorFactory,
    TargetFactory,
    WorkPackageFactory,
)

pytestmark = pytest.mark.django_db


def make_actions(count: int) -> None:
    sector = SectorFactory()
    for n in range(count):
        action = ActionFactory(sector=sector, project=ProjectFactory(slug=f"p-{n % 3}"))
        action.organisers.add(OrganisationFactory())
        action.offices.add(OfficeFactory())
        FigureFactory(action=action)
        ActionEmployerFactory(action=action)
        JobOfferFactory(action=action, employer=CompanyFactory())


def make_projects(count: int) -> None:
    for _n in range(count):
        project = ProjectFactory(lead_partner=OrganisationFactory())
        ProjectPartnerFactory(project=project)
        WorkPackageFactory(project=project, coordinator=OrganisationFactory())


def make_organisations(count: int) -> None:
    for _n in range(count):
        OfficeFactory(organisation=OrganisationFactory(kind="pes"))


def make_figures(count: int) -> None:
    for _n in range(count):
        FigureFactory(action=ActionFactory(), pes=None, metric="vacancies")


def make_jobseekers(count: int, pes) -> None:
    for _n in range(count):
        JobseekerFactory(pes=pes)


def make_participations(count: int, pes) -> None:
    for _n in range(count):
        ParticipationFactory(jobseeker=JobseekerFactory(pes=pes), hired_by=None)


def make_indicators(count: int) -> None:
    from projects.models import Indicator
    from tests.factories import IndicatorFactory

    start = Indicator.objects.count()
    for n in range(start, start + count):
        TargetFactory(indicator=IndicatorFactory(code=f"RCO{n}"), project=ProjectFactory())


def fresh(client_for, user):
    """A client for a fresh copy of the user, as each real request loads it: its roles and
    membership are read again (they are cached on the user object)."""
    return client_for(type(user).objects.get(pk=user.pk))


# url, how to make n rows, the expected number of queries: the user's roles (and membership for
# personal data), the count, the page, one per prefetched relation; authentication is forced.
# The actions' pages also read the data version of their cache (a miss here: see test_caching).
CASES: list[tuple[str, Callable[..., None], int]] = [
    ("/api/v1/actions/?page_size=100", make_actions, 10),
    ("/api/v1/projects/?page_size=100", make_projects, 5),
    ("/api/v1/organisations/?page_size=100", make_organisations, 5),
    ("/api/v1/figures/?page_size=100", make_figures, 3),
    # The indicators' progress: reports.indicators reads five from the rollups (the facts per
    # project, year and action type, those after the project's end, the repeated completions
    # of trainings, partners and organisers) after their standing (reports.answers), with the
    # indicators and the targets.
    ("/api/v1/indicators/?page_size=100", make_indicators, 11),
    ("/api/v1/programmes/?page_size=100", lambda n: make_projects(n), 4),
]


@pytest.mark.parametrize(("url", "make", "expected"), CASES)
def test_programme_lists_run_the_same_queries_for_1_and_50_rows(
    url, make, expected, partner_vdab, client_for, django_assert_num_queries
):
    make(1)
    client = fresh(client_for, partner_vdab)
    with django_assert_num_queries(expected):
        client.get(url)
    make(49)
    client = fresh(client_for, partner_vdab)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert len(response.json()["results"]) >= 50 or "programmes" in url


@pytest.mark.parametrize(
    ("url", "make", "expected"),
    [
        # 5, and 4 of the read audit: its entry and its jobseekers in one insert, within a
        # savepoint (a transaction of its own outside the tests).
        ("/api/v1/jobseekers/?page_size=100", make_jobseekers, 9),
        ("/api/v1/participations/?page_size=100", make_participations, 9),
    ],
)
def test_personal_lists_run_the_same_queries_for_1_and_50_rows(
    url, make, expected, partner_vdab, vdab, client_for, django_assert_num_queries
):
    make(1, vdab)
    client = fresh(client_for, partner_vdab)
    with django_assert_num_queries(expected):
        client.get(url)
    make(49, vdab)
    client = fresh(client_for, partner_vdab)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert len(response.json()["results"]) == 50


def test_outcomes_run_the_same_queries_for_1_and_50_rows(
    partner_vdab, client_for, django_assert_num_queries
):
    url = "/api/v1/reports/outcomes/?group_by=project,semester"
    ActionFactory(project=ProjectFactory(slug="p-0"))
    client = fresh(client_for, partner_vdab)
    # The user's roles, then the rollups' standing (reports.answers) and the table (its totals
    # from its rows).
    with django_assert_num_queries(3):
        first = client.get(url)
    assert len(first.json()["results"]) == 1
    for n in range(1, 50):
        ActionFactory(project=ProjectFactory(slug=f"p-{n}"))
    client = fresh(client_for, partner_vdab)
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(response.json()["results"]) == 50
