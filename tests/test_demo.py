"""The demo holds every fact of the parliamentary answer, and loading it twice changes nothing."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from actions.models import Action, Figure
from crossborder.demo.data import ACTIONS, load_demo
from projects.models import BorderOfficePair, Organisation, Project, WorkPackage

pytestmark = pytest.mark.django_db
D = datetime.date


def figures_of(reference: str) -> set[tuple[str, str | None, int, bool]]:
    return {
        (f.metric, f.pes.slug if f.pes else None, f.value, f.is_lower_bound)
        for f in Figure.objects.filter(action__reference=reference).select_related("pes")
    }


# reference: (type, status, start, end, year, semester, figures)
EXPECTED = {
    "gt-2017-cohort-lkt": (
        "guidance_cohort",
        "completed",
        D(2017, 4, 27),
        D(2017, 7, 27),
        2017,
        "2017-S1",
        {
            ("starts", "pole-emploi", 5, False),
            ("starts", "le-forem", 4, False),
            ("starts", "vdab", 1, False),
            ("placements", None, 3, False),
        },
    ),
    "gt-2017-cohort-veurne-dunkerque": (
        "guidance_cohort",
        "completed",
        D(2017, 9, 29),
        D(2017, 12, 29),
        2017,
        "2017-S2",
        {
            ("starts", "pole-emploi", 6, False),
            ("starts", "vdab", 3, False),
            ("placements", None, 6, False),
        },
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
        {("starts", None, 200, True), ("agencies", None, 6, False)},
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
        "",
        {("interested", "vdab", 6, False)},
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


def test_cancelled_welder_training_keeps_its_reason_and_certificate(demo):
    welder = Action.objects.get(reference="gt-2017-training-welder-ieper")
    assert "basic Dutch" in welder.cancellation_reason
    assert list(welder.certificates.values_list("slug", flat=True)) == ["european-welder"]
    assert list(welder.offices.values_list("slug", flat=True)) == ["vdab-ieper"]


def test_company_visit_lists_its_companies_jobs_and_organisers(demo):
    visit = Action.objects.get(reference="gt-2017-skills-eurometropolis-tour")
    assert sorted(visit.employers.values_list("organisation__slug", flat=True)) == [
        "koraton",
        "vandeputte",
        "wepa",
    ]
    assert sorted(visit.job_offers.values_list("title", flat=True)) == [
        "line operator",
        "maintenance technician",
        "production operator",
    ]
    assert set(visit.organisers.values_list("slug", flat=True)) == {
        "mde-lys-tourcoing",
        "vdab",
        "le-forem",
        "pole-emploi",
        "unizo",
        "ivr",
    }


def test_forklift_training_has_both_certificates_capacity_and_language_part(demo):
    forklift = Action.objects.get(reference="gt-2018-training-forklift-rekkem")
    assert set(forklift.certificates.values_list("slug", flat=True)) == {"caces", "be-forklift"}
    assert (forklift.capacity, forklift.duration_days, forklift.period_note) == (12, 10, "autumn")
    cohort = Action.objects.get(reference="gt-2017-cohort-lkt")
    assert (cohort.language_hours, cohort.capacity) == (40, 12)


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
    assert Project.objects.get(slug="actemploi").starts_on == D(2018, 1, 1)
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


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"projects", "actions", "participants", "auth"}
    }


def test_loading_twice_changes_nothing_not_even_the_audit_trail(settings):
    settings.DEBUG = True
    load_demo(with_users=True)
    before = _row_counts()
    updated = dict(Action.objects.values_list("reference", "updated_at"))
    load_demo(with_users=True)
    assert _row_counts() == before
    assert dict(Action.objects.values_list("reference", "updated_at")) == updated


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
    assert "Demo data loaded." in out.getvalue()
    assert "crossborder-demo" not in out.getvalue()
    assert not get_user_model().objects.exists()
