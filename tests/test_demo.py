"""The demo holds every fact of the parliamentary answer, and loading it twice changes nothing."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from actions.models import Action, Figure
from actions.services import figure_upsert
from crossborder.demo.data import ACTIONS, load_demo
from participants.attributes import AGE_BANDS, age_at_entry, band_of
from participants.models import FollowUpKind, Jobseeker, Participation
from projects.models import BorderOfficePair, Indicator, Organisation, Project, WorkPackage
from reports.selectors import outcomes

pytestmark = pytest.mark.django_db
D = datetime.date


def figures_of(reference: str) -> set[tuple[str, str | None, int, bool]]:
    return {
        (f.metric, f.pes.slug if f.pes else None, f.value, f.is_lower_bound)
        for f in Figure.objects.filter(action__reference=reference).select_related("pes")
    }


def records_of(reference: str) -> dict[tuple[str, str], int]:
    """The participation records of an action: {(PES, status): count}."""
    return dict(
        Counter(
            Participation.objects.filter(action__reference=reference).values_list(
                "pes__slug", "status"
            )
        )
    )


# reference: (type, status, start, end, year, semester, figures)
EXPECTED = {
    "gt-2017-cohort-lkt": (
        "guidance_cohort",
        "completed",
        D(2017, 4, 27),
        D(2017, 7, 27),
        2017,
        "2017-S1",
        set(),  # participation records (RECORDS)
    ),
    "gt-2017-cohort-veurne-dunkerque": (
        "guidance_cohort",
        "completed",
        D(2017, 9, 29),
        D(2017, 12, 29),
        2017,
        "2017-S2",
        set(),  # participation records (RECORDS)
    ),
    "gt-2017-skills-eurometropolis-tour": (
        "company_visit",
        "completed",
        D(2017, 6, 6),
        None,
        2017,
        "2017-S1",
        {
            ("starts", "le-forem", 8, False),
            ("starts", "pole-emploi", 10, False),
            ("starts", "vdab", 2, False),
            ("hires", None, 2, False),
        },
    ),
    "gt-2017-jobdating-veurne": (
        "jobdating",
        "completed",
        D(2017, 11, 28),
        None,
        2017,
        "2017-S2",
        {
            ("starts", "pole-emploi", 35, False),
            ("starts", "vdab", 11, False),
            ("employers", None, 3, False),
            ("agencies", None, 3, False),
            ("vacancies", None, 17, False),
            ("hires", None, 7, False),
        },
    ),
    "gt-2017-training-welder-ieper": ("training", "cancelled", None, None, 2017, "", set()),
    "gt-2017-staff-seminar": (
        "staff_seminar",
        "completed",
        D(2017, 11, 9),
        None,
        2017,
        "2017-S2",
        set(),
    ),
    "gt-2018-cohort-1": (
        "guidance_cohort",
        "ongoing",
        D(2018, 3, 26),
        D(2018, 6, 26),
        2018,
        "2018-S1",
        {
            ("starts", "vdab", 3, False),
            ("starts", "le-forem", 5, False),
            ("starts", "pole-emploi", 3, False),
        },
    ),
    "gt-2018-cohort-veurne-dunkerque": (
        "guidance_cohort",
        "planned",
        None,
        None,
        2018,
        "2018-S2",
        set(),
    ),
    "gt-2018-company-visits-bus": (
        "company_visit",
        "planned",
        D(2018, 5, 31),
        None,
        2018,
        "2018-S1",
        set(),
    ),
    "gt-2018-online-job-fair": ("job_fair", "planned", None, None, 2018, "2018-S2", set()),
    "gt-2018-training-forklift-rekkem": ("training", "planned", None, None, 2018, "2018-S2", set()),
    "gt-2018-staff-seminar-13-april": (
        "staff_seminar",
        "planned",
        D(2018, 4, 13),
        None,
        2018,
        "2018-S1",
        set(),
    ),
    "gt-2018-staff-seminar-20-april": (
        "staff_seminar",
        "planned",
        D(2018, 4, 20),
        None,
        2018,
        "2018-S1",
        set(),
    ),
    "gc-2018-job-fair-dunkerque": (
        "job_fair",
        "completed",
        D(2018, 2, 1),
        None,
        2018,
        "2018-S1",
        {("reached", None, 200, True), ("agencies", None, 6, False)},
    ),
    "gc-2018-job-fair-ghyvelde": (
        "job_fair",
        "planned",
        D(2018, 4, 13),
        None,
        2018,
        "2018-S1",
        {("agencies", None, 3, False)},
    ),
    "gc-2017-agro-food-vdab": (
        "training",
        "completed",
        None,
        None,
        2017,
        "",
        {("starts", None, 5, False)},
    ),
    "gc-2017-agro-food-le-forem": (
        "training",
        "completed",
        None,
        None,
        2017,
        "",
        {("starts", None, 8, False)},
    ),
    "gc-2018-agro-food-french-side": ("training", "ongoing", None, None, 2018, "", set()),
    "gc-2018-agro-food-autumn": ("training", "planned", None, None, 2018, "2018-S2", set()),
    "gc-2017-textiles-cobot": (
        "training",
        "completed",
        None,
        None,
        2017,
        "2017-S2",
        {("starts", None, 6, False)},
    ),
    "gc-2018-textiles": (
        "training",
        "completed",
        None,
        None,
        2018,
        "2018-S1",
        {("starts", None, 7, False)},
    ),
    "gc-2018-bricklayer-dunkerque": ("training", "planned", None, None, 2018, "2018-S1", set()),
    "gc-2018-maintenance-food-immersion": ("training", "ongoing", None, None, 2018, "", set()),
    "gc-2018-maintenance-food-immersion-vdab": (
        "training",
        "planned",
        None,
        None,
        2018,
        "2018-S2",
        set(),
    ),
    "gc-2018-discovery-days-agro-food": ("discovery_day", "planned", None, None, 2018, "", set()),
    "gc-2018-info-moment-companies": (
        "info_session",
        "planned",
        None,
        None,
        2018,
        "2018-S1",
        set(),
    ),
    "gc-2018-breakfast-alimento": (
        "info_session",
        "planned",
        D(2018, 6, 6),
        None,
        2018,
        "2018-S1",
        set(),
    ),
    "abr-2018-guidance-refugees": (
        "guidance_cohort",
        "planned",
        None,
        None,
        2018,
        "2018-S1",
        set(),  # participation records (RECORDS)
    ),
}


def test_every_action_of_the_answer_is_loaded_with_its_figures_status_and_dates(demo):
    assert Action.objects.count() == len(EXPECTED) == len(ACTIONS)
    for reference, (kind, status, start, end, year, semester, figures) in EXPECTED.items():
        action = Action.objects.get(reference=reference)
        assert (
            action.action_type,
            action.status,
            action.start_date,
            action.end_date,
            action.year,
            action.semester,
        ) == (kind, status, start, end, year, semester), reference
        assert figures_of(reference) == figures, reference


# The actions whose PES keep participation records: (PES, status) -> count, and how many found
# work (the answer's figures: the 2017 cohorts' starts per PES and placements, the interested
# refugees).
RECORDS = {
    "gt-2017-cohort-lkt": (
        {("pole-emploi", "started"): 5, ("le-forem", "started"): 4, ("vdab", "started"): 1},
        3,
    ),
    "gt-2017-cohort-veurne-dunkerque": (
        {("pole-emploi", "started"): 6, ("vdab", "started"): 3},
        6,
    ),
    "abr-2018-guidance-refugees": ({("vdab", "interested"): 6}, 0),
}


def test_the_answer_s_starts_and_placements_are_participation_records(demo):
    assert Participation.objects.count() == sum(sum(r.values()) for r, _ in RECORDS.values())
    for reference, (records, placed) in RECORDS.items():
        assert records_of(reference) == records, reference
        found = Participation.objects.filter(action__reference=reference, placed_on__isnull=False)
        assert found.count() == placed, reference
    # One record per person: 25 jobseekers, each in one action.
    assert Jobseeker.objects.count() == 25
    # The six interested are refugees; nobody else is recorded as one.
    assert set(
        Jobseeker.objects.filter(is_refugee=True).values_list(
            "participations__action__reference", flat=True
        )
    ) == {"abr-2018-guidance-refugees"}
    assert Jobseeker.objects.filter(is_refugee=True).count() == 6


def test_who_took_part_gender_age_band_education_and_status_at_entry(demo):
    assert Counter(Jobseeker.objects.values_list("gender", flat=True)) == {
        "woman": 11,
        "man": 12,
        "not_given": 2,
    }
    bands = Counter(
        band_of(age_at_entry(p.jobseeker.birth_year, p.action.year), AGE_BANDS)
        for p in Participation.objects.select_related("jobseeker", "action")
    )
    assert bands == {"under_25": 5, "25_54": 18, "55_plus": 2}
    assert Counter(Jobseeker.objects.values_list("education_level", flat=True)) == {
        "isced_0_2": 9,
        "isced_3_4": 10,
        "isced_5_8": 5,
        "": 1,
    }
    by_action = Counter(
        Participation.objects.values_list(
            "action__reference", "entry_status", "unemployment_duration"
        )
    )
    assert by_action == {
        ("gt-2017-cohort-lkt", "unemployed", "6_to_12_months"): 2,
        ("gt-2017-cohort-lkt", "unemployed", "under_6_months"): 2,
        ("gt-2017-cohort-lkt", "long_term_unemployed", "12_to_24_months"): 2,
        ("gt-2017-cohort-lkt", "long_term_unemployed", "24_months_or_more"): 3,
        ("gt-2017-cohort-lkt", "inactive", ""): 1,
        ("gt-2017-cohort-veurne-dunkerque", "unemployed", "6_to_12_months"): 2,
        ("gt-2017-cohort-veurne-dunkerque", "unemployed", "under_6_months"): 3,
        ("gt-2017-cohort-veurne-dunkerque", "long_term_unemployed", "12_to_24_months"): 2,
        ("gt-2017-cohort-veurne-dunkerque", "long_term_unemployed", "24_months_or_more"): 2,
        ("abr-2018-guidance-refugees", "unemployed", "under_6_months"): 2,
        ("abr-2018-guidance-refugees", "unemployed", "6_to_12_months"): 1,
        ("abr-2018-guidance-refugees", "long_term_unemployed", "12_to_24_months"): 1,
        ("abr-2018-guidance-refugees", "inactive", ""): 2,
    }


def follow_up_states(as_of: datetime.date) -> dict[tuple[str, str, str | None], int]:
    """{(action, follow-up, state): count} of every record on a day."""
    return dict(
        Counter(
            (p.action.reference, kind, p.follow_up_state(kind, as_of))
            for p in Participation.objects.select_related("action")
            for kind in FollowUpKind.values
        )
    )


LKT, VEURNE = "gt-2017-cohort-lkt", "gt-2017-cohort-veurne-dunkerque"
REFUGEES = "abr-2018-guidance-refugees"
ON_LEAVING, SIX_MONTHS = FollowUpKind.ON_LEAVING.value, FollowUpKind.SIX_MONTHS.value


def test_follow_ups_on_the_day_of_the_answer(demo):
    """20 April 2018: the spring cohort's six-month check was due on 27 January (some done, the
    rest overdue since 24 February); the autumn cohort's falls due on 29 June, not yet; the
    interested refugees did not start and need none."""
    assert follow_up_states(D(2018, 4, 20)) == {
        (LKT, ON_LEAVING, "done"): 8,
        (LKT, ON_LEAVING, "overdue"): 2,
        (LKT, SIX_MONTHS, "done"): 5,
        (LKT, SIX_MONTHS, "overdue"): 5,
        (VEURNE, ON_LEAVING, "done"): 8,
        (VEURNE, ON_LEAVING, "overdue"): 1,
        (VEURNE, SIX_MONTHS, "not_due"): 9,
        (REFUGEES, ON_LEAVING, None): 6,
        (REFUGEES, SIX_MONTHS, None): 6,
    }


@pytest.mark.parametrize(
    ("as_of", "autumn_six_months"),
    [
        (D(2018, 6, 28), "not_due"),
        (D(2018, 6, 29), "due"),
        (D(2018, 7, 27), "due"),
        (D(2018, 7, 28), "overdue"),
        (D(2026, 1, 1), "overdue"),
    ],
)
def test_follow_ups_later_the_autumn_cohort_s_six_month_check_comes_due(
    demo, as_of, autumn_six_months
):
    states = follow_up_states(as_of)
    assert states[(VEURNE, SIX_MONTHS, autumn_six_months)] == 9
    assert states[(LKT, SIX_MONTHS, "overdue")] == 5
    assert states[(VEURNE, ON_LEAVING, "overdue")] == 1


RESULTS = (
    "in_work_on_leaving",
    "on_leaving_known",
    "on_leaving_not_yet_known",
    "on_leaving_unknown",
    "in_work_six_months",
    "better_situation",
    "six_months_known",
    "six_months_not_yet_known",
    "six_months_unknown",
)


@pytest.mark.parametrize(
    ("as_of", "results"),
    [
        # The answer's day: the autumn cohort's six-month check is not yet known.
        (D(2018, 4, 20), (6, 16, 0, 3, 2, 1, 5, 9, 5)),
        # Due since 29 June, within the four weeks of grace: still not yet known.
        (D(2018, 7, 10), (6, 16, 0, 3, 2, 1, 5, 9, 5)),
        # Overdue: unknown.
        (D(2018, 8, 1), (6, 16, 0, 3, 2, 1, 5, 0, 14)),
    ],
)
def test_the_reports_read_the_2017_cohorts_follow_ups(demo, as_of, results):
    table = outcomes(filters={"year": 2017, "project": "grenzeloos-tewerkstellen"}, as_of=as_of)
    assert tuple(table.totals[name] for name in RESULTS) == results


def test_follow_ups_are_consistent_with_the_work_found(demo):
    """In work on leaving exactly for those who found work by the check (the model's rules hold
    for every record); the answer's 9 who found work are all among the records."""
    records = list(Participation.objects.select_related("action", "jobseeker"))
    for record in records:
        record.full_clean()
        if record.leaving_situation:
            found_by_check = (
                record.placed_on is not None and record.placed_on <= record.leaving_checked_on
            )
            assert record.in_work_on_leaving == found_by_check, record
            # Within four weeks of the end.
            assert record.leaving_checked_on <= record.action.end_date + datetime.timedelta(28)
    assert sum(r.in_work_on_leaving for r in records) == 6
    assert sum(r.in_work_six_months_on for r in records) == 2
    assert Counter(r.leaving_source for r in records if r.leaving_situation) == {
        "pes_register": 9,
        "employer": 3,
        "self_declared": 4,
    }


