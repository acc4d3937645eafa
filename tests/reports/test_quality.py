"""The data-quality list (reports.quality) and its page: exact items for a project's data, who
reads what, bad filters, the empty case and a query count that does not grow with the data."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus, ParticipationStatus
from participants.models import EducationLevel, pseudonym_for
from projects.roles import COORDINATOR
from reports.quality import (
    EMPTY_ACTIONS,
    MISSING_BIRTH_YEAR,
    MISSING_EDUCATION_LEVEL,
    MISSING_OUTCOMES,
    OVERDUE_ACTIONS,
    SECTIONS,
    SHARED_PSEUDONYMS,
    UNKNOWN_PES,
    QualityList,
    quality_from_params,
    quality_list,
)
from reports.selectors import ReportParameterError
from tests.factories import (
    ActionFactory,
    CohortFactory,
    FigureFactory,
    JobseekerFactory,
    MembershipFactory,
    ParticipationFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2018, 10, 1)
ISCED = EducationLevel.ISCED_3_4


def section(quality: QualityList, code: str):
    return next(s for s in quality.sections if s.code == code)


def actions_of(quality: QualityList, code: str) -> list[int | None]:
    return [item.action for item in section(quality, code).items]


@pytest.fixture
def project(vdab):
    return ProjectFactory(slug="p", lead_partner=vdab)


@pytest.fixture
def other_project(le_forem):
    return ProjectFactory(slug="q", lead_partner=le_forem)


@pytest.fixture
def data(project, other_project, vdab, le_forem):
    """One of each thing to look at in project p (2018), and one in project q."""
    made = {
        # Ended in March and still ongoing: overdue; it has a figure, so it is not empty.
        "ongoing": ActionFactory(
            project=project, status=ActionStatus.ONGOING, start_date=D(2018, 3, 1)
        ),
        # Known only by its semester, which is over: overdue.
        "planned": ActionFactory(
            project=project,
            status=ActionStatus.PLANNED,
            start_date=None,
            year=2018,
            semester="2018-S1",
        ),
        # Planned for later this semester: not overdue.
        "later": ActionFactory(
            project=project, status=ActionStatus.PLANNED, start_date=D(2018, 11, 5)
        ),
        # Completed without a figure or record.
        "empty": ActionFactory(project=project, start_date=D(2018, 2, 1)),
        # A cohort that ended in April without an outcome (3 months ago on 1 July).
        "cohort": CohortFactory(
            project=project, start_date=D(2018, 1, 10), end_date=D(2018, 4, 10)
        ),
        # One whose participant found work.
        "placed": CohortFactory(project=project, start_date=D(2018, 3, 1), end_date=D(2018, 5, 31)),
        # One that ended in July: too early to expect an outcome.
        "recent": CohortFactory(project=project, start_date=D(2018, 5, 1), end_date=D(2018, 7, 15)),
        # A jobdating counted without a PES.
        "unsplit": ActionFactory(project=project, start_date=D(2018, 3, 10)),
        "elsewhere": ActionFactory(
            project=other_project, status=ActionStatus.ONGOING, start_date=D(2018, 3, 1)
        ),
    }
    FigureFactory(action=made["ongoing"], pes=vdab, value=4)
    FigureFactory(action=made["unsplit"], pes=None, value=12)
    FigureFactory(
        action=made["unsplit"], pes=None, metric=Metric.INTERESTED, value=30, is_lower_bound=True
    )
    # Employers belong to no PES by rule: no problem.
    FigureFactory(action=made["unsplit"], pes=None, metric=Metric.VACANCIES, value=5)
    FigureFactory(action=made["elsewhere"], pes=le_forem, value=2)
    FigureFactory(action=made["recent"], pes=le_forem, value=3)
    # The cohort's VDAB participant has no year of birth; the placed one's is complete.
    no_birth_year = JobseekerFactory(pes=vdab, birth_year=None, education_level=ISCED)
    ParticipationFactory(action=made["cohort"], jobseeker=no_birth_year)
    ParticipationFactory(
        action=made["placed"],
        jobseeker=JobseekerFactory(pes=vdab, education_level=ISCED),
        status=ParticipationStatus.COMPLETED,
        placed_on=D(2018, 6, 15),
    )
    # The same reference at VDAB and at Le Forem: the same pseudonymous key. The Le Forem
    # jobseeker lacks an education level.
    key = pseudonym_for("BE-1")
    shared_vdab = JobseekerFactory(
        pes=vdab, external_ref="BE-1", pseudonym=key, education_level=ISCED
    )
    shared_forem = JobseekerFactory(pes=le_forem, external_ref="BE-1", pseudonym=key)
    ParticipationFactory(action=made["cohort"], jobseeker=shared_vdab)
    ParticipationFactory(action=made["placed"], jobseeker=shared_forem)
    made["shared"] = [shared_vdab, shared_forem]
    made["no_birth_year"] = no_birth_year
    return made


def test_the_list_names_each_thing_to_look_at(data, manager, vdab, le_forem):
    quality = quality_list(user=manager, project="p", today=TODAY)
    assert [s.code for s in quality.sections] == list(SECTIONS)
    # In time: the action known only by its semester sorts on the day the semester begins.
    assert actions_of(quality, OVERDUE_ACTIONS) == [data["planned"].pk, data["ongoing"].pk]
    assert [i.detail for i in section(quality, OVERDUE_ACTIONS).items] == [
        "still planned",
        "still ongoing",
    ]
    assert actions_of(quality, EMPTY_ACTIONS) == [data["empty"].pk]
    assert actions_of(quality, MISSING_OUTCOMES) == [data["cohort"].pk]
    unknown = section(quality, UNKNOWN_PES)
    assert [(i.action, i.count, i.detail) for i in unknown.items] == [
        (data["unsplit"].pk, 2, "interested at least 30, starts 12")
    ]
    assert unknown.count == 2
    # A manager reads the counts of every PES, and no key.
    assert [(i.pes, i.count) for i in section(quality, MISSING_BIRTH_YEAR).items] == [("vdab", 1)]
    assert [(i.pes, i.count) for i in section(quality, MISSING_EDUCATION_LEVEL).items] == [
        ("le-forem", 1)
    ]
    shared = section(quality, SHARED_PSEUDONYMS)
    assert (shared.count, shared.items) == (1, [])
    assert not quality.clean
    # Not staff: no link into the admin, but the action's page.
    item = section(quality, EMPTY_ACTIONS).items[0]
    assert item.links == []
    assert item.page == reverse("reports:action-detail", args=[data["empty"].pk])


def test_a_manager_without_a_project_reads_every_project(data, manager):
    quality = quality_list(user=manager, today=TODAY)
    assert actions_of(quality, OVERDUE_ACTIONS) == [
        data["planned"].pk,
        data["ongoing"].pk,
        data["elsewhere"].pk,
    ]


def test_a_coordinator_reads_its_projects_and_its_own_pes_jobseekers(data, coordinator):
    quality = quality_list(user=coordinator, today=TODAY)
    assert data["elsewhere"].pk not in actions_of(quality, OVERDUE_ACTIONS)
    assert [(i.pes, i.count) for i in section(quality, MISSING_BIRTH_YEAR).items] == [("vdab", 1)]
    # Le Forem's jobseeker lacks the education level: not the VDAB coordinator's to see.
    assert section(quality, MISSING_EDUCATION_LEVEL).count == 0
    # The VDAB jobseeker's key is held at Le Forem too: counted, not shown.
    shared = section(quality, SHARED_PSEUDONYMS)
    assert (shared.count, shared.items) == (1, [])
    # Staff: links to fix each item, by id and filters, never a name or reference.
    action_item = section(quality, EMPTY_ACTIONS).items[0]
    assert [link.url for link in action_item.links] == [
        reverse("admin:actions_action_change", args=[data["empty"].pk])
    ]
    pes_item = section(quality, MISSING_BIRTH_YEAR).items[0]
    assert [link.url for link in pes_item.links] == [
        reverse("admin:participants_jobseeker_changelist")
        + f"?pes__id__exact={data['no_birth_year'].pes_id}&birth_year__isnull=True"
        "&erased_at__isnull=True"
    ]
    unknown_item = section(quality, UNKNOWN_PES).items[0]
    assert unknown_item.links[1].url == (
        reverse("admin:actions_figure_changelist")
        + f"?action__exact={data['unsplit'].pk}&pes__isnull=True"
    )


def test_a_superuser_sees_the_shared_key_and_both_jobseekers(data):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    quality = quality_list(user=root, project="p", today=TODAY)
    shared = section(quality, SHARED_PSEUDONYMS)
    vdab_side, forem_side = data["shared"]
    assert shared.count == 1
    [item] = shared.items
    assert item.pseudonym == vdab_side.pseudonym == forem_side.pseudonym
    assert item.name == "Le Forem, VDAB"
    assert [link.url for link in item.links] == [
        reverse("admin:participants_jobseeker_change", args=[forem_side.pk]),
        reverse("admin:participants_jobseeker_change", args=[vdab_side.pk]),
    ]
    assert "BE-1" not in str(item)


def test_the_links_open_the_admin_lists_they_promise(client, data, vdab):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    quality = quality_list(user=root, project="p", today=TODAY)
    birth = section(quality, MISSING_BIRTH_YEAR).items[0].links[0].url
    assert list(client.get(birth).context["cl"].result_list) == [data["no_birth_year"]]
    education = section(quality, MISSING_EDUCATION_LEVEL).items[0].links[0].url
    assert list(client.get(education).context["cl"].result_list) == [data["shared"][1]]
    figures = section(quality, UNKNOWN_PES).items[0].links[1].url
    assert client.get(figures).context["cl"].result_count == 3  # the vacancies too


def test_the_semester_narrows_the_list(data, manager):
    quality = quality_list(user=manager, project="p", semester="2018-S2", today=TODAY)
    assert quality.clean
    assert [s.count for s in quality.sections] == [0] * len(SECTIONS)
    spring = quality_list(user=manager, project="p", semester="2018-S1", today=TODAY)
    assert actions_of(spring, OVERDUE_ACTIONS) == [data["planned"].pk, data["ongoing"].pk]


def test_the_months_of_outcomes_are_a_setting(data, manager, settings):
    settings.QUALITY_OUTCOME_MONTHS = 6
    quality = quality_list(user=manager, project="p", today=TODAY)
    assert actions_of(quality, MISSING_OUTCOMES) == []
    assert quality.outcome_months == 6
    settings.QUALITY_OUTCOME_MONTHS = 1
    quality = quality_list(user=manager, project="p", today=TODAY)
    assert actions_of(quality, MISSING_OUTCOMES) == [data["cohort"].pk, data["recent"].pk]


def test_a_clean_project_says_so(project, manager):
    quality = quality_list(user=manager, project="p", today=TODAY)
    assert quality.clean
    assert all(s.items == [] for s in quality.sections)


def test_erased_jobseekers_are_not_counted(data, manager):
    from participants.gdpr import jobseeker_erase

    jobseeker_erase(jobseeker=data["no_birth_year"])
    quality = quality_list(user=manager, project="p", today=TODAY)
    assert section(quality, MISSING_BIRTH_YEAR).count == 0


@pytest.mark.parametrize(
    "params, name",
    [
        ({"semester": "2018-S3"}, "semester"),
        ({"semester": "1999-S1"}, "semester"),
        ({"project": "nope"}, "project"),
        ({"colour": "red"}, "colour"),
        ({"project": "p\x00"}, "project"),
    ],
)
def test_bad_filters_name_the_parameter(project, manager, params, name):
    with pytest.raises(ReportParameterError) as error:
        quality_from_params(manager, params)
    assert list(error.value.message_dict) == [name]


def test_strangers_partners_and_other_projects_are_refused(
    data, stranger, partner_vdab, coordinator
):
    for user in (stranger, partner_vdab):
        with pytest.raises(PermissionDenied):
            quality_list(user=user)
    with pytest.raises(PermissionDenied):
        quality_list(user=coordinator, project="q")


def test_a_coordinator_of_no_pes_gets_no_checks_of_jobseekers(data, project):
    from tests.factories import OrganisationFactory, ProjectPartnerFactory

    partner_org = OrganisationFactory(slug="cci")
    ProjectPartnerFactory(project=project, organisation=partner_org)
    user = UserFactory(username="coordinator-cci", is_staff=True)
    user.groups.add(Group.objects.get(name=COORDINATOR))
    MembershipFactory(user=user, organisation=partner_org)
    quality = quality_list(user=user, today=TODAY)
    assert [s.code for s in quality.sections] == list(SECTIONS[:4])
    assert quality.jobseekers_note


def _grow(project, vdab, le_forem) -> None:
    for n in range(5):
        ActionFactory(project=project, status=ActionStatus.ONGOING, start_date=D(2018, 2, 1 + n))
        cohort = CohortFactory(project=project, start_date=D(2018, 1, 1 + n), end_date=None)
        ParticipationFactory(action=cohort, jobseeker=JobseekerFactory(pes=vdab, birth_year=None))
        FigureFactory(action=ActionFactory(project=project), pes=None, value=n + 1)
        for pes in (vdab, le_forem):
            jobseeker = JobseekerFactory(
                pes=pes, external_ref=f"GR-{n}", pseudonym=pseudonym_for(f"GR-{n}")
            )
            ParticipationFactory(action=cohort, jobseeker=jobseeker)


@pytest.mark.parametrize("who", ["manager", "coordinator", "root"])
def test_the_list_is_a_fixed_number_of_queries(
    data, project, vdab, le_forem, who, request, django_assert_num_queries
):
    user = (
        UserFactory(username="root", is_superuser=True, is_staff=True)
        if who == "root"
        else request.getfixturevalue(who)
    )
    quality_list(user=user, project="p", today=TODAY)  # the roles, kept on the user
    # The project (2), the four checks of actions (5), the jobseekers' counts and keys (2).
    with django_assert_num_queries(9):
        before = quality_list(user=user, project="p", today=TODAY)
    _grow(project, vdab, le_forem)
    with django_assert_num_queries(9):
        after = quality_list(user=user, project="p", today=TODAY)
    assert section(after, OVERDUE_ACTIONS).count == section(before, OVERDUE_ACTIONS).count + 5


# The page ---------------------------------------------------------------------------------


def test_the_page_lists_the_items_with_their_links(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("reports:data-quality"), {"project": "p"})
    assert response.status_code == 200
    page = response.content.decode()
    # Seen from today, the action planned for November 2018 is overdue too.
    assert 'id="quality-overdue_actions" data-count="3"' in page
    assert 'id="quality-shared_pseudonyms" data-count="1"' in page
    assert reverse("admin:actions_action_change", args=[data["empty"].pk]) in page
    assert "BE-1" not in page
    assert data["no_birth_year"].family_name not in page
    assert 'id="quality-clean"' not in page


def test_the_page_of_a_clean_project_says_so(client, project, manager):
    client.force_login(manager)
    page = client.get(reverse("reports:data-quality"), {"project": "p"}).content.decode()
    assert 'id="quality-clean"' in page


def test_the_page_refuses_bad_filters_by_name(client, project, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:data-quality"), {"semester": "2018-S9"})
    assert response.status_code == 400
    assert "semester: “2018-S9” is not a semester" in response.content.decode()


def test_the_page_is_for_coordinators_and_managers(
    client, project, other_project, stranger, partner_vdab, coordinator
):
    url = reverse("reports:data-quality")
    assert client.get(url).status_code == 302  # to the login page
    for user in (stranger, partner_vdab):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(coordinator)
    assert client.get(url, {"project": "q"}).status_code == 403
    assert client.get(url, {"project": "p"}).status_code == 200


def test_the_project_page_and_the_navigation_link_to_the_list(
    client, project, other_project, coordinator, partner_vdab
):
    client.force_login(coordinator)
    url = reverse("reports:data-quality")
    page = client.get(reverse("reports:project-detail", args=["p"])).content.decode()
    assert f'href="{url}?project=p"' in page
    assert f'href="{url}"' in page  # the navigation
    other = client.get(reverse("reports:project-detail", args=["q"])).content.decode()
    assert f"{url}?project=q" not in other
    client.force_login(partner_vdab)
    page = client.get(reverse("reports:project-detail", args=["p"])).content.decode()
    assert url not in page


def test_the_page_is_a_fixed_number_of_queries(
    client, data, project, vdab, le_forem, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    url = reverse("reports:data-quality") + "?project=p"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the session's first request stores what it keeps
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    _grow(project, vdab, le_forem)
    with django_assert_num_queries(len(queries)):
        client.get(url)
