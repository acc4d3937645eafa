"""The stories behind the figures (reports.stories): each action's, each project's state and
question 5, in the active language, from the data alone, without a query per action."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from actions.models import Action
from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus, ActionType, OrganisationKind
from projects.models import BorderOfficePair, FormerName, PartnerRole, Project
from reports.stories import (
    PROJECT_PREFETCH,
    action_story,
    cooperation,
    join_naturally,
    project_state,
    with_project_facts,
    with_story_rows,
)
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CertificateFactory,
    CohortFactory,
    CompanyFactory,
    FigureFactory,
    JobOfferFactory,
    OfficeFactory,
    OrganisationFactory,
    ParticipationFactory,
    PesFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    WorkPackageFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2018, 4, 20)


def story(action: Action, as_of: datetime.date = AS_OF) -> list[str]:
    selection = Action.objects.filter(pk=action.pk)
    fetched = list(selection)
    with_story_rows(fetched, selection)
    return action_story(fetched[0], as_of=as_of)


def company(name: str, activity: str, city: str, kind: str = OrganisationKind.COMPANY):
    return CompanyFactory(slug=name.lower(), name=name, activity_en=activity, city=city, kind=kind)


@pytest.fixture
def pole_emploi_then(pole_emploi):
    """France Travail, called Pôle emploi until 2023."""
    FormerName.objects.create(
        organisation=pole_emploi, name="Pôle emploi", used_until=datetime.date(2023, 12, 31)
    )
    return pole_emploi


@pytest.fixture
def company_visit(db):
    visit = ActionFactory(
        action_type=ActionType.COMPANY_VISIT,
        start_date=datetime.date(2017, 6, 6),
        description_en="The skills Eurometropolis Tour, a day on the jobs in industry",
    )
    koraton = company("Koraton", "construction", "Kortrijk")
    ActionEmployerFactory(action=visit, organisation=koraton, hires=2, hired_within_days=7)
    ActionEmployerFactory(action=visit, organisation=company("Wepa", "toilet paper", "Bousbecque"))
    ActionEmployerFactory(
        action=visit, organisation=company("Vandeputte", "oil and soap", "Mouscron")
    )
    for title in ("maintenance technician", "line operator", "production operator"):
        JobOfferFactory(action=visit, title_en=title)
    return visit


def test_a_company_visit_tells_its_companies_jobs_and_hires(company_visit):
    assert story(company_visit) == [
        "The skills Eurometropolis Tour, a day on the jobs in industry.",
        "Companies present: Koraton (construction, Kortrijk), Vandeputte (oil and soap, "
        "Mouscron) and Wepa (toilet paper, Bousbecque).",
        "Jobs presented: maintenance technician, line operator and production operator.",
        "2 hires within the week at Koraton.",
    ]


def test_a_jobdating_tells_agencies_vacancies_jobs_offered_and_how_soon_each_hired(db):
    jobdating = ActionFactory(action_type=ActionType.JOBDATING)
    depot = company("Depot", "", "Veurne")
    agency = company("Randstad", "temporary work", "", kind=OrganisationKind.AGENCY)
    ActionEmployerFactory(action=jobdating, organisation=depot, vacancies=5, hires=1)
    ActionEmployerFactory(
        action=jobdating, organisation=agency, vacancies=1, hires=3, hired_within_days=14
    )
    ActionEmployerFactory(
        action=jobdating,
        organisation=company("Staffing", "", "", kind=OrganisationKind.AGENCY),
        hires=1,
        hired_within_days=3,
    )
    JobOfferFactory(action=jobdating, title_en="order picker", employer=depot, positions=4)
    JobOfferFactory(action=jobdating, title_en="forklift driver", positions=1)

    assert story(jobdating) == [
        "Company present: Depot (Veurne, 5 vacancies).",
        "Temporary-work agencies present: Randstad (temporary work, 1 vacancy) and Staffing.",
        "Jobs offered: order picker at Depot (4 positions) and forklift driver (1 position).",
        "1 hire at Depot, 3 hires within 2 weeks at Randstad and 1 hire within 3 days at Staffing.",
    ]


def test_a_guidance_cohort_tells_its_format(db):
    cohort = CohortFactory(
        workshops=12,
        workshop_note_en="alternating in France and Belgium",
        language_hours=40,
        reviews_en="a mid-way and a final review",
    )
    assert story(cohort) == [
        "Format: at most 3 months, at most 12 jobseekers, 12 thematic workshops (alternating "
        "in France and Belgium), 40 hours of language training and a mid-way and a final "
        "review."
    ]


def test_a_training_tells_its_certificates_on_each_side_and_who_teaches_and_tests(vdab, le_forem):
    tester = OrganisationFactory(slug="afpa", name="AFPA")
    training = ActionFactory(
        action_type=ActionType.TRAINING,
        status=ActionStatus.PLANNED,
        start_date=None,
        year=2018,
        semester="2018-S2",
        period_month=9,
        capacity=12,
        duration_days=14,
        language_note_en="two weeks of intensive language training before",
    )
    training.certificates.add(
        CertificateFactory(slug="caces", name_en="CACES", country="FR"),
        CertificateFactory(slug="forklift-be", name_en="forklift certificate", country="BE"),
    )
    training.taught_by.add(vdab, le_forem)
    training.tested_by.add(tester)

    assert story(training) == [
        "Format: 2 weeks, at most 12 jobseekers and two weeks of intensive language training "
        "before.",
        "Leads to the Belgian forklift certificate and the French CACES.",
        "Taught by Le Forem and VDAB.",
        "Tested by AFPA.",
    ]


def test_language_hours_and_their_note_and_days_that_are_not_weeks(db):
    training = ActionFactory(
        action_type=ActionType.TRAINING,
        duration_days=5,
        language_hours=35,
        language_note_en="Dutch, after the technical part",
    )
    assert story(training) == [
        "Format: 5 days and 35 hours of language training (Dutch, after the technical part)."
    ]


def test_a_cancelled_action_tells_its_reason_and_its_certificate_without_country(db):
    welder = ActionFactory(
        action_type=ActionType.TRAINING,
        status=ActionStatus.CANCELLED,
        start_date=None,
        year=2017,
        semester="",
        cancellation_reason_en=(
            "no benefit-eligible French candidates with basic Dutch or willing to learn it."
        ),
    )
    welder.certificates.add(CertificateFactory(slug="ewf", name_en="European welder certificate"))

    assert story(welder) == [
        "Leads to the European welder certificate.",
        "Cancelled: no benefit-eligible French candidates with basic Dutch or willing to learn it.",
    ]


def test_a_seminar_tells_who_presented_by_the_names_of_the_time(vdab, pole_emploi_then):
    seminar = ActionFactory(
        action_type=ActionType.STAFF_SEMINAR, start_date=datetime.date(2017, 11, 9)
    )
    seminar.presenters.add(vdab, pole_emploi_then)
    assert story(seminar) == ["Presented by Pôle emploi and VDAB."]
    later = ActionFactory(
        action_type=ActionType.STAFF_SEMINAR, start_date=datetime.date(2024, 3, 1)
    )
    later.presenters.add(pole_emploi_then)
    assert story(later) == ["Presented by France Travail."]


def test_outcomes_not_measurable_yet_are_not_yet_known_never_0(db):
    construction = ActionFactory(
        action_type=ActionType.TRAINING,
        status=ActionStatus.PLANNED,
        start_date=None,
        year=2018,
        period_month=6,
        outcomes_note_en="outflow expected early 2019",
    )
    ongoing = CohortFactory(
        status=ActionStatus.ONGOING,
        start_date=datetime.date(2018, 3, 26),
        end_date=datetime.date(2018, 6, 26),
    )
    measured_later = ActionFactory(
        action_type=ActionType.TRAINING,
        start_date=datetime.date(2018, 3, 1),
        outcomes_expected_on=datetime.date(2019, 1, 15),
    )
    planned_only = ActionFactory(status=ActionStatus.PLANNED, start_date=datetime.date(2018, 5, 31))

    assert story(construction) == ["Work found: not yet known (outflow expected early 2019)."]
    assert story(ongoing)[-1] == "Work found: not yet known."
    assert story(measured_later) == ["Work found: not yet known (expected from 15 January 2019)."]
    assert story(measured_later, datetime.date(2019, 2, 1)) == []
    # A planned action tells no outcome unless they are expected at a given time.
    assert story(planned_only) == []


def test_an_action_without_a_story_has_none(db):
    assert story(ActionFactory()) == []


def test_a_text_not_written_in_the_readers_language_is_marked_with_its_own(db):
    fair = ActionFactory(
        action_type=ActionType.JOB_FAIR,
        description_en="",
        description_fr="Deux ateliers sur le marché du travail flamand.",
    )
    employer = CompanyFactory(slug="wepa", name="Wepa", activity_en="toilet paper")
    ActionEmployerFactory(action=fair, organisation=employer)

    assert story(fair) == [
        "Deux ateliers sur le marché du travail flamand (fr).",
        "Company present: Wepa (toilet paper).",
    ]
    with translation.override("fr"):
        assert story(fair)[0] == "Deux ateliers sur le marché du travail flamand."
        assert "Wepa (toilet paper (en))" in story(fair)[1]


def test_a_text_written_in_the_readers_language_is_shown_unmarked(db):
    cancelled = ActionFactory(
        status=ActionStatus.CANCELLED,
        cancellation_reason_en="no candidates",
        cancellation_reason_nl="geen kandidaten",
    )
    with translation.override("nl"):
        assert "geen kandidaten" in story(cancelled)[-1]
        assert "(en)" not in story(cancelled)[-1]


def test_stories_ask_nothing_once_prefetched(company_visit, vdab, django_assert_num_queries):
    training = CohortFactory(workshops=12)
    training.certificates.add(CertificateFactory(slug="caces", name_en="CACES", country="FR"))
    training.taught_by.add(vdab)
    training.presenters.add(vdab)
    # One query for the actions, one per relation (employers, jobs, certificates, teachers,
    # testers, presenters) and one for the former names of the teachers and presenters (none
    # test here), whatever the number of actions.
    with django_assert_num_queries(8):
        actions = list(Action.objects.order_by("pk"))
        with_story_rows(actions, Action.objects.all())
    with django_assert_num_queries(0):
        for language in ("en", "nl", "fr"):
            with translation.override(language):
                stories = [action_story(action, as_of=AS_OF) for action in actions]
    assert len(stories) == 2


@pytest.fixture
def actemploi(vdab, le_forem):
    project = ProjectFactory(
        slug="actemploi",
        name_en="Act'emploi",
        starts_on=datetime.date(2018, 1, 1),
        state_note_en="no French jobseekers have started yet; focus on personal services",
    )
    ProjectPartnerFactory(project=project, organisation=le_forem, role=PartnerRole.LEAD)
    ProjectPartnerFactory(project=project, organisation=vdab, role=PartnerRole.PARTNER)
    ProjectPartnerFactory(
        project=project,
        organisation=OrganisationFactory(slug="ivr", name="IVR"),
        role=PartnerRole.PARTNER,
    )
    WorkPackageFactory(project=project, code="WP1", name_en="Training", coordinator=vdab)
    WorkPackageFactory(project=project, code="WP2", name_en="Job coaching", coordinator=None)
    return project


def state(project: Project, as_of: datetime.date = AS_OF) -> list[str]:
    fetched = with_project_facts(
        Project.objects.prefetch_related(*PROJECT_PREFETCH), as_of=as_of
    ).get(pk=project.pk)
    return project_state(fetched, as_of=as_of)


PARTNERS_AND_PACKAGES = [
    "Lead partner: Le Forem.",
    "Project partners: IVR and VDAB.",
    "VDAB coordinates the work package Training.",
    "The work package Job coaching has no coordinator yet.",
]


def test_a_project_with_nothing_realised_tells_its_start_state_and_no_participants(actemploi):
    assert state(actemploi) == [
        "Started on 1 January 2018.",
        "No French jobseekers have started yet; focus on personal services.",
        "No participants yet.",
        *PARTNERS_AND_PACKAGES,
    ]
    assert state(actemploi, datetime.date(2017, 12, 1))[0] == "Starts on 1 January 2018."


def test_interested_jobseekers_are_participants_before_their_action_starts(actemploi, vdab):
    path = ActionFactory(
        project=actemploi,
        action_type=ActionType.GUIDANCE_COHORT,
        status=ActionStatus.PLANNED,
        start_date=datetime.date(2018, 5, 15),
    )
    FigureFactory(action=path, metric=Metric.INTERESTED, pes=vdab, value=6)
    assert "No participants yet." not in state(actemploi)


def test_a_record_of_an_action_started_later_is_no_participant_yet(actemploi):
    later = ActionFactory(project=actemploi, start_date=datetime.date(2018, 9, 1))
    ParticipationFactory(action=later)
    assert "No participants yet." in state(actemploi)
    assert "No participants yet." not in state(actemploi, datetime.date(2018, 9, 2))


def test_a_project_with_a_realised_action_tells_only_its_partners_and_packages(actemploi):
    ActionFactory(project=actemploi, start_date=datetime.date(2018, 2, 1))
    assert state(actemploi) == PARTNERS_AND_PACKAGES


def test_a_project_without_partners_or_dates_says_only_what_it_knows(db):
    bare = ProjectFactory(starts_on=None)
    assert state(bare) == ["No participants yet."]


def test_the_lead_partner_of_the_project_counts_when_no_membership_names_it(vdab):
    project = ProjectFactory(lead_partner=vdab)
    ActionFactory(project=project, start_date=datetime.date(2017, 1, 1))
    assert state(project) == ["Lead partner: VDAB."]


def test_project_states_ask_nothing_once_prefetched_and_annotated(
    actemploi, django_assert_num_queries
):
    ProjectFactory(slug="ab-refugies", starts_on=datetime.date(2018, 1, 1))
    # The projects with their facts; their partners, work packages, and the former names of
    # each (no lead partner is set apart from the memberships here).
    with django_assert_num_queries(5):
        projects = list(
            with_project_facts(Project.objects.prefetch_related(*PROJECT_PREFETCH), as_of=AS_OF)
        )
    with django_assert_num_queries(0):
        for project in projects:
            project_state(project, as_of=AS_OF)


def test_a_project_not_annotated_asks_one_query(actemploi, django_assert_num_queries):
    project = Project.objects.prefetch_related(*PROJECT_PREFETCH).get(pk=actemploi.pk)
    with django_assert_num_queries(1):
        assert project_state(project, as_of=AS_OF)[2] == "No participants yet."


def test_dates_are_written_in_the_readers_language(actemploi):
    with translation.override("nl"):
        assert "1 januari 2018" in state(actemploi)[0]
    with translation.override("fr"):
        assert "1 janvier 2018" in state(actemploi)[0]


@pytest.fixture
def offices(vdab, pole_emploi_then):
    made = {
        name: OfficeFactory(slug=name.lower().replace(" ", "-"), organisation=pes, name=name)
        for pes, names in (
            (vdab, ["VDAB Veurne", "VDAB Ieper", "VDAB Kortrijk"]),
            (pole_emploi_then, ["PE Dunkerque", "PE Armentières", "PE Wattrelos", "PE Halluin"]),
        )
        for name in names
    }
    for office, partner in (
        ("PE Dunkerque", "VDAB Veurne"),
        ("PE Armentières", "VDAB Ieper"),
        ("PE Wattrelos", "VDAB Kortrijk"),
        ("PE Halluin", "VDAB Kortrijk"),
    ):
        BorderOfficePair.objects.create(office=made[office], partner_office=made[partner])
    return made


@pytest.fixture
def tewerkstellen(vdab, pole_emploi_then):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab, role=PartnerRole.LEAD)
    ProjectPartnerFactory(project=project, organisation=pole_emploi_then)
    return project


def seminar(project: Project, day: datetime.date | None, **fields) -> Action:
    return ActionFactory(
        project=project, action_type=ActionType.STAFF_SEMINAR, start_date=day, **fields
    )


PAIRS = (
    "The border offices work together in pairs: PE Armentières with VDAB Ieper, PE Halluin "
    "and PE Wattrelos with VDAB Kortrijk and PE Dunkerque with VDAB Veurne."
)


def test_cooperation_tells_the_office_pairs_and_each_seminar_up_to_the_day(
    offices, tewerkstellen, vdab, pole_emploi_then
):
    november = seminar(
        tewerkstellen,
        datetime.date(2017, 11, 9),
        description_en=(
            "For colleagues of Pôle emploi and French partners, on the Flemish labour market"
        ),
    )
    november.organisers.add(vdab)
    for slug, name in (("unizo", "UNIZO"), ("voka", "Voka"), ("ivr", "IVR")):
        november.presenters.add(OrganisationFactory(slug=slug, name=name))
    april = seminar(
        tewerkstellen,
        datetime.date(2018, 4, 13),
        end_date=datetime.date(2018, 4, 20),
        status=ActionStatus.ONGOING,
    )
    april.organisers.add(vdab, pole_emploi_then)
    seminar(tewerkstellen, datetime.date(2018, 5, 3), status=ActionStatus.PLANNED)
    seminar(tewerkstellen, datetime.date(2016, 5, 3))
    seminar(
        tewerkstellen,
        datetime.date(2017, 5, 3),
        status=ActionStatus.CANCELLED,
        cancellation_reason_en="no room",
    )
    seminar(ProjectFactory(), datetime.date(2017, 6, 1))

    assert cooperation([tewerkstellen], year=2017, as_of=AS_OF) == [
        PAIRS,
        "Staff seminar of 9 November 2017, organised by VDAB. For colleagues of Pôle emploi "
        "and French partners, on the Flemish labour market. Presented by IVR, UNIZO and Voka.",
        "Staff seminar of 13 April 2018 to 20 April 2018, organised by Pôle emploi and VDAB.",
    ]


def test_cooperation_leaves_out_pairs_of_offices_of_no_partner(offices, tewerkstellen):
    actiris = PesFactory(slug="actiris", name="Actiris")
    adg = PesFactory(slug="adg", name="ADG")
    BorderOfficePair.objects.create(
        office=OfficeFactory(organisation=actiris, name="Actiris Brussel"),
        partner_office=OfficeFactory(organisation=adg, name="ADG Eupen"),
    )
    assert cooperation([tewerkstellen], year=2017, as_of=AS_OF) == [PAIRS]
    # Without projects, every pair and seminar.
    assert cooperation([], year=2017, as_of=AS_OF) == [
        "The border offices work together in pairs: Actiris Brussel with ADG Eupen, PE "
        "Armentières with VDAB Ieper, PE Halluin and PE Wattrelos with VDAB Kortrijk and PE "
        "Dunkerque with VDAB Veurne."
    ]


def test_one_pair_and_a_seminar_known_by_its_period(tewerkstellen, vdab, pole_emploi_then):
    BorderOfficePair.objects.create(
        office=OfficeFactory(organisation=pole_emploi_then, name="PE Dunkerque"),
        partner_office=OfficeFactory(organisation=vdab, name="VDAB Veurne"),
    )
    seminar(tewerkstellen, None, year=2017, semester="2017-S2", period_note_en="autumn")
    assert cooperation([tewerkstellen], year=2017, as_of=AS_OF) == [
        "The border offices work together in a pair: PE Dunkerque with VDAB Veurne.",
        "Staff seminar of autumn 2017.",
    ]


def test_cooperation_without_pairs_or_seminars_says_nothing(tewerkstellen):
    assert cooperation([tewerkstellen], year=2017, as_of=AS_OF) == []


def test_cooperation_asks_a_fixed_number_of_queries(
    offices, tewerkstellen, vdab, django_assert_num_queries
):
    for day in (datetime.date(2017, 11, 9), datetime.date(2018, 4, 13)):
        held = seminar(tewerkstellen, day)
        held.organisers.add(vdab)
        held.presenters.add(vdab)
    # The pairs; the seminars, their organisers and presenters with their former names.
    with django_assert_num_queries(6):
        cooperation([tewerkstellen], year=2017, as_of=AS_OF)


def test_lists_read_as_each_language_joins_them():
    assert join_naturally([]) == ""
    assert join_naturally(["A"]) == "A"
    assert join_naturally(["A", "B", "C"]) == "A, B and C"
    # These two need the catalogues of this round (the translator's).
    with translation.override("nl"):
        assert join_naturally(["A", "B", "C"]) == "A, B en C"
    with translation.override("fr"):
        assert join_naturally(["A", "B", "C"]) == "A, B et C"