def test_the_construction_training_has_nothing_due(demo):
    """Its outflow is expected in 2019: no participant yet, so no follow-up to do or to count."""
    bricklayers = Action.objects.get(reference="gc-2018-bricklayer-dunkerque")
    assert bricklayers.outcomes_expected_on.year == 2019
    assert not bricklayers.participations.exists()
    assert not bricklayers.figures.exists()


def texts(obj: object, field_name: str) -> tuple[str, str, str]:
    """A translated field's texts in English, Dutch and French."""
    en, nl, fr = (getattr(obj, f"{field_name}_{lang}") for lang in ("en", "nl", "fr"))
    return en, nl, fr


def slugs(relation) -> set[str]:
    return set(relation.values_list("slug", flat=True))


# reference: (first month of its period, the day it sorts on): the actions known by a rough
# period sort where that period begins.
ROUGH_PERIODS = {
    "gc-2017-agro-food-vdab": (None, D(2017, 1, 1)),
    "gt-2017-training-welder-ieper": (None, D(2017, 1, 1)),
    "gc-2017-textiles-cobot": (12, D(2017, 12, 1)),
    "gc-2018-textiles": (3, D(2018, 3, 1)),
    "abr-2018-guidance-refugees": (3, D(2018, 3, 1)),
    "gc-2018-info-moment-companies": (5, D(2018, 5, 1)),
    "gc-2018-bricklayer-dunkerque": (6, D(2018, 6, 1)),
    "gt-2018-cohort-veurne-dunkerque": (None, D(2018, 7, 1)),
    "gt-2018-online-job-fair": (None, D(2018, 7, 1)),
    "gt-2018-training-forklift-rekkem": (9, D(2018, 9, 1)),
    "gc-2018-agro-food-autumn": (9, D(2018, 9, 1)),
    "gc-2018-maintenance-food-immersion-vdab": (9, D(2018, 9, 1)),
    "gc-2018-discovery-days-agro-food": (None, D(2018, 1, 1)),
}


