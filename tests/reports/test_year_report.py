"""The year report ("answer sheet") on the demo: the figures of "What the answer adds up to"."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from actions.models import Action
from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus, ActionType, ParticipationStatus
from projects.models import Organisation, Project
from reports.exports import answer_sheet
from reports.selectors import ReportParameterError
from reports.year_report import Breakdown, Figures, ProjectReport, TypeSection, year_report
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
GT, GC = "grenzeloos-tewerkstellen", "grenzeloos-competent"


def project(report, slug: str) -> ProjectReport:
    return next(p for p in report.projects if p.slug == slug)


def section(report, slug: str, action_type: str) -> TypeSection:
    return next(s for s in project(report, slug).sections if s.action_type == action_type)


def pick(figures: Figures, *metrics: str) -> dict:
    return {metric: figures[metric] for metric in metrics}


def split(breakdowns: list[Breakdown], metric: str) -> dict:
    """Only the rows where the metric is counted (unknown PES/semester/sector as None)."""
    return {b.key: b.figures[metric] for b in breakdowns if b.figures[metric]}


@pytest.fixture
def report_2017(demo):
    return year_report(year=2017)


@pytest.fixture
def report_2018(demo):
    return year_report(year=2018)


def test_2017_lists_the_projects_of_the_year_in_the_answers_order(report_2017):
    # Act'emploi and AB Réfugiés start on 1 January 2018: every project running in the year
    # or the next up to the report's day is in the answer.
    assert [p.slug for p in report_2017.projects] == [GT, GC, "actemploi", "ab-refugies"]
    assert [s.action_type for s in project(report_2017, GT).sections] == [
        "guidance_cohort",
        "jobdating",
        "company_visit",
        "staff_seminar",
    ]
    assert project(report_2017, "ab-refugies").totals is None


def test_2017_guidance_cohorts_by_pes_and_semester(report_2017):
    cohorts = section(report_2017, GT, "guidance_cohort")
    assert pick(cohorts.totals, "actions", "starts", "placements") == {
        "actions": 2,
        "starts": 19,
        "placements": 9,
    }
    assert split(cohorts.by_pes, "starts") == {"le-forem": 4, "pole-emploi": 11, "vdab": 4}
    # Every PES keeps participation records of the 2017 cohorts: who found work is known by
    # PES, adding up to the total.
    assert split(cohorts.by_pes, "placements") == {"le-forem": 1, "pole-emploi": 6, "vdab": 2}
    assert split(cohorts.by_semester, "placements") == {"2017-S1": 3, "2017-S2": 6}
    assert split(cohorts.by_semester, "starts") == {"2017-S1": 10, "2017-S2": 9}


def test_2017_guidance_cohorts_each_with_dates_place_and_starts_per_pes(report_2017):
    cohorts = section(report_2017, GT, "guidance_cohort").actions
    assert [
        (
            a.title.nl,
            a.start_date,
            a.end_date,
            a.place.en,
            a.figures["starts"],
            split(a.by_pes, "starts"),
            a.figures["placements"],
        )
        for a in cohorts
    ] == [
        (
            "Begeleidingsactie LKT",
            D(2017, 4, 27),
            D(2017, 7, 27),
            "LKT",
            10,
            {"le-forem": 4, "pole-emploi": 5, "vdab": 1},
            3,
        ),
        (
            "Begeleidingsactie Veurne/Duinkerke",
            D(2017, 9, 29),
            D(2017, 12, 29),
            "Veurne/Dunkerque",
            9,
            {"pole-emploi": 6, "vdab": 3},
            6,
        ),
    ]


def test_2017_jobdatings_and_company_visits(report_2017):
    jobdating = section(report_2017, GT, "jobdating")
    visit = section(report_2017, GT, "company_visit")
    assert pick(jobdating.totals, "actions", "starts", "hires", "vacancies", "employers") == {
        "actions": 1,
        "starts": 46,
        "hires": 7,
        "vacancies": 17,
        "employers": 3,
    }
    assert pick(visit.totals, "actions", "starts", "hires", "vacancies", "employers") == {
        "actions": 1,
        "starts": 20,
        "hires": 2,
        "vacancies": 0,
        "employers": 3,
    }
    # The answer's "jobdatings/company visits": 2 actions, 66 starts, 9 hires, 17 vacancies.
    both = [jobdating.totals, visit.totals]
    assert [sum(f[m] for f in both) for m in ("actions", "starts", "hires", "vacancies")] == [
        2,
        66,
        9,
        17,
    ]
    assert split(jobdating.by_pes, "starts") == {"pole-emploi": 35, "vdab": 11}
    assert split(jobdating.by_pes, "hires") == {None: 7}
    assert split(visit.by_pes, "starts") == {"le-forem": 8, "pole-emploi": 10, "vdab": 2}
    assert [(a.start_date, a.place.en) for a in visit.actions] == [
        (D(2017, 6, 6), "Eurometropolis Lille-Kortrijk-Tournai")
    ]


def test_2017_trainings_of_grenzeloos_competent_by_sector_with_unsplit_starts(report_2017):
    trainings = section(report_2017, GC, "training")
    assert pick(trainings.totals, "actions", "starts") == {"actions": 3, "starts": 19}
    assert {b.key: (b.figures["actions"], b.figures["starts"]) for b in trainings.by_sector} == {
        "agro-food": (2, 13),
        "textiles": (1, 6),
    }
    assert split(trainings.by_pes, "starts") == {None: 19}
    # The agro-food trainings are known by their year only: no semester.
    assert split(trainings.by_semester, "starts") == {"2017-S2": 6, None: 13}
    # In the one order of actions: a training known by its year only sorts on 1 January.
    assert [(a.title.fr, a.figures["starts"], a.semester) for a in trainings.actions] == [
        ("Formation agroalimentaire (côté flamand)", 5, ""),
        ("Formation agroalimentaire (côté wallon)", 8, ""),
        ("Formation textile COBOT", 6, "2017-S2"),
    ]


def test_2017_cancelled_training_keeps_its_reason_and_planned_2018_follows(report_2017):
    tewerkstellen = project(report_2017, GT)
    assert [
        (a.title.en, a.place.en, a.cancellation_reason.en) for a in tewerkstellen.cancelled
    ] == [
        (
            "Cross-border welder training",
            "VDAB Ieper",
            "No benefit-eligible French candidates were found with basic Dutch or willing to "
            "learn it for this training.",
        )
    ]
    assert tewerkstellen.planned == []
    assert [(a.title.en, a.start_date, a.semester) for a in tewerkstellen.planned_next_year] == [
        ("Seminar for Entreprendre Ensemble and coastal partners", D(2018, 4, 13), "2018-S1"),
        ("Seminar for Entreprendre Ensemble and coastal partners (2)", D(2018, 4, 20), "2018-S1"),
        ("Company visits by bus", D(2018, 5, 31), "2018-S1"),
        ("Guidance cohort Veurne/Dunkerque 2018", None, "2018-S2"),
        ("Online job fair", None, "2018-S2"),
        ("Cross-border forklift driver training", None, "2018-S2"),
    ]


def test_2017_totals_by_type_pes_and_semester(report_2017):
    assert pick(report_2017.totals, "actions", "starts", "placements", "hires", "vacancies") == {
        "actions": 8,
        "starts": 104,
        "placements": 9,
        "hires": 9,
        "vacancies": 17,
    }
    assert not report_2017.totals.lower_bounds
    assert split(report_2017.by_type, "starts") == {
        "company_visit": 20,
        "guidance_cohort": 19,
        "jobdating": 46,
        "training": 19,
    }
    assert {b.key: (b.figures["actions"], b.figures["starts"]) for b in report_2017.by_pes} == {
        "le-forem": (2, 12),
        "pole-emploi": (4, 56),
        "vdab": (4, 17),
        # The actions with unsplit figures or employers present (no longer the cohorts, whose
        # placements are participation records).
        None: (6, 19),
    }
    assert sum(b.figures["starts"] for b in report_2017.by_pes) == 104
    assert {
        b.key: pick(b.figures, "actions", "starts", "placements") for b in report_2017.by_semester
    } == {
        "2017-S1": {"actions": 2, "starts": 30, "placements": 3},
        "2017-S2": {"actions": 4, "starts": 61, "placements": 6},
        None: {"actions": 2, "starts": 13, "placements": 0},
    }
    # The answer names the French PES as it was called then.
    assert report_2017.pes_names == {
        "le-forem": "Le Forem",
        "pole-emploi": "Pôle emploi",
        "vdab": "VDAB",
    }


def test_2018_guidance_cohort_textiles_fair_and_refugees(report_2018):
    assert [p.slug for p in report_2018.projects] == [GT, GC, "actemploi", "ab-refugies"]
    cohort = section(report_2018, GT, "guidance_cohort")
    assert pick(cohort.totals, "actions", "starts") == {"actions": 1, "starts": 11}
    assert split(cohort.by_pes, "starts") == {"le-forem": 5, "pole-emploi": 3, "vdab": 3}
    assert [(a.status, a.start_date, a.end_date) for a in cohort.actions] == [
        (ActionStatus.ONGOING, D(2018, 3, 26), D(2018, 6, 26))
    ]

    trainings = section(report_2018, GC, "training")
    # The food-sector immersion in maintenance-mechanic trainings is of the industry.
    assert {b.key: b.figures["starts"] for b in trainings.by_sector} == {
        "agro-food": 0,
        "industry": 0,
        "textiles": 7,
    }
    # In the one order of actions: those known by their year only sort on 1 January.
    assert [(a.title.en, a.status, a.figures["starts"]) for a in trainings.actions] == [
        ("Agro-food training (French side)", ActionStatus.ONGOING, 0),
        ("Food-sector immersion in maintenance-mechanic training", ActionStatus.ONGOING, 0),
        ("Textiles training March 2018", ActionStatus.COMPLETED, 7),
    ]

    fair = section(report_2018, GC, "job_fair")
    # "More than 200 jobseekers came by": reached, not started.
    assert pick(fair.totals, "actions", "starts", "reached", "agencies") == {
        "actions": 1,
        "starts": 0,
        "reached": 200,
        "agencies": 6,
    }
    assert fair.totals.at_least("reached") and not fair.totals.at_least("agencies")
    assert split(fair.by_pes, "reached") == {None: 200}
    assert [b.figures.at_least("reached") for b in fair.by_pes if b.key is None] == [True]

    refugees = project(report_2018, "ab-refugies")
    assert refugees.sections == [] and refugees.totals is None
    assert [(a.title.nl, split(a.by_pes, "interested")) for a in refugees.planned] == [
        ("Begeleidingstraject voor vluchtelingen (Vlaamse kant)", {"vdab": 6})
    ]
    actemploi = project(report_2018, "actemploi")
    assert (actemploi.sections, actemploi.planned, actemploi.totals) == ([], [], None)


def test_2018_totals_are_a_lower_bound_including_the_fair(report_2018):
    assert pick(report_2018.totals, "actions", "starts", "reached", "agencies") == {
        "actions": 5,
        "starts": 18,
        "reached": 200,
        "agencies": 6,
    }
    assert report_2018.totals.lower_bounds == {"reached"}
    assert {
        b.key: (b.figures["starts"], b.figures.at_least("starts")) for b in report_2018.by_pes
    } == {
        "le-forem": (5, False),
        "pole-emploi": (3, False),
        "vdab": (3, False),
        None: (7, False),
    }
    assert {b.key: b.figures["actions"] for b in report_2018.by_semester} == {
        "2018-S1": 3,
        None: 2,
    }
    assert [
        (p, t, f["starts"], f.at_least("starts")) for p, t, f in report_2018.by_project_and_type
    ] == [
        (GC, "job_fair", 0, False),
        (GC, "training", 7, False),
        (GT, "guidance_cohort", 11, False),
    ]


def test_2018_planned_for_the_rest_of_the_year(report_2018):
    # In the order their periods begin: the discovery days, known by their year only, first.
    assert [a.title.en for a in project(report_2018, GC).planned] == [
        "Cross-border discovery days in agro-food",
        "Job fair Ghyvelde",
        "Info moment for companies",
        "Bricklayer training, Dunkerque region",
        "Breakfast session with Alimento",
        "Agro-food training (Flemish and Walloon side)",
        "Food-sector immersion in maintenance-mechanic training (VDAB)",
    ]
    ghyvelde = project(report_2018, GC).planned[1]
    assert split(ghyvelde.by_pes, "agencies") == {None: 3}


def test_indicator_progress_up_to_the_year(report_2017, report_2018):
    def actual(report, code: str, scope: str | None) -> tuple[int, bool]:
        line = next(i for i in report.indicators if i.code == code and i.project == scope)
        return line.actual, line.lower_bound

    # RCO85 counts training starts: 19 in 2017, 7 more in 2018.
    assert actual(report_2017, "RCO85", GC) == (19, False)
    assert actual(report_2018, "RCO85", GC) == (26, False)
    assert actual(report_2017, "RCO81", None) == (104, False)
    # People a fair reached are no participations (2018: 11 + 7 starts).
    assert actual(report_2018, "RCO81", None) == (122, False)
    rco85 = next(i for i in report_2017.indicators if i.code == "RCO85" and i.project == GC)
    assert rco85.name.fr == "Participations à des programmes de formation conjoints"
    assert [(t.kind, t.year, t.target, t.actual) for t in rco85.targets] == [
        ("milestone", 2018, 40, 19),
        ("final", 2020, 120, 19),
    ]


def test_projects_asked_for_limit_every_part(demo):
    report = year_report(year=2017, projects=[GC])
    assert [p.slug for p in report.projects] == [GC]
    assert pick(report.totals, "actions", "starts") == {"actions": 3, "starts": 19}
    assert {b.key for b in report.by_type} == {"training"}
    assert {i.project for i in report.indicators} == {GC, None}
    assert report.selected_projects == [GC]


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"year": 1999}, {"year": ["“1999” is not a year between 2000 and 2100."]}),
        ({"year": 2017, "projects": ["nope"]}, {"project": ["Unknown project “nope”."]}),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(db, kwargs, errors):
    with pytest.raises(ReportParameterError) as excinfo, translation.override("en"):
        year_report(**kwargs)
    assert excinfo.value.message_dict == errors


def test_answer_sheet_reads_like_the_answer(report_2017, report_2018):
    sheet = answer_sheet(report_2017, "en")
    tewerkstellen = sheet.projects[0]
    cohorts = tewerkstellen.types[0]
    assert cohorts.summary == (
        "2 actions; 19 started (Pôle emploi 11, Le Forem 4, VDAB 4); 9 found work "
        "(1st semester 2017: 3, 2nd semester 2017: 6)."
    )
    assert cohorts.table.columns == [
        "When",
        "Place",
        "Action",
        "Status",
        "Started, Le Forem",
        "Started, Pôle emploi",
        "Started, VDAB",
        "Started",
        "Found work",
    ]
    assert [c.text for c in cohorts.table.rows[0]] == [
        "27/04/2017 \N{EN DASH} 27/07/2017",
        "LKT",
        "Guidance cohort LKT",
        "completed",
        "4",
        "5",
        "1",
        "10",
        "3",
    ]
    assert [c.text for c in cohorts.table.footer] == [
        "Total",
        "",
        "2 actions",
        "",
        "4",
        "11",
        "4",
        "19",
        "9",
    ]
    competent = sheet.projects[1].types[0]
    assert competent.summary == (
        "3 actions; 19 started (agro-food: 13 in 2 actions, textiles: 6 in 1 action)."
    )
    assert "Started, unknown PES" in competent.table.columns
    assert [item.text for item in tewerkstellen.cancelled] == [
        "Cross-border welder training (training, VDAB Ieper, 2017) was cancelled. Reason: No "
        "benefit-eligible French candidates were found with basic Dutch or willing to learn it for "
        "this training."
    ]

    sheet_2018 = answer_sheet(report_2018, "en")
    fair = sheet_2018.projects[1].types[0]
    assert fair.summary == "1 action; 0 started; at least 200 jobseekers reached; 6 agencies."
    assert [c.text for c in fair.table.rows[0]][4:] == ["0", "at least 200", "6"]
    assert [item.text for item in sheet_2018.projects[3].planned] == [
        "in the coming weeks (spring 2018): Guidance path for refugees (Flemish side) "
        "(guidance cohort); organised by VDAB: 6 interested (VDAB 6)."
    ]
    by_pes = next(b for b in sheet_2018.totals if b.heading == "By PES").table
    assert [c.text for c in by_pes.rows[-1]][:3] == ["unknown PES", "4", "7"]


def _grow(size: int) -> None:
    """More of everything the report reads: realised actions with figures, records and
    employers, cancelled and planned ones, in two projects and two years."""
    projects = list(Project.objects.filter(slug__in=[GT, GC]).order_by("slug"))
    pes = list(Organisation.objects.filter(slug__in=["vdab", "le-forem"]).order_by("slug"))
    for n in range(size):
        action = ActionFactory(
            project=projects[n % 2],
            action_type=[ActionType.JOBDATING, ActionType.TRAINING][n % 2],
            start_date=D(2017, 1 + n % 12, 1),
        )
        FigureFactory(action=action, pes=pes[0], metric=Metric.STARTS, value=n + 1)
        ParticipationFactory(
            action=action,
            jobseeker=JobseekerFactory(pes=pes[1]),
            status=ParticipationStatus.COMPLETED,
            placed_on=D(2018, 1, 1),
        )
        ActionEmployerFactory(action=action, vacancies=2)
        ActionFactory(
            project=projects[n % 2],
            status=ActionStatus.CANCELLED,
            cancellation_reason="No candidates.",
            start_date=D(2017, 3, 1),
        )
        ActionFactory(project=projects[n % 2], status=ActionStatus.PLANNED, start_date=None)


@pytest.mark.parametrize("size", [0, 25])
@pytest.mark.parametrize(
    ("projects", "queries"),
    [
        # Projects, PES names (2), actions (+ organisers and their former names), per action
        # (2), the tables (8 groupings; the totals from the rows, one grouping by PES needing
        # its own), indicators (7: reports.indicators, from the rollups without a query of the
        # actions themselves) and their names, all projects. With the stories: their rows (one
        # query per relation, one for the former names of all who taught, tested or presented),
        # each project's facts and question 5. The rollups' standing (reports.answers) before
        # the 8 groupings' tables (once: they are asked together and kept by what was asked),
        # the two tables per action and the indicators' counts.
        (None, 59),
        # The project slugs are checked once more by each of the three filter sets.
        ([GT, GC], 62),
    ],
)
def test_the_year_report_is_a_fixed_number_of_queries(
    demo, size, projects, queries, django_assert_num_queries
):
    _grow(size)
    assert Action.objects.count() == 28 + 3 * size
    with django_assert_num_queries(queries):
        report = year_report(year=2017, projects=projects)
    assert report.totals["actions"] == 8 + size
    # Writing it out queries nothing.
    with django_assert_num_queries(0):
        answer_sheet(report, "fr")
