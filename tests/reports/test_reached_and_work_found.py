"""People reached are not starts; work found is a placement or a hire by an employer of the
action, counted once; the placement rate is work found over the starts of the actions after
which work can be found and is known; each indicator names the metrics it adds up
(docs/indicators.md)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from actions.models import Action, Figure
from crossborder.core.metrics import (
    DERIVED_METRICS,
    FIGURE_METRICS,
    PARTICIPANT_METRICS,
    REGISTRY,
    REPORT_METRICS,
    WORK_FOUND,
    WORK_FOUND_ACTION_TYPES,
    Metric,
    record_rules,
)
from crossborder.core.vocabulary import ActionStatus, ActionType, ParticipationStatus
from projects.models import Indicator, IndicatorSource
from reports import exports
from reports.indicators import indicator_progress
from reports.selectors import (
    AT_LEAST,
    AT_MOST,
    PlacementRate,
    action_figures,
    outcomes,
    placement_rate,
)
from reports.templatetags.report_format import placement_rate as rate_text
from reports.templatetags.report_format import work_found as work_found_text
from tests.factories import (
    ActionFactory,
    CohortFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db

GT, GC = "grenzeloos-tewerkstellen", "grenzeloos-competent"
FAIR = "gc-2018-job-fair-dunkerque"
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def fair_reached(demo):
    """The demo's fair of 1 February 2018 as the answer tells it: more than 200 jobseekers
    came by, reached and never started (a no-op once the demo itself says so)."""
    Figure.objects.filter(action__reference=FAIR, metric=Metric.STARTS).update(
        metric=Metric.REACHED
    )


def text(response) -> str:
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def tile(response, name: str) -> str:
    match = re.search(
        rf'data-metric="{name}">.*?class="tile__value">(.*?)</span>',
        response.content.decode(),
        flags=re.S,
    )
    assert match, name
    return unescape(match.group(1)).strip()


# The registry --------------------------------------------------------------------------------


def test_work_found_is_a_derived_measure_of_placements_and_hires_never_a_figure():
    assert DERIVED_METRICS == (WORK_FOUND,)
    assert REGISTRY[WORK_FOUND].adds == ("placements", "hires")
    assert WORK_FOUND not in FIGURE_METRICS and WORK_FOUND not in PARTICIPANT_METRICS
    assert REPORT_METRICS.index(WORK_FOUND) == REPORT_METRICS.index("hires") + 1
    assert [rule.dated for rule in record_rules(WORK_FOUND)] == ["placed_on", "hired_on"]
    # Figures stay placements and hires: a figure of work found would count twice.
    assert WORK_FOUND not in {choice for choice, _label in Figure._meta.get_field("metric").choices}


def test_reached_is_a_figure_apart_from_starts_and_no_indicator_may_count_it():
    assert "reached" in PARTICIPANT_METRICS
    assert REGISTRY["reached"].record is None
    assert "reached" not in IndicatorSource.values


def test_the_actions_where_work_can_be_found_are_named_once():
    assert WORK_FOUND_ACTION_TYPES == (
        ActionType.GUIDANCE_COHORT,
        ActionType.TRAINING,
        ActionType.JOBDATING,
        ActionType.COMPANY_VISIT,
    )


# Work found counted once -----------------------------------------------------------------


def test_a_jobseeker_placed_and_hired_counts_once_and_figures_add_up(vdab, le_forem):
    cohort = CohortFactory()
    day = datetime.date(2017, 8, 1)
    for placed, hired in [(day, day), (day, None), (None, day), (None, None)]:
        ParticipationFactory(
            action=cohort,
            jobseeker=JobseekerFactory(pes=vdab),
            status=ParticipationStatus.COMPLETED,
            placed_on=placed,
            hired_on=hired,
        )
    FigureFactory(action=cohort, pes=le_forem, metric=Metric.STARTS, value=5)
    FigureFactory(action=cohort, pes=le_forem, metric=Metric.PLACEMENTS, value=2)
    FigureFactory(action=cohort, pes=le_forem, metric=Metric.HIRES, value=1)

    table = outcomes(group_by=["pes"], filters={"year": 2017}, as_of=TODAY)
    rows = {row["pes"]: row for row in table.rows}
    assert [rows["vdab"][m] for m in ("starts", "placements", "hires", WORK_FOUND)] == [4, 2, 2, 3]
    assert [rows["le-forem"][m] for m in ("starts", "placements", "hires", WORK_FOUND)] == [
        5,
        2,
        1,
        3,
    ]
    totals = table.totals
    assert (totals["starts"], totals[WORK_FOUND]) == (9, 6)
    assert (totals["rate_starts"], totals["rate_work_found"], totals["outcomes_pending"]) == (
        9,
        6,
        0,
    )
    assert placement_rate(totals) == PlacementRate(6 / 9)
    assert rate_text(totals) == "67%"
    # The same without dimensions (one statement) and per action.
    assert outcomes(filters={"year": 2017}, as_of=TODAY).totals[WORK_FOUND] == 6
    assert action_figures(Action.objects.all(), as_of=TODAY)[cohort.pk][WORK_FOUND] == 6


# The placement rate ------------------------------------------------------------------------


def test_the_rate_reads_only_actions_where_work_can_be_found_and_is_known(vdab):
    cohort = CohortFactory(title="cohort")
    FigureFactory(action=cohort, metric=Metric.STARTS, value=10)
    FigureFactory(action=cohort, pes=None, metric=Metric.PLACEMENTS, value=4)
    fair = ActionFactory(action_type=ActionType.JOB_FAIR, start_date=datetime.date(2017, 3, 1))
    FigureFactory(action=fair, pes=None, metric=Metric.REACHED, value=200, is_lower_bound=True)
    seminar = ActionFactory(
        action_type=ActionType.STAFF_SEMINAR, start_date=datetime.date(2017, 3, 2)
    )
    FigureFactory(action=seminar, metric=Metric.STARTS, value=30)
    # Ongoing: its work found cannot be known yet, whatever is recorded so far.
    ongoing = CohortFactory(
        status=ActionStatus.ONGOING,
        start_date=datetime.date(2017, 10, 1),
        end_date=datetime.date(2017, 12, 20),
    )
    FigureFactory(action=ongoing, metric=Metric.STARTS, value=8)

    totals = outcomes(filters={"year": 2017}, as_of=TODAY).totals
    assert (totals["starts"], totals["reached"], totals[WORK_FOUND]) == (48, 200, 4)
    assert totals["lower_bounds"] == ["reached"]
    assert (totals["rate_starts"], totals["rate_work_found"], totals["outcomes_pending"]) == (
        10,
        4,
        1,
    )
    # The fair's "more than 200" bounds the people reached, not the rate.
    assert rate_text(totals) == "40%"


def test_outcomes_expected_later_are_pending_until_that_date(vdab):
    training = CohortFactory(
        action_type=ActionType.TRAINING,
        start_date=datetime.date(2018, 6, 4),
        end_date=datetime.date(2018, 6, 29),
        outcomes_expected_on=datetime.date(2019, 1, 15),
    )
    FigureFactory(action=training, metric=Metric.STARTS, value=12)

    before = outcomes(filters={"year": 2018}, as_of=datetime.date(2018, 12, 31)).totals
    assert (before["rate_starts"], before["outcomes_pending"]) == (0, 1)
    assert placement_rate(before) == PlacementRate(None, pending=True)
    assert rate_text(before) == "not yet known"
    assert work_found_text(before) == "not yet known"

    after = outcomes(filters={"year": 2018}, as_of=datetime.date(2019, 1, 15)).totals
    assert (after["rate_starts"], after["outcomes_pending"]) == (12, 0)
    assert rate_text(after) == "0%"
    assert work_found_text(after) == "0"


@pytest.mark.parametrize(
    ("starts_bound", "found_bound", "expected", "bound"),
    [
        (False, False, "50%", ""),
        (True, False, "at most 50%", AT_MOST),
        (False, True, "at least 50%", AT_LEAST),
        (True, True, "\u2013", ""),
    ],
)
def test_lower_bounds_turn_the_rate_into_a_bound_only_where_correct(
    vdab, starts_bound, found_bound, expected, bound
):
    cohort = CohortFactory()
    FigureFactory(action=cohort, metric=Metric.STARTS, value=10, is_lower_bound=starts_bound)
    FigureFactory(action=cohort, pes=None, metric=Metric.HIRES, value=5, is_lower_bound=found_bound)
    totals = outcomes(filters={"year": 2017}, as_of=TODAY).totals
    assert rate_text(totals) == expected
    assert placement_rate(totals).bound == bound
    assert ("rate_work_found" in totals["lower_bounds"]) is found_bound
    assert (WORK_FOUND in totals["lower_bounds"]) is found_bound


def test_no_action_no_rate():
    totals = outcomes(filters={"year": 2017}, as_of=TODAY).totals
    assert (totals["actions"], totals[WORK_FOUND], totals["rate_starts"]) == (0, 0, 0)
    assert rate_text(totals) == "\u2013"
    assert work_found_text(totals) == "0"


@pytest.mark.parametrize("status", list(ActionStatus))
@pytest.mark.parametrize("expected", [None, datetime.date(2018, 2, 1), datetime.date(2018, 9, 1)])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, None),
        (datetime.date(2018, 1, 8), None),
        (datetime.date(2018, 1, 8), datetime.date(2018, 3, 30)),
    ],
)
def test_the_sql_knows_pending_outcomes_as_the_model_does(vdab, status, expected, start, end):
    action = CohortFactory(
        status=status,
        cancellation_reason="No candidates." if status == ActionStatus.CANCELLED else "",
        start_date=start,
        end_date=end,
        year=2018,
        semester="2018-S1",
        outcomes_expected_on=expected,
    )
    FigureFactory(action=action, metric=Metric.STARTS, value=3)
    everything = {"year": 2018, "status": list(ActionStatus)}
    for as_of in (
        datetime.date(2018, 1, 1),
        datetime.date(2018, 3, 1),
        datetime.date(2018, 12, 31),
    ):
        pending = outcomes(filters=everything, as_of=as_of).totals["outcomes_pending"]
        assert pending == int(action.outcomes_pending(as_of)), as_of


# The demo: the answer's figures ------------------------------------------------------------


def test_2017_placement_rates_of_the_answer(fair_reached):
    by_project = {
        row["project"]: row
        for row in outcomes(group_by=["project"], filters={"year": 2017}, as_of=TODAY).rows
    }
    tewerkstellen = by_project[GT]
    # 9 placements after the cohorts and 9 hires at the jobdating and the company visit, over
    # 19 + 66 starts.
    assert [tewerkstellen[m] for m in ("starts", "placements", "hires", WORK_FOUND)] == [
        85,
        9,
        9,
        18,
    ]
    assert (tewerkstellen["rate_starts"], tewerkstellen["rate_work_found"]) == (85, 18)
    assert rate_text(tewerkstellen) == "21%"
    competent = by_project[GC]
    assert (competent["rate_starts"], competent["rate_work_found"]) == (19, 0)
    assert rate_text(competent) == "0%"

    totals = outcomes(filters={"year": 2017}, as_of=TODAY).totals
    assert (totals["rate_starts"], totals["rate_work_found"], totals["outcomes_pending"]) == (
        104,
        18,
        0,
    )
    assert rate_text(totals) == "17%"


def test_2018_reached_apart_from_starts_and_its_rate(fair_reached):
    totals = outcomes(filters={"year": 2018}, as_of=TODAY).totals
    assert (totals["starts"], totals["reached"]) == (18, 200)
    assert totals["lower_bounds"] == ["reached"]
    # The ongoing cohort (11 started) and the two ongoing trainings are pending; the textiles
    # training of March 2018 (7 started) is known, and no work found is recorded for it.
    assert (totals["rate_starts"], totals["rate_work_found"], totals["outcomes_pending"]) == (
        7,
        0,
        3,
    )
    assert rate_text(totals) == "0%"


def test_the_2018_overview_shows_starts_and_people_reached_apart(fair_reached, client, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:overview"), {"year": 2018})
    assert response.status_code == 200
    assert tile(response, "starts") == "18"
    assert tile(response, "reached") == "at least 200"
    assert tile(response, "work_found") == "0"
    assert tile(response, "placement-rate") == "0%"
    page = text(response)
    assert "at least 218" not in page
    assert "at most" not in page
    assert "not yet known for 3 actions" in page


def test_the_2017_overview_counts_hires_as_work_found(fair_reached, client, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:overview"), {"year": 2017})
    assert tile(response, "work_found") == "18"
    assert tile(response, "placements") == "9"
    assert tile(response, "hires") == "9"
    assert tile(response, "placement-rate") == "17%"


def test_project_page_shows_reached_and_the_rate(fair_reached, client, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:project-detail", args=[GC]))
    assert tile(response, "reached") == "at least 200"
    assert tile(response, "starts") == "26"
    # 2017: 19 started in three trainings; 2018: the textiles training's 7; the ongoing
    # trainings are pending.
    assert tile(response, "placement-rate") == "0%"
    assert "not yet known for 2 actions" in text(response)


def test_action_pages_say_not_yet_known_never_0(fair_reached, client, manager):
    client.force_login(manager)
    cohort = Action.objects.get(reference="gt-2018-cohort-1")
    response = client.get(reverse("reports:action-detail", args=[cohort.pk]))
    found = re.search(r'id="action-work-found">(.*?)</dd>', response.content.decode(), re.S)
    assert found and unescape(found.group(1)).strip() == "not yet known"

    jobdating = Action.objects.get(reference="gt-2017-jobdating-veurne")
    response = client.get(reverse("reports:action-detail", args=[jobdating.pk]))
    found = re.search(r'id="action-work-found">(.*?)</dd>', response.content.decode(), re.S)
    assert found and unescape(found.group(1)).strip() == "7"

    fair = Action.objects.get(reference=FAIR)
    response = client.get(reverse("reports:action-detail", args=[fair.pk]))
    page = text(response)
    assert 'id="action-work-found"' not in response.content.decode()
    assert "Reached" in page and "at least 200" in page


def test_the_action_list_shows_work_found_not_yet_known_for_pending_actions(
    fair_reached, client, manager
):
    client.force_login(manager)
    response = client.get(reverse("reports:action-list"), {"year": 2018, "project": GT})
    html = response.content.decode()
    cohort = Action.objects.get(reference="gt-2018-cohort-1")
    row = re.search(rf'data-action="{cohort.pk}">(.*?)</tr>', html, re.S)
    assert row
    cell = re.search(r'data-column="work_found">(.*?)</td>', row.group(1), re.S)
    assert cell and unescape(cell.group(1)).strip() == "not yet known"


def test_the_outcomes_api_gives_work_found_and_the_rate_parts(fair_reached, client, manager):
    client.force_login(manager)
    response = client.get("/api/v1/reports/outcomes/", {"year": 2018, "group_by": "action_type"})
    body = response.json()
    fair = next(row for row in body["results"] if row["action_type"] == "job_fair")
    assert (fair["starts"], fair["reached"], fair["lower_bounds"]) == (0, 200, ["reached"])
    totals = body["totals"]
    assert (totals["starts"], totals["reached"], totals[WORK_FOUND]) == (18, 200, 0)
    assert (totals["rate_starts"], totals["rate_work_found"], totals["outcomes_pending"]) == (
        7,
        0,
        3,
    )


def test_the_outcomes_schema_documents_the_new_measures(client, manager):
    client.force_login(manager)
    schema = client.get("/api/v1/schema/?format=json").json()
    row = schema["components"]["schemas"]["OutcomeRow"]["properties"]
    for name in ("reached", WORK_FOUND, "rate_starts", "rate_work_found", "outcomes_pending"):
        assert row[name]["type"] == "integer", name


def test_the_outcomes_files_carry_reached_and_work_found(fair_reached):
    table = outcomes(group_by=["action_type"], filters={"year": 2018}, as_of=TODAY)
    rows = list(csv.DictReader(io.StringIO(exports.outcomes_csv(table).decode("utf-8-sig"))))
    fair = next(row for row in rows if row["action_type"] == "job_fair")
    assert (fair["starts"], fair["reached"], fair[WORK_FOUND]) == ("0", "200", "0")


# Indicators --------------------------------------------------------------------------------


def test_each_indicator_names_the_metrics_and_types_it_adds_up(demo):
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    assert indicators["RCO81"].counted_metrics() == ("starts",)
    assert "reached" not in indicators["RCO81"].counted_metrics()
    assert indicators["RCO85"].counted_metrics() == ("starts",)
    assert indicators["RCO85"].counted_action_types() == ("training",)
    assert indicators["RCO115"].counted_metrics() == ("actions",)
    # Public events: open to whoever comes by; a jobdating or a company visit is for
    # jobseekers selected for it.
    assert indicators["RCO115"].counted_action_types() == ("job_fair", "info_session")
    assert indicators["RCR81"].counted_metrics() == ("completions",)
    assert indicators["RCO87"].counted_metrics() == ()
    assert indicators["RCO85"].counts_text() == "starts of: training"
    assert indicators["RCO87"].counts_text() == (
        "distinct partner and organising organisations, when of at least two countries"
    )


def test_an_indicator_naming_no_type_adds_up_every_type(db):
    indicator = Indicator(code="RCO82", name="x", unit="participations", source="starts")
    assert indicator.counted_action_types() == tuple(ActionType.values)


def test_rco81_no_longer_counts_the_fairs_visitors(fair_reached):
    programme = {
        item.code: item for item in indicator_progress(until_year=2018) if item.project is None
    }
    rco81 = programme["RCO81"]
    # 104 started in 2017, 18 in 2018; the fair's 200 reached are no participations.
    assert (rco81.actual, rco81.lower_bound) == (122, False)
    assert rco81.counts.startswith("starts of: guidance cohort, jobdating")
    milestone = next(t for t in rco81.targets if t.year == 2018)
    assert (milestone.target, milestone.actual) == (150, 122)


def test_the_indicators_table_names_what_each_adds_up(fair_reached, client, manager):
    Indicator.objects.filter(code="RCO85").update(
        definition_en="Participations of people in joint training schemes."
    )
    client.force_login(manager)
    response = client.get(reverse("reports:overview"), {"year": 2018})
    page = text(response)
    assert "Adds up: starts of: training" in page
    assert "Participations of people in joint training schemes." in page
    assert "215%" not in page and "81%" in page