def test_rough_periods_sort_where_they_begin(demo):
    for reference, (month, sort_date) in ROUGH_PERIODS.items():
        action = Action.objects.get(reference=reference)
        assert (action.period_month, action.sort_date) == (month, sort_date), reference
    order = list(
        Action.objects.filter(year=2018, project__slug="grenzeloos-competent").values_list(
            "reference", flat=True
        )
    )
    # 1 February, then March, 13 April, May, 6 June after June's first day, autumn.
    assert order.index("gc-2018-job-fair-dunkerque") < order.index("gc-2018-textiles")
    assert order.index("gc-2018-textiles") < order.index("gc-2018-job-fair-ghyvelde")
    assert order.index("gc-2018-job-fair-ghyvelde") < order.index("gc-2018-info-moment-companies")
    assert order.index("gc-2018-info-moment-companies") < order.index(
        "gc-2018-bricklayer-dunkerque"
    )
    assert order.index("gc-2018-bricklayer-dunkerque") < order.index("gc-2018-breakfast-alimento")
    assert order[-1] in {"gc-2018-agro-food-autumn", "gc-2018-maintenance-food-immersion-vdab"}


def test_period_notes_in_three_languages(demo):
    def note(reference: str) -> tuple[str, str, str]:
        return texts(Action.objects.get(reference=reference), "period_note")

    assert note("gt-2018-training-forklift-rekkem") == ("autumn", "najaar", "automne")
    assert note("abr-2018-guidance-refugees") == (
        "in the coming weeks (spring 2018)",
        "in de komende weken (voorjaar 2018)",
        "dans les semaines à venir (printemps 2018)",
    )
    assert note("gc-2018-discovery-days-agro-food") == (
        "three a year",
        "drie per jaar",
        "trois par an",
    )
    assert note("gc-2018-bricklayer-dunkerque") == ("June", "juni", "juin")
    assert note("gc-2018-info-moment-companies") == ("May", "mei", "mai")


