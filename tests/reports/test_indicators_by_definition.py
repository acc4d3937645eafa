"""Each indicator computed from the records by its definition (reports/indicators.py,
docs/indicators.md), on a small programme whose figures are counted by hand below; the
monitoring workbook and its endpoint."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus, ActionType, ParticipationStatus
from projects.models import Indicator, IndicatorRule, IndicatorUnit, TargetKind
from reports.indicators import indicator_counts, indicator_progress, value_text
from reports.selectors import report_actions
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    OrganisationFactory,
    ParticipationFactory,
    PesFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
JOINT, ONE_COUNTRY = "joint", "one-country"

RULES = {
    "EECR04": (IndicatorRule.EMPLOYED_ON_LEAVING, IndicatorUnit.PARTICIPANTS),
    "EECR05": (IndicatorRule.EMPLOYED_SIX_MONTHS, IndicatorUnit.PARTICIPANTS),
    "EECR06": (IndicatorRule.BETTER_SITUATION_SIX_MONTHS, IndicatorUnit.PARTICIPANTS),
    "RCO81": (IndicatorRule.JOINT_ACTION_PARTICIPATIONS, IndicatorUnit.PARTICIPATIONS),
    "RCO85": (IndicatorRule.TRAINING_PARTICIPATIONS, IndicatorUnit.PARTICIPATIONS),
    "RCO87": (IndicatorRule.CROSS_BORDER_ORGANISATIONS, IndicatorUnit.ORGANISATIONS),
    "RCO115": (IndicatorRule.PUBLIC_EVENTS, IndicatorUnit.EVENTS),
    "RCR81": (IndicatorRule.TRAINING_COMPLETIONS, IndicatorUnit.PARTICIPANTS),
    "RCR85": (IndicatorRule.PARTICIPATIONS_AFTER_PROJECT, IndicatorUnit.PARTICIPATIONS),
}


def make_indicators() -> dict[str, Indicator]:
    indicators = {}
    for code, (rule, unit) in RULES.items():
        indicator = Indicator(code=code, name=f"{code} name", unit=unit, rule=rule)
        indicator.full_clean()  # writes what the rule counts into source and action_types
        indicator.save()
        indicators[code] = indicator
    return indicators


def action(project, action_type: str, start: D, end: D | None = None, **extra):
    return ActionFactory(
        project=project,
        action_type=action_type,
        start_date=start,
        end_date=end,
        reference=extra.pop("reference"),
        **extra,
    )


def completed(action, jobseeker, **follow_ups):
    return ParticipationFactory(
        action=action,
        jobseeker=jobseeker,
        status=ParticipationStatus.COMPLETED,
        started_on=action.start_date,
        completed_on=action.end_date,
        **follow_ups,
    )


@pytest.fixture
def programme(db):
    """Two projects. `joint` (ends 2018-12-31; partners VDAB (BE) and France Travail (FR); a
    French partner organises its jobdating):

    - T1 training March 2017: A and B completed, C dropped out;
    - T2 training May 2017: A completed again (a person in two trainings), and one person
      registered at VDAB (E1) and at France Travail (E2) completed it twice (one key);
    - C1 guidance cohort: 5 starts as a figure (VDAB);
    - J1 jobdating: at least 10 starts (Le Forem, a lower bound), organised by MDE (FR);
    - F1 job fair: 200 reached, no starts; I1 info session; S1 staff seminar with 3 "starts";
    - P1 a planned jobdating with 9 starts (not realised);
    - J2 jobdating in March 2019, after the project's end: 4 starts.

    `one-country` (VDAB and Le Forem, both BE): a cohort of May 2017 with one started person.
    """
    vdab = PesFactory(slug="vdab", country="BE")
    le_forem = PesFactory(slug="le-forem", country="BE")
    france = PesFactory(slug="pole-emploi", country="FR")
    mde = OrganisationFactory(slug="mde", name="MDE Lys-Tourcoing", country="FR")
    joint = ProjectFactory(slug=JOINT, ends_on=D(2018, 12, 31))
    for organisation in (vdab, france):
        ProjectPartnerFactory(project=joint, organisation=organisation)
    one = ProjectFactory(slug=ONE_COUNTRY, ends_on=D(2020, 12, 31))
    for organisation in (vdab, le_forem):
        ProjectPartnerFactory(project=one, organisation=organisation)

    t1 = action(joint, ActionType.TRAINING, D(2017, 3, 1), D(2017, 3, 31), reference="T1")
    t2 = action(joint, ActionType.TRAINING, D(2017, 5, 1), D(2017, 5, 31), reference="T2")
    a, b, c = (JobseekerFactory(pes=vdab, pseudonym=f"key-{n}") for n in "abc")
    e1 = JobseekerFactory(pes=vdab, pseudonym="key-e")
    e2 = JobseekerFactory(pes=france, pseudonym="key-e")
    completed(
        t1,
        a,
        leaving_situation="employed",
        leaving_checked_on=D(2017, 4, 10),
        leaving_source="pes_register",
        six_month_situation="employed",
        six_month_checked_on=D(2017, 10, 2),
        six_month_source="pes_register",
    )
    completed(
        t1,
        b,
        leaving_situation="job_seeking",
        leaving_checked_on=D(2017, 4, 10),
        leaving_source="survey",
        six_month_situation="better_situation",
        six_month_checked_on=D(2017, 10, 2),
        six_month_source="survey",
    )
    ParticipationFactory(
        action=t1, jobseeker=c, status=ParticipationStatus.DROPPED_OUT, started_on=D(2017, 3, 1)
    )
    completed(
        t2,
        a,
        leaving_situation="self_employed",
        leaving_checked_on=D(2017, 6, 5),
        leaving_source="self_declared",
    )
    completed(t2, e1)
    completed(t2, e2)

    c1 = action(joint, ActionType.GUIDANCE_COHORT, D(2017, 4, 3), D(2017, 6, 30), reference="C1")
    FigureFactory(action=c1, pes=vdab, metric=Metric.STARTS, value=5)
    j1 = action(joint, ActionType.JOBDATING, D(2017, 11, 28), reference="J1")
    FigureFactory(action=j1, pes=le_forem, metric=Metric.STARTS, value=10, is_lower_bound=True)
    j1.organisers.add(mde)
    f1 = action(joint, ActionType.JOB_FAIR, D(2017, 9, 1), reference="F1")
    FigureFactory(action=f1, pes=None, metric=Metric.REACHED, value=200, is_lower_bound=True)
    action(joint, ActionType.INFO_SESSION, D(2017, 10, 1), reference="I1")
    s1 = action(joint, ActionType.STAFF_SEMINAR, D(2017, 11, 9), reference="S1")
    FigureFactory(action=s1, pes=vdab, metric=Metric.STARTS, value=3)
    p1 = action(
        joint, ActionType.JOBDATING, D(2018, 5, 31), reference="P1", status=ActionStatus.PLANNED
    )
    FigureFactory(action=p1, pes=vdab, metric=Metric.STARTS, value=9)
    j2 = action(joint, ActionType.JOBDATING, D(2019, 3, 1), reference="J2")
    FigureFactory(action=j2, pes=vdab, metric=Metric.STARTS, value=4)

    c2 = action(one, ActionType.GUIDANCE_COHORT, D(2017, 5, 1), D(2017, 5, 31), reference="C2")
    ParticipationFactory(
        action=c2, jobseeker=JobseekerFactory(pes=le_forem), started_on=D(2017, 5, 1)
    )
    indicators = make_indicators()
    TargetFactory(
        project=joint, indicator=indicators["RCO81"], kind=TargetKind.MILESTONE, year=2017, value=20
    )
    TargetFactory(
        project=joint, indicator=indicators["RCO81"], kind=TargetKind.FINAL, year=2020, value=50
    )
    return indicators


def counts_until(year: int | None, as_of: D, **extra):
    filters = {"date_to": f"{year}-12-31"} if year else {}
    actions, _pes = report_actions(filters)
    return indicator_counts(
        actions=actions, indicators=list(Indicator.objects.all()), as_of=as_of, **extra
    )


def values(counts, indicators, project: str | None, year: int | None) -> dict[str, tuple]:
    return {
        code: (
            (v := counts.value(indicator, project, year)).actual,
            v.lower_bound,
            v.not_yet_known,
            v.unknown,
        )
        for code, indicator in indicators.items()
    }


def test_each_indicator_by_its_definition(programme):
    counts = counts_until(2019, D(2018, 1, 15))
    joint_2017 = values(counts, programme, JOINT, 2017)
    # RCO81: T1 3 (a dropout started) + T2 3 + C1 5 + J1 at least 10; not the fair's 200
    # reached, not the staff seminar, not the planned jobdating, not J2 of 2019.
    assert joint_2017["RCO81"][:2] == (21, True)
    # RCO85: the starts of the two trainings; A counts twice.
    assert joint_2017["RCO85"][:2] == (6, False)
    # RCO115: the fair and the info session; the jobdating is for selected jobseekers.
    assert joint_2017["RCO115"][0] == 2
    # RCO87: VDAB (BE), France Travail (FR) and the jobdating's organiser MDE (FR).
    assert joint_2017["RCO87"][0] == 3
    # RCR81: T1 A, B; T2 A and the one person of two PES once: 4 (the completions are 5).
    assert joint_2017["RCR81"][:2] == (4, False)
    # RCR85: nothing started after the project's end by 2017; J2's 4 by 2019.
    assert joint_2017["RCR85"][0] == 0
    assert counts.value(programme["RCR85"], JOINT, 2019).actual == 4
    assert counts.value(programme["RCO81"], JOINT, 2019).actual == 25
    # Two Belgian organisations do not cooperate across borders.
    assert counts.value(programme["RCO87"], ONE_COUNTRY, 2017).actual == 0
    # The programme: the organisations of the joint project only.
    assert counts.value(programme["RCO87"], None, 2017).actual == 3
    assert counts.value(programme["RCO81"], None, 2017).actual == 22


def test_esf_results_on_leaving_with_follow_ups_not_known_yet(programme):
    counts = counts_until(2017, D(2017, 6, 10))
    joint = values(counts, programme, JOINT, 2017)
    # In work on leaving: A after T1 (employed) and after T2 (self-employed). C (dropped out,
    # left 31 March) is overdue: unknown; E1 and E2 left 31 May: not yet known (grace 28 days).
    assert joint["EECR04"] == (2, False, 2, 1)
    # Six months on, nothing is due yet on 10 June 2017, and A's and B's checks, dated
    # 2 October, were not known yet: all six are not yet known.
    assert joint["EECR05"] == (0, False, 6, 0)
    assert joint["EECR06"] == (0, False, 6, 0)
    # A project whose only follow-up is not known yet reads "not yet known", never 0.
    one = counts.value(programme["EECR04"], ONE_COUNTRY, 2017)
    assert (one.actual, one.not_yet_known, one.unknown, one.pending) == (0, 1, 0, True)
    assert value_text(one) == "not yet known"
    assert value_text(counts.value(programme["EECR04"], JOINT, 2017)) == (
        "2 (2 not yet known, 1 unknown)"
    )
    # The other indicators have no follow-ups: None, not 0.
    assert joint["RCO81"][2:] == (None, None)


def test_esf_results_as_of_a_day_before_a_check_count_it_not_yet_known(programme):
    # A's check after T2 is dated 5 June: as of 4 June it was not known yet, so only A after T1
    # is in work; A, E1 and E2 of T2 are due (not yet known), C still overdue.
    joint = values(counts_until(2017, D(2017, 6, 4)), programme, JOINT, 2017)
    assert joint["EECR04"] == (1, False, 3, 1)


def test_esf_results_six_months_on_once_overdue(programme):
    counts = counts_until(2017, D(2018, 1, 15))
    joint = values(counts, programme, JOINT, 2017)
    # Due six months after leaving (end of September and of November 2017), overdue 28 days
    # later: every follow-up not done is unknown by 15 January 2018.
    assert joint["EECR05"] == (1, False, 0, 4)
    assert joint["EECR06"] == (1, False, 0, 4)
    assert joint["EECR04"] == (2, False, 0, 3)


def test_approved_counts_only_approved_periods_facts(programme):
    counts = counts_until(2017, D(2018, 1, 15), approved=True)
    joint = values(counts, programme, JOINT, 2017)
    # No period is approved: no starts or completions count; the events still do.
    assert joint["RCO81"][0] == joint["RCR81"][0] == joint["EECR04"][0] == 0
    assert joint["RCO115"][0] == 2


def test_indicator_progress_reads_the_definitions_with_targets(programme):
    progress = {(item.code, item.project): item for item in indicator_progress(until_year=2017)}
    rco81 = progress[("RCO81", JOINT)]
    assert (rco81.actual, rco81.lower_bound, rco81.rule) == (
        21,
        True,
        "joint_action_participations",
    )
    assert [(t.kind, t.year, t.target, t.actual) for t in rco81.targets] == [
        ("milestone", 2017, 20, 21),
        ("final", 2020, 50, 21),
    ]
    assert "staff" not in rco81.counts
    # Today every follow-up of 2017 is long overdue: unknown, not 0 and not "not yet known".
    eecr04 = progress[("EECR04", None)]
    assert (eecr04.actual, eecr04.not_yet_known, eecr04.unknown) == (2, 0, 4)


def test_queries_are_fixed_whatever_the_number_of_actions(programme, django_assert_num_queries):
    actions, _pes = report_actions({})
    indicators = list(Indicator.objects.all())
    with CaptureQueriesContext(connection) as few:
        indicator_counts(actions=actions, indicators=indicators)
    for n in range(5):
        action(
            programme["RCO81"].targets.first().project,
            ActionType.TRAINING,
            D(2018, 1, 1 + n),
            D(2018, 1, 20),
            reference=f"X{n}",
        )
    with django_assert_num_queries(len(few)):
        indicator_counts(actions=actions, indicators=indicators)
    # From the rollups, summed per project, year and action type, after their standing
    # (reports.answers): no query of the actions themselves (six from the records,
    # tests/reports/test_indicator_rollups.py).
    assert len(few) == 6


# The monitoring workbook and its endpoint ----------------------------------------------------

URL = "/api/v1/indicators/monitoring/"


def sheet_rows(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [row for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets
    }


def test_monitoring_workbook_lists_the_actions_behind_each_figure(programme, client, manager):
    client.force_login(manager)
    response = client.get(URL, {"project": JOINT, "year": 2017})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="indicators-joint-2017.xlsx"' in response["Content-Disposition"]
    sheets = sheet_rows(response.content)
    assert list(sheets) == ["Summary", *sorted(RULES)]
    summary = {row[0]: row for row in sheets["Summary"][2:]}
    # code, name, unit, definition, counts, value, not yet known, unknown, milestone, target
    assert summary["RCO81"][5] == 21
    assert summary["RCO81"][8:] == ("20 (2017)", "50 (2020)")
    assert summary["RCR81"][5] == 4
    assert summary["RCO87"][5] == 3
    assert summary["RCO81"][2] == "participations"
    # The ESF+ results: the follow-ups of 2017 not done are overdue today (C, E1, E2).
    assert summary["EECR04"][5:8] == (2, 0, 3)
    rco81 = sheets["RCO81"][4:]
    assert [(row[0], row[6], row[7]) for row in rco81] == [
        ("T1", "VDAB", 3),
        ("T2", "VDAB", 2),
        ("T2", "France Travail", 1),
        ("C1", "VDAB", 5),
        ("J1", "Le Forem", 10),
    ]
    assert rco81[0][2:6] == (
        "training",
        2017,
        datetime.datetime(2017, 3, 1),
        datetime.datetime(2017, 3, 31),
    )
    rcr81 = [(row[0], row[6], row[7]) for row in sheets["RCR81"][4:]]
    assert rcr81 == [("T1", "VDAB", 2), ("T2", "VDAB", 2)]
    assert [row[0] for row in sheets["RCO115"][4:]] == ["F1", "I1"]
    organisations = {(row[0], row[1], row[2], row[4]) for row in sheets["RCO87"][4:]}
    assert organisations == {
        ("VDAB", "BE", "partner", 1),
        ("France Travail", "FR", "partner", 1),
        ("MDE Lys-Tourcoing", "FR", "organiser", 1),
    }


def test_monitoring_of_a_one_country_project_counts_no_organisation(programme, client, manager):
    client.force_login(manager)
    sheets = sheet_rows(client.get(URL, {"project": ONE_COUNTRY, "year": 2017}).content)
    assert {row[4] for row in sheets["RCO87"][4:]} == {0}
    summary = {row[0]: row for row in sheets["Summary"][2:]}
    assert summary["RCO87"][5] == 0


def test_monitoring_is_for_users_with_a_role(programme, client, stranger):
    assert client.get(URL, {"project": JOINT, "year": 2017}).status_code in (401, 403)
    client.force_login(stranger)
    assert client.get(URL, {"project": JOINT, "year": 2017}).status_code == 403


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"project": JOINT, "year": 2017, "colour": "red"}, "colour", "Unknown parameter."),
        ({"project": JOINT, "year": ""}, "year", "A year is required, e.g. 2017."),
        ({"project": JOINT}, "year", "A year is required, e.g. 2017."),
        ({"project": "nowhere", "year": 2017}, "project", "No project has this slug."),
        ({"year": 2017}, "project", "A project is required: its slug."),
        ({"project": JOINT, "year": "20x7"}, "year", None),
    ],
)
def test_monitoring_refuses_what_it_does_not_understand(
    programme, client, manager, params, field, message
):
    client.force_login(manager)
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert field in str(body)
    if message:
        assert message in str(body)


def test_monitoring_of_a_year_without_actions_is_a_workbook_of_zeros(programme, client, manager):
    client.force_login(manager)
    sheets = sheet_rows(client.get(URL, {"project": JOINT, "year": 2016}).content)
    summary = {row[0]: row for row in sheets["Summary"][2:]}
    assert summary["RCO81"][5] == 0
    assert summary["RCO115"][5] == 0
    # The partners cooperate whatever the year.
    assert summary["RCO87"][5] == 2
    assert sheets["RCO81"][4:] == []


def test_monitoring_queries_are_fixed(programme, client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        assert client.get(URL, {"project": JOINT, "year": 2017}).status_code == 200


# The pages -----------------------------------------------------------------------------------


def test_project_page_shows_each_indicator_and_links_the_monitoring(programme, client, manager):
    """A cohort that ended ten days ago: its follow-up on leaving is not known yet, so the ESF+
    result reads "not yet known", not 0; the 2017 cohort's follow-up is overdue: unknown."""
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    one = ProjectFactory(slug=ONE_COUNTRY)
    recent = action(
        one,
        ActionType.GUIDANCE_COHORT,
        today - datetime.timedelta(days=40),
        today - datetime.timedelta(days=10),
        reference="C3",
    )
    ParticipationFactory(
        action=recent,
        jobseeker=JobseekerFactory(pes=PesFactory(slug="le-forem")),
        started_on=recent.start_date,
    )
    client.force_login(manager)
    response = client.get(reverse("reports:project-detail", args=[ONE_COUNTRY]))
    page = response.content.decode()
    progress = {item.code: item for item in response.context["indicators"]}
    assert set(progress) == set(RULES)
    eecr04 = progress["EECR04"]
    assert (eecr04.actual, eecr04.not_yet_known, eecr04.unknown) == (0, 1, 1)
    assert 'data-indicator-pending="EECR04"' in page
    assert "1 unknown" in page
    assert progress["RCO87"].actual == 0
    assert 'action="/api/v1/indicators/monitoring/"' in page
    assert 'name="project" value="one-country"' in page