def test_places_use_each_language_s_name_for_a_town(demo):
    def place(reference: str) -> tuple[str, str, str]:
        return texts(Action.objects.get(reference=reference), "place")

    assert place("gt-2017-cohort-veurne-dunkerque") == (
        "Veurne/Dunkerque",
        "Veurne/Duinkerke",
        "Furnes/Dunkerque",
    )
    assert place("gt-2017-jobdating-veurne") == ("Veurne", "Veurne", "Furnes")
    assert place("gt-2017-training-welder-ieper") == (
        "VDAB Ieper",
        "VDAB Ieper",
        "VDAB Ieper (Ypres)",
    )
    assert place("gt-2018-company-visits-bus") == ("by bus", "met de bus", "en bus")
    assert place("gc-2018-bricklayer-dunkerque") == (
        "Dunkerque region",
        "regio Duinkerke",
        "région de Dunkerque",
    )
    assert place("gc-2018-job-fair-dunkerque") == ("Dunkerque", "Duinkerke", "Dunkerque")
    assert "Rekkem" in place("gt-2018-training-forklift-rekkem")[1]
    assert "Reckem" in place("gt-2018-training-forklift-rekkem")[2]


def test_cancelled_welder_training_keeps_its_reason_and_certificate(demo):
    welder = Action.objects.get(reference="gt-2017-training-welder-ieper")
    reason_en, reason_nl, reason_fr = texts(welder, "cancellation_reason")
    assert "basic Dutch" in reason_en
    assert "basiskennis Nederlands" in reason_nl
    assert "bases en néerlandais" in reason_fr
    assert list(welder.certificates.values_list("slug", flat=True)) == ["european-welder"]
    assert list(welder.offices.values_list("slug", flat=True)) == ["vdab-ieper"]
    assert "Europees attest lasser" in welder.description_nl


def test_company_visit_lists_its_companies_jobs_hires_and_organisers(demo):
    visit = Action.objects.get(reference="gt-2017-skills-eurometropolis-tour")
    employers = {
        e.organisation.slug: (
            texts(e.organisation, "activity"),
            e.organisation.city,
            e.hires,
            e.hired_within_days,
        )
        for e in visit.employers.select_related("organisation")
    }
    assert employers == {
        "koraton": (("construction", "bouw", "construction"), "Kortrijk", 2, 7),
        "vandeputte": (("oil and soap", "olie en zeep", "huile et savon"), "Mouscron", None, None),
        "wepa": (("toilet paper", "toiletpapier", "papier toilette"), "Bousbecque", None, None),
    }
    assert sorted(texts(job, "title") for job in visit.job_offers.all()) == [
        ("line operator", "lijnoperator", "opérateur de ligne"),
        ("maintenance technician", "onderhoudstechnicus", "technicien de maintenance"),
        ("production operator", "productieoperator", "opérateur de production"),
    ]
    assert slugs(visit.organisers) == {
        "mde-lys-tourcoing",
        "vdab",
        "le-forem",
        "pole-emploi",
        "unizo",
        "ivr",
    }
    hires = Figure.objects.get(action=visit, metric="hires")
    assert texts(hires, "note") == (
        "within the week, at Koraton",
        "binnen de week, bij Koraton",
        "dans la semaine, chez Koraton",
    )