def test_a_rule_sets_what_the_indicator_counts(db):
    indicator = Indicator(
        code="RCO115", name="x", unit="events", rule=IndicatorRule.PUBLIC_EVENTS, source="starts"
    )
    indicator.full_clean()
    assert (indicator.source, indicator.action_types) == ("actions", ["job_fair", "info_session"])
    staff = Indicator(code="X1", name="x", unit="participations", source="follow_ups")
    with pytest.raises(ValidationError) as refused:
        staff.full_clean()
    assert refused.value.message_dict == {
        "source": ["Follow-ups are counted by an ESF+ definition: choose it."]
    }
    rco81 = Indicator(
        code="RCO81", name="x", unit="participations", rule="joint_action_participations"
    )
    assert "staff_seminar" not in rco81.counted_action_types()
    assert rco81.counted_metrics() == ("starts",)


def test_the_indicators_api_gives_the_rule_and_the_follow_ups(programme, client, manager):
    client.force_login(manager)
    body = client.get("/api/v1/indicators/", {"rule": "public_events"}).json()
    assert [item["code"] for item in body["results"]] == ["RCO115"]
    eecr04 = client.get("/api/v1/indicators/EECR04/").json()
    assert (eecr04["rule"], eecr04["source"]) == ("employed_on_leaving", "follow_ups")
    programme_row = next(p for p in eecr04["progress"] if p["project"] is None)
    # Every 2017 follow-up not done is overdue today: unknown, beside the 2 found in work.
    assert (programme_row["actual"], programme_row["not_yet_known"], programme_row["unknown"]) == (
        2,
        0,
        4,
    )
    rco81 = client.get("/api/v1/indicators/RCO81/").json()
    assert {(p["not_yet_known"], p["unknown"]) for p in rco81["progress"]} == {(None, None)}
    assert client.get("/api/v1/indicators/", {"rule": "nonsense"}).status_code == 400


def test_monitoring_writes_typed_texts_as_text_never_formulas(programme, client, manager):
    from actions.models import Action

    Action.objects.filter(reference="T1").update(title='=HYPERLINK("http://evil.example","x")')
    client.force_login(manager)
    sheets = sheet_rows(client.get(URL, {"project": JOINT, "year": 2017}).content)
    titles = {row[0]: row[1] for row in sheets["RCO85"][4:]}
    assert titles["T1"] == '\'=HYPERLINK("http://evil.example","x")'


def test_an_organisation_counts_from_the_first_action_it_organised(programme):
    from actions.models import Action

    ee = OrganisationFactory(slug="ee", name="Entreprendre Ensemble", country="FR")
    later = action(
        Action.objects.get(reference="T1").project,
        ActionType.JOB_FAIR,
        D(2018, 2, 1),
        reference="F2",
    )
    later.organisers.add(ee)  # linked first, for an action of 2018
    Action.objects.get(reference="I1").organisers.add(ee)  # then for one of 2017
    counts = counts_until(2018, D(2018, 6, 1))
    assert counts.value(programme["RCO87"], JOINT, 2017).actual == 4
    assert counts.value(programme["RCO87"], JOINT, 2018).actual == 4