def test_jobdating_offers_its_17_vacancies_in_five_jobs(demo):
    jobdating = Action.objects.get(reference="gt-2017-jobdating-veurne")
    assert sorted(texts(job, "title") for job in jobdating.job_offers.all()) == [
        ("forklift driver", "heftruckchauffeur", "cariste"),
        ("order picker", "orderpicker", "préparateur de commandes"),
        ("packer", "inpakker", "emballeur"),
        ("production operator", "productieoperator", "opérateur de production"),
        ("warehouse worker", "magazijnmedewerker", "magasinier"),
    ]
    assert "6 stands" in jobdating.description_en and "6 stands" in jobdating.description_fr


@pytest.mark.parametrize(
    "reference",
    [
        "gt-2017-cohort-lkt",
        "gt-2017-cohort-veurne-dunkerque",
        "gt-2018-cohort-1",
        "gt-2018-cohort-veurne-dunkerque",
    ],
)
def test_every_guidance_cohort_has_the_answer_s_format(demo, reference):
    cohort = Action.objects.get(reference=reference)
    assert (cohort.capacity, cohort.workshops, cohort.language_hours) == (12, 12, 40)
    assert texts(cohort, "workshop_note") == (
        "alternating in France and Belgium",
        "afwisselend in Frankrijk en België",
        "en alternance en France et en Belgique",
    )
    assert cohort.reviews_en.startswith("a mid-way review and a final")
    assert cohort.reviews_nl.startswith("een tussentijdse balans halverwege")
    assert cohort.reviews_fr.startswith("un bilan à mi-parcours")
    assert "IVR" in cohort.description_en and "IVR" in cohort.description_nl
    assert "IVR" in cohort.description_fr


def test_forklift_training_has_both_certificates_who_teaches_and_tests_and_its_language_part(demo):
    forklift = Action.objects.get(reference="gt-2018-training-forklift-rekkem")
    assert slugs(forklift.certificates) == {"caces", "be-forklift"}
    assert (forklift.capacity, forklift.duration_days) == (12, 14)
    assert slugs(forklift.taught_by) == {"vdab", "le-forem"}
    tester = forklift.tested_by.get()
    assert (tester.country, tester.kind) == ("FR", "partner")
    assert "CACES" in tester.activity_en
    assert texts(forklift, "language_note") == (
        "two weeks of intensive language training before the training starts",
        "2 weken intensieve taaltraining voor de start van de opleiding",
        "deux semaines de formation linguistique intensive avant le début de la formation",
    )
    assert "in Dutch" in forklift.description_en and "in het Frans" in forklift.description_nl


def test_the_fair_of_1_february_2018_reached_visitors_and_its_workshops(demo):
    fair = Action.objects.get(reference="gc-2018-job-fair-dunkerque")
    assert not fair.figures.filter(metric="starts").exists()
    assert slugs(fair.presenters) == {"vdab", "pole-emploi"}
    assert fair.workshops == 2
    assert "Flemish labour market" in fair.workshop_note_en
    assert "Vlaamse arbeidsmarkt" in fair.workshop_note_nl
    assert "marché du travail flamand" in fair.workshop_note_fr
    assert "Entreprendre Ensemble" in fair.description_fr
    reached = fair.figures.get(metric="reached")
    assert reached.note_nl == "meer dan 200 werkzoekenden kwamen langs"


def test_agro_food_construction_and_textiles_stories(demo):
    french_side = Action.objects.get(reference="gc-2018-agro-food-french-side")
    assert slugs(french_side.organisers) == {"conseil-regional-dunkerque"}
    for text in texts(french_side, "description"):
        assert "Huis van de Voeding" in text and "Roeselare" in text and "35" in text
    assert "Roulers" in french_side.description_fr
    bricklayer = Action.objects.get(reference="gc-2018-bricklayer-dunkerque")
    assert bricklayer.outcomes_expected_on == D(2019, 1, 1)
    assert texts(bricklayer, "outcomes_note") == (
        "outflow expected early 2019",
        "uitstroom voorzien begin 2019",
        "sorties prévues début 2019",
    )
    assert "week of Dutch at VDAB" in bricklayer.language_note_en
    cobot = Action.objects.get(reference="gc-2017-textiles-cobot")
    assert (cobot.duration_days, texts(cobot, "period_note")) == (
        5,
        ("December", "december", "décembre"),
    )
    assert "2 of theory and 3 of practice at PTI Kortrijk" in cobot.description_en
    assert "1 à 2 weken" in cobot.description_nl
    # Only one ongoing and one planned agro-food training in 2018: the immersion in the
    # maintenance-mechanic trainings belongs to industry.
    assert (
        Action.objects.filter(sector__slug="agro-food", year=2018, action_type="training").count()
        == 2
    )


def test_staff_seminars_name_who_presented(demo):
    presenters = {
        a.reference: slugs(a.presenters) for a in Action.objects.filter(action_type="staff_seminar")
    }
    assert presenters == {
        "gt-2017-staff-seminar": {"vdab", "unizo", "voka", "ivr"},
        "gt-2018-staff-seminar-13-april": {"vdab"},
        "gt-2018-staff-seminar-20-april": {"vdab"},
    }
    april = Action.objects.get(reference="gt-2018-staff-seminar-20-april")
    assert "kuststreek" in april.description_nl and "littoral" in april.description_fr


def test_act_emploi_and_ab_refugies_say_where_they_stand(demo):
    actemploi = Project.objects.get(slug="actemploi")
    assert actemploi.starts_on == D(2018, 1, 1)
    assert not actemploi.actions.exists()
    en, nl, fr = texts(actemploi, "state_note")
    assert "no French jobseekers have started yet" in en and "personal services" in en
    assert "nog geen instroom van Franse werkzoekenden" in nl and "enige Vlaamse partner" in nl
    assert "services à la personne" in fr
    refugies = Project.objects.get(slug="ab-refugies")
    assert refugies.starts_on == D(2018, 1, 1)
    assert "6 vluchtelingen" in refugies.state_note_nl
    assert "6 réfugiés" in refugies.state_note_fr
    assert records_of("abr-2018-guidance-refugees") == {("vdab", "interested"): 6}


def test_indicators_are_defined_in_three_languages(demo):
    definitions = {i.code: texts(i, "definition") for i in Indicator.objects.all()}
    assert set(definitions) == {
        "RCO81",
        "RCO85",
        "RCO115",
        "RCO87",
        "RCR81",
        "RCR85",
        "EECR04",
        "EECR05",
        "EECR06",
    }
    assert all(all(text for text in three) for three in definitions.values())
    assert "reached, not participations" in definitions["RCO81"][0]
    assert "bereikt, geen deelnames" in definitions["RCO81"][1]


def test_projects_partners_work_packages_and_offices(demo):
    assert set(Project.objects.values_list("slug", flat=True)) == {
        "grenzeloos-tewerkstellen",
        "grenzeloos-competent",
        "actemploi",
        "ab-refugies",
    }
    competent = Project.objects.get(slug="grenzeloos-competent")
    assert (competent.name_nl, competent.name_fr) == (
        "Grenzeloos Competent",
        "Compétences sans frontières",
    )
    wp = WorkPackage.objects.get(project=competent, code="WP-TRAINING")
    assert (wp.coordinator.slug, wp.name_nl) == (
        "vdab",
        "Ontwikkeling van grensoverschrijdende opleidingen",
    )
    assert wp.name_fr == "Développement de formations transfrontalières"
    roles = dict(
        Project.objects.get(slug="grenzeloos-tewerkstellen").memberships.values_list(
            "organisation__slug", "role"
        )
    )
    assert (roles["vdab"], roles["ivr"], roles["mde-lys-tourcoing"]) == (
        "partner",
        "associated",
        "associated",
    )
    pairs = {(p.office.slug, p.partner_office.slug) for p in BorderOfficePair.objects.all()}
    assert pairs == {
        ("pe-dunkerque", "vdab-veurne"),
        ("pe-armentieres", "vdab-ieper"),
        ("pe-wattrelos", "vdab-kortrijk"),
        ("pe-halluin", "vdab-kortrijk"),
    }
    pes = Organisation.objects.get(slug="pole-emploi")
    assert pes.name == "France Travail"
    assert pes.name_on(D(2017, 11, 28)) == "Pôle emploi"


def test_the_three_pes_and_the_named_partners_and_companies(demo):
    by_kind = {}
    for slug, kind in Organisation.objects.values_list("slug", "kind"):
        by_kind.setdefault(kind, set()).add(slug)
    assert by_kind["pes"] == {"vdab", "le-forem", "pole-emploi"}
    assert by_kind["company"] == {"koraton", "vandeputte", "wepa"}
    assert {
        "ivr",
        "unizo",
        "voka",
        "mde-lys-tourcoing",
        "entreprendre-ensemble",
        "cobot",
        "pti-kortrijk",
        "conseil-regional-dunkerque",
        "alimento",
        "ghyvelde",
    } <= by_kind["partner"]


def _demo_models() -> list:
    """The models the demo writes, with their many-to-many tables and histories."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"projects", "actions", "participants", "auth"}
    ]


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in _demo_models()}


def _update_stamps() -> dict[str, dict[int, object]]:
    return {
        model._meta.label: dict(model._default_manager.values_list("pk", "updated_at"))
        for model in _demo_models()
        if any(f.name == "updated_at" for f in model._meta.concrete_fields)
        and not model._meta.label.split(".")[1].startswith("Historical")
    }


def test_loading_twice_changes_nothing_not_even_the_audit_trail(settings):
    settings.DEBUG = True
    load_demo(with_users=True)
    before = _row_counts()
    updated = _update_stamps()
    assert {"actions.Action", "actions.Figure", "actions.JobOffer"} <= set(updated)
    load_demo(with_users=True)
    assert _row_counts() == before
    assert _update_stamps() == updated


def test_reloading_over_an_earlier_demo_drops_its_stale_figures_only(settings):
    """A database loaded by an earlier demo: the fair's visitors counted as starts go (the demo
    now counts them as reached), and a text column saved empty (NULL) is left as it is."""
    settings.DEBUG = True
    load_demo(with_users=False)
    fair = Action.objects.get(reference="gc-2018-job-fair-dunkerque")
    stale, _created = figure_upsert(
        action=fair, metric="starts", pes=None, value=200, is_lower_bound=True
    )
    Action.objects.filter(reference="gt-2018-online-job-fair").update(description_nl=None)
    online = Action.objects.get(reference="gt-2018-online-job-fair")
    load_demo(with_users=False)
    assert figures_of("gc-2018-job-fair-dunkerque") == {
        ("reached", None, 200, True),
        ("agencies", None, 6, False),
    }
    deleted = Figure.history.filter(id=stale.pk, history_type="-").get()
    assert deleted.history_change_reason == "No longer in the demo."
    assert Action.objects.get(pk=online.pk).updated_at == online.updated_at


def test_loading_in_dutch_writes_the_same_as_in_english(settings):
    """The demo writes each language's column itself, whatever language is active."""
    settings.DEBUG = True
    with translation.override("nl"):
        load_demo(with_users=False)
    before = _row_counts()
    updated = _update_stamps()
    with translation.override("fr"):
        load_demo(with_users=False)
    assert _row_counts() == before
    assert _update_stamps() == updated
    note = Figure.objects.get(action__reference="gt-2017-jobdating-veurne", pes__slug="vdab")
    assert texts(note, "note") == (
        "jobseekers from Flanders",
        "werkzoekenden uit Vlaanderen",
        "demandeurs d'emploi venus de Flandre",
    )


def test_command_prints_logins_only_with_debug(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "partner-pole-emploi" in out.getvalue()
    assert "crossborder-demo" in out.getvalue()
    user = get_user_model().objects.get(username="partner-le-forem")
    assert user.membership.organisation.slug == "le-forem"
    assert list(user.groups.values_list("name", flat=True)) == ["partner"]


def test_command_without_debug_makes_no_users():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert out.getvalue() == (
        "Demo data loaded.\n"
        "No demo users: they are made with DEBUG=true only (their password is public).\n"
    )
    assert not get_user_model().objects.exists()
