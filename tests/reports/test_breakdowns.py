"""Reports by who took part: the outcomes table grouped and filtered by the personal dimensions
(participants.attributes.PERSONAL_DIMENSIONS) and the result measures of the follow-ups, on a
small programme counted by hand."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.conf import settings

from crossborder.core.metrics import Metric
from crossborder.core.periods import add_months
from crossborder.core.vocabulary import ActionStatus, ActionType, ParticipationStatus
from participants.attributes import PERSONAL_DIMENSIONS
from participants.models import (
    EducationLevel,
    EntryStatus,
    FollowUpKind,
    FollowUpSource,
    FollowUpState,
    Gender,
    LeavingSituation,
    Participation,
    SixMonthSituation,
)
from reports.selectors import (
    NOT_YET_KNOWN,
    RESULT_MEASURES,
    RESULTS,
    UNKNOWN,
    ReportParameterError,
    _first_left_on,
    outcomes,
    result_reading,
)
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def person(pes, gender, birth_year, education=""):
    return JobseekerFactory(
        pes=pes, gender=gender, birth_year=birth_year, education_level=education
    )


@pytest.fixture
def programme(vdab, le_forem):
    """A training of 2020 with four records, a jobdating with figures (one unsplit) and an
    employer present."""
    project = ProjectFactory(slug="p")
    training = ActionFactory(
        project=project,
        action_type=ActionType.TRAINING,
        start_date=D(2020, 1, 6),
        end_date=D(2020, 6, 30),
    )
    # A woman of 24 (born 1996), upper secondary, unemployed at entry, in work on leaving.
    ParticipationFactory(
        action=training,
        jobseeker=person(vdab, Gender.WOMAN, 1996, EducationLevel.ISCED_3_4),
        status=ParticipationStatus.COMPLETED,
        completed_on=D(2020, 6, 30),
        entry_status=EntryStatus.UNEMPLOYED,
        leaving_situation=LeavingSituation.EMPLOYED,
        leaving_checked_on=D(2020, 7, 2),
        leaving_source=FollowUpSource.PES_REGISTER,
    )
    # A woman of 55 of Le Forem, lower secondary, long-term unemployed.
    ParticipationFactory(
        action=training,
        jobseeker=person(le_forem, Gender.WOMAN, 1965, EducationLevel.ISCED_0_2),
        entry_status=EntryStatus.LONG_TERM_UNEMPLOYED,
    )
    # A man of 25, tertiary, inactive at entry, who dropped out.
    ParticipationFactory(
        action=training,
        jobseeker=person(vdab, Gender.MAN, 1995, EducationLevel.ISCED_5_8),
        status=ParticipationStatus.DROPPED_OUT,
        entry_status=EntryStatus.INACTIVE,
    )
    # Someone who did not say (gender not given, no year of birth), interested only.
    ParticipationFactory(
        action=training,
        jobseeker=person(vdab, Gender.NOT_GIVEN, None),
        status=ParticipationStatus.INTERESTED,
    )
    dating = ActionFactory(project=project, start_date=D(2020, 3, 10))
    FigureFactory(action=dating, metric=Metric.STARTS, pes=vdab, value=4)
    FigureFactory(action=dating, metric=Metric.STARTS, pes=None, value=2)
    ActionEmployerFactory(action=dating)
    return training, dating


AS_OF = D(2020, 7, 10)
ADDITIVE = ("starts", "interested", "completions", "employers", *RESULTS)


def table(group_by=(), as_of=AS_OF, **filters):
    return outcomes(group_by=list(group_by), filters=filters, as_of=as_of)


def pick(row, *keys):
    return {key: row[key] for key in keys}


def test_by_gender_figures_and_employers_fall_under_none(programme, django_assert_num_queries):
    with django_assert_num_queries(2):
        result = table(["gender"])
    rows = {row["gender"]: row for row in result.rows}
    assert list(rows) == ["man", "not_given", "woman", None]
    keys = ("actions", "starts", "interested", "completions", "people", "employers")
    assert pick(rows["woman"], *keys) == {
        "actions": 1,
        "starts": 2,
        "interested": 0,
        "completions": 1,
        "people": 2,
        "employers": 0,
    }
    assert pick(rows["man"], *keys) == {
        "actions": 1,
        "starts": 1,
        "interested": 0,
        "completions": 0,
        "people": 1,
        "employers": 0,
    }
    assert pick(rows["not_given"], "actions", "starts", "interested", "people") == {
        "actions": 1,
        "starts": 0,
        "interested": 1,
        "people": 0,
    }
    # The jobdating's figures (4 of VDAB, 2 unsplit) and its employer say no person.
    assert pick(rows[None], *keys) == {
        "actions": 1,
        "starts": 6,
        "interested": 0,
        "completions": 0,
        "people": None,
        "employers": 1,
    }
    assert pick(result.totals, *keys) == {
        "actions": 2,
        "starts": 9,
        "interested": 1,
        "completions": 1,
        "people": 3,
        "employers": 1,
    }
    for measure in ADDITIVE:
        assert sum(row[measure] for row in result.rows) == result.totals[measure], measure
    assert rows["woman"]["in_work_on_leaving"] == 1
    assert result.totals["in_work_on_leaving"] == 1


@pytest.mark.parametrize(
    ("dimension", "starts"),
    [
        ("age_band", {"25_54": 1, "55_plus": 1, "under_25": 1, None: 6}),
        ("youth_band", {"18_29": 2, "30_plus": 1, None: 6}),
        (
            "entry_status",
            {"inactive": 1, "long_term_unemployed": 1, "unemployed": 1, None: 6},
        ),
        ("education_level", {"isced_0_2": 1, "isced_3_4": 1, "isced_5_8": 1, None: 6}),
    ],
)
def test_every_personal_dimension_adds_up_to_the_totals(programme, dimension, starts):
    result = table([dimension])
    assert {row[dimension]: row["starts"] for row in result.rows} == starts
    assert result.totals["starts"] == 9
    assert result.totals["actions"] == 2
    for measure in ADDITIVE:
        assert sum(row[measure] for row in result.rows) == result.totals[measure], measure
    # The interested jobseeker without a year of birth, status or education is not recorded.
    assert next(r for r in result.rows if r[dimension] is None)["interested"] == 1


def test_every_personal_dimension_is_declared_once():
    from reports.selectors import PERSONAL

    assert tuple(PERSONAL_DIMENSIONS) == PERSONAL


def test_a_personal_dimension_beside_an_action_dimension(programme, vdab):
    result = table(["pes", "gender"])
    starts = {(row["pes"], row["gender"]): row["starts"] for row in result.rows}
    assert starts == {
        ("le-forem", "woman"): 1,
        ("vdab", "man"): 1,
        ("vdab", "not_given"): 0,
        ("vdab", "woman"): 1,
        ("vdab", None): 4,
        (None, None): 2,
    }
    assert pick(result.totals, "actions", "starts", "people") == {
        "actions": 2,
        "starts": 9,
        "people": 3,
    }


def _ages_in_2020(vdab, ages):
    action = ActionFactory(
        action_type=ActionType.TRAINING, start_date=D(2020, 2, 3), end_date=D(2020, 3, 27)
    )
    for age in ages:
        ParticipationFactory(action=action, jobseeker=person(vdab, Gender.MAN, 2020 - age))
    return action


def test_age_bands_at_their_boundaries(vdab):
    _ages_in_2020(vdab, [17, 18, 24, 25, 29, 30, 54, 55])
    by_age = {row["age_band"]: row["starts"] for row in table(["age_band"]).rows}
    assert by_age == {"25_54": 4, "55_plus": 1, "under_25": 3}
    by_youth = {row["youth_band"]: row["starts"] for row in table(["youth_band"]).rows}
    assert by_youth == {"18_29": 4, "30_plus": 3, "under_18": 1}


def test_the_age_at_entry_is_that_of_the_year_the_action_starts(vdab):
    # Born 1995: 24 in 2019, 25 in 2020, whatever day the action ends.
    jobseeker = person(vdab, Gender.WOMAN, 1995)
    for year in (2019, 2020):
        ParticipationFactory(
            action=ActionFactory(start_date=D(year, 12, 30), end_date=D(year + 1, 1, 5)),
            jobseeker=jobseeker,
        )
    rows = table(["year", "age_band"]).rows
    assert [(r["year"], r["age_band"], r["starts"]) for r in rows] == [
        (2019, "under_25", 1),
        (2020, "25_54", 1),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"gender": "woman"}, {"actions": 1, "starts": 2, "people": 2, "employers": 0}),
        ({"gender": "woman,man"}, {"actions": 1, "starts": 3, "people": 3, "employers": 0}),
        ({"gender": ["woman", "man"]}, {"actions": 1, "starts": 3, "people": 3, "employers": 0}),
        ({"age_band": "under_25"}, {"actions": 1, "starts": 1, "people": 1, "employers": 0}),
        (
            {"gender": "woman", "age_band": "55_plus"},
            {"actions": 1, "starts": 1, "people": 1, "employers": 0},
        ),
        ({"youth_band": "under_18"}, {"actions": 0, "starts": 0, "people": None, "employers": 0}),
        ({"entry_status": "inactive"}, {"actions": 1, "starts": 1, "people": 1, "employers": 0}),
        (
            {"education_level": "isced_0_2,isced_5_8"},
            {"actions": 1, "starts": 2, "people": 2, "employers": 0},
        ),
    ],
)
def test_a_personal_filter_counts_the_matching_records_only(programme, filters, expected):
    assert pick(table(**filters).totals, *expected) == expected


def test_a_personal_filter_with_a_breakdown_by_pes(programme):
    result = table(["pes"], gender="woman")
    assert [(r["pes"], r["actions"], r["starts"]) for r in result.rows] == [
        ("le-forem", 1, 1),
        ("vdab", 1, 1),
    ]
    # The training counts once in the totals, not once per PES.
    assert pick(result.totals, "actions", "starts", "people", "in_work_on_leaving") == {
        "actions": 1,
        "starts": 2,
        "people": 2,
        "in_work_on_leaving": 1,
    }


def test_a_personal_filter_and_a_personal_dimension(programme):
    result = table(["age_band"], gender="woman")
    assert [(r["age_band"], r["starts"]) for r in result.rows] == [
        ("55_plus", 1),
        ("under_25", 1),
    ]
    assert pick(result.totals, "actions", "starts", "people") == {
        "actions": 1,
        "starts": 2,
        "people": 2,
    }


@pytest.mark.parametrize(
    ("filters", "name", "message"),
    [
        (
            {"gender": "alien"},
            "gender",
            "“alien” is not a value of gender; use any of: woman, man, non_binary, not_given.",
        ),
        (
            {"age_band": "under_26"},
            "age_band",
            "“under_26” is not a value of age_band; use any of: under_25, 25_54, 55_plus.",
        ),
        (
            {"gender": "' OR 1=1 --"},
            "gender",
            "“' OR 1=1 --” is not a value of gender; use any of: woman, man, non_binary, "
            "not_given.",
        ),
    ],
)
def test_an_unknown_personal_value_names_the_parameter_and_its_values(filters, name, message):
    with pytest.raises(ReportParameterError) as error:
        table(**filters)
    assert error.value.message_dict == {name: [message]}


def test_every_value_not_known_is_named(db):
    with pytest.raises(ReportParameterError) as error:
        table(entry_status="employed,retired,dead", education_level="phd")
    assert list(error.value.message_dict) == ["entry_status", "education_level"]
    assert len(error.value.message_dict["entry_status"]) == 2


def test_an_empty_selection(db):
    grouped = table(["gender"], year="2030")
    assert grouped.rows == []
    assert pick(grouped.totals, "actions", "starts", "people", *RESULTS) == {
        "actions": 0,
        "starts": 0,
        "people": None,
        **{measure: 0 for measure in RESULTS},
    }
    filtered = table(gender="woman", year="2030")
    assert pick(filtered.totals, "actions", "starts", "people") == {
        "actions": 0,
        "starts": 0,
        "people": None,
    }
    assert table(["age_band"], gender="woman", year="2030").rows == []


# The result measures: in work on leaving and six months on, better situation; known, not yet
# known and unknown on the report's day.


@pytest.fixture
def one_trainee(vdab):
    """One jobseeker who started a training ending on 30 June 2020, without a day of completion:
    the follow-up on leaving is due on 30 June, overdue after 28 July; six months on it is due
    on 30 December 2020, overdue after 27 January 2021."""
    action = ActionFactory(
        action_type=ActionType.TRAINING, start_date=D(2020, 1, 6), end_date=D(2020, 6, 30)
    )
    return ParticipationFactory(action=action, jobseeker=person(vdab, Gender.WOMAN, 1990))


def results(day):
    return pick(table(as_of=day).totals, *RESULTS)


def test_not_yet_known_unknown_and_zero_on_the_boundary_days(one_trainee):
    assert settings.FOLLOW_UP_GRACE_DAYS == 28
    nothing = dict.fromkeys(RESULTS, 0)
    # Not due yet, then due: not yet known, and a result of 0 reads "not yet known".
    for day in (D(2020, 6, 29), D(2020, 6, 30), D(2020, 7, 28)):
        totals = table(as_of=day).totals
        assert pick(totals, *RESULTS) == {
            **nothing,
            "on_leaving_not_yet_known": 1,
            "six_months_not_yet_known": 1,
        }, day
        assert result_reading(totals, "in_work_on_leaving") == NOT_YET_KNOWN
        assert result_reading(totals, "better_situation") == NOT_YET_KNOWN
        assert result_reading(totals, "on_leaving_not_yet_known") == ""
    # Overdue the day after the grace days: unknown.
    totals = table(as_of=D(2020, 7, 29)).totals
    assert pick(totals, *RESULTS) == {
        **nothing,
        "on_leaving_unknown": 1,
        "six_months_not_yet_known": 1,
    }
    assert result_reading(totals, "in_work_on_leaving") == UNKNOWN
    # Six months on: due 30 December 2020, overdue from 28 January 2021.
    assert results(D(2021, 1, 27))["six_months_not_yet_known"] == 1
    assert results(D(2021, 1, 28))["six_months_unknown"] == 1
    # Recorded: known, and a 0 in work stands as 0.
    one_trainee.leaving_situation = LeavingSituation.JOB_SEEKING
    one_trainee.leaving_checked_on = D(2020, 7, 20)
    one_trainee.leaving_source = FollowUpSource.SURVEY
    one_trainee.six_month_situation = SixMonthSituation.BETTER_SITUATION
    one_trainee.six_month_checked_on = D(2021, 1, 4)
    one_trainee.six_month_source = FollowUpSource.SURVEY
    one_trainee.save()
    totals = table(as_of=D(2021, 2, 1)).totals
    assert pick(totals, *RESULTS) == {
        **nothing,
        "on_leaving_known": 1,
        "better_situation": 1,
        "six_months_known": 1,
    }
    assert result_reading(totals, "in_work_on_leaving") == ""
    assert result_reading(totals, "in_work_six_months") == ""


def test_in_work_counts_employed_and_self_employed(vdab):
    action = ActionFactory(
        action_type=ActionType.TRAINING, start_date=D(2020, 1, 6), end_date=D(2020, 6, 30)
    )
    situations = [
        (LeavingSituation.EMPLOYED, SixMonthSituation.SELF_EMPLOYED),
        (LeavingSituation.SELF_EMPLOYED, SixMonthSituation.EMPLOYED),
        (LeavingSituation.EDUCATION, SixMonthSituation.BETTER_SITUATION),
        (LeavingSituation.INACTIVE, SixMonthSituation.NO_IMPROVEMENT),
    ]
    for on_leaving, six_months in situations:
        ParticipationFactory(
            action=action,
            jobseeker=person(vdab, Gender.MAN, 1990),
            leaving_situation=on_leaving,
            six_month_situation=six_months,
        )
    assert results(D(2021, 6, 1)) == {
        "in_work_on_leaving": 2,
        "on_leaving_known": 4,
        "on_leaving_not_yet_known": 0,
        "on_leaving_unknown": 0,
        "in_work_six_months": 2,
        "better_situation": 1,
        "six_months_known": 4,
        "six_months_not_yet_known": 0,
        "six_months_unknown": 0,
    }


def test_the_result_measures_are_defined_once():
    assert tuple(RESULT_MEASURES) == RESULTS
    for measure in RESULT_MEASURES.values():
        assert str(measure.heading) and str(measure.definition)
        assert measure.kind in FollowUpKind.values


def test_the_first_day_of_leaving_due_on_or_after_a_day():
    # Six months on, 29, 30 and 31 August 2020 all fall due on 28 February 2021.
    assert _first_left_on(FollowUpKind.SIX_MONTHS, D(2021, 2, 28)) == D(2020, 8, 28)
    assert _first_left_on(FollowUpKind.SIX_MONTHS, D(2021, 3, 1)) == D(2020, 9, 1)
    assert _first_left_on(FollowUpKind.SIX_MONTHS, D(2021, 3, 31)) == D(2020, 10, 1)
    assert _first_left_on(FollowUpKind.ON_LEAVING, D(2021, 3, 31)) == D(2021, 3, 31)
    for day in (D(2020, 1, 1) + datetime.timedelta(days=n) for n in range(0, 800, 7)):
        first = _first_left_on(FollowUpKind.SIX_MONTHS, day)
        assert add_months(first, 6) >= day > add_months(first - datetime.timedelta(days=1), 6)


@pytest.fixture
def follow_ups(vdab):
    """Records whose follow-ups fall due on awkward days: completed on a day of their own, left
    on the action's end or only day, six months from 29-31 August and 31 March, done ones, one
    after a jobdating without an end (its only day), one after a fair (no follow-up), one that
    did not start."""
    records = []
    training = ActionFactory(
        action_type=ActionType.TRAINING, start_date=D(2020, 3, 2), end_date=D(2020, 8, 31)
    )
    cohort = ActionFactory(
        action_type=ActionType.GUIDANCE_COHORT,
        start_date=D(2020, 1, 6),
        end_date=D(2020, 3, 31),
    )
    dating = ActionFactory(action_type=ActionType.JOBDATING, start_date=D(2020, 8, 29))
    fair = ActionFactory(action_type=ActionType.JOB_FAIR, start_date=D(2020, 8, 30))
    planned = ActionFactory(
        action_type=ActionType.TRAINING,
        status=ActionStatus.ONGOING,
        start_date=D(2020, 6, 1),
        end_date=None,
    )
    for action, completed_on in [
        (training, None),
        (training, D(2020, 8, 29)),
        (training, D(2020, 8, 30)),
        (cohort, None),
        (cohort, D(2020, 2, 29)),
        (dating, None),
        (fair, None),
        (planned, None),
    ]:
        records.append(
            ParticipationFactory(
                action=action,
                jobseeker=person(vdab, Gender.WOMAN, 1990),
                status=ParticipationStatus.COMPLETED if completed_on else "started",
                completed_on=completed_on,
            )
        )
    records.append(
        ParticipationFactory(
            action=training,
            jobseeker=person(vdab, Gender.MAN, 1990),
            status=ParticipationStatus.INTERESTED,
        )
    )
    records.append(
        ParticipationFactory(
            action=cohort,
            jobseeker=person(vdab, Gender.MAN, 1990),
            leaving_situation=LeavingSituation.EMPLOYED,
        )
    )
    # Checked on 20 April: as of an earlier day it was not known yet.
    records.append(
        ParticipationFactory(
            action=cohort,
            jobseeker=person(vdab, Gender.WOMAN, 1990),
            leaving_situation=LeavingSituation.EMPLOYED,
            leaving_checked_on=D(2020, 4, 20),
            leaving_source="survey",
        )
    )
    return records


def test_the_sql_agrees_with_the_model_on_every_boundary_day(follow_ups):
    grace = datetime.timedelta(days=settings.FOLLOW_UP_GRACE_DAYS)
    one = datetime.timedelta(days=1)
    records = list(Participation.objects.select_related("action"))
    days = set()
    for record, kind in itertools.product(records, FollowUpKind.values):
        due = record.follow_up_due_on(kind)
        if due is not None:
            days |= {due - one, due, due + grace, due + grace + one}
        checked = getattr(record, Participation.FOLLOW_UP_FIELDS[kind][1])
        if checked is not None:
            days |= {checked - one, checked, checked + one}
    assert len(days) > 20
    readings: dict[str, str] = {
        FollowUpState.DONE.value: "known",
        FollowUpState.NOT_DUE.value: "not_yet_known",
        FollowUpState.DUE.value: "not_yet_known",
        FollowUpState.OVERDUE.value: "unknown",
    }
    for day in sorted(days):
        expected = dict.fromkeys(
            (
                f"{kind}_{reading}"
                for kind in FollowUpKind.values
                for reading in set(readings.values())
            ),
            0,
        )
        for record, kind in itertools.product(records, FollowUpKind.values):
            state = record.follow_up_state(kind, day)
            if state is not None:
                expected[f"{kind}_{readings[state]}"] += 1
        totals = table(as_of=day, status="completed,ongoing").totals
        assert pick(totals, *expected) == expected, day


# The outcome files: the new dimensions and measures, words where a number does not stand.


def test_the_files_carry_the_dimensions_and_results(programme):
    import csv
    import io
    import json

    from openpyxl import load_workbook

    from reports.exports import outcomes_csv, outcomes_json, outcomes_xlsx
    from reports.protection import protect

    grouped = table(["gender"])
    rows = list(csv.DictReader(io.StringIO(outcomes_csv(grouped, "en").decode("utf-8-sig"))))
    assert list(rows[0])[:1] == ["gender"]
    assert set(RESULTS) <= set(rows[0])
    assert [(r["gender"], r["starts"], r["in_work_on_leaving"]) for r in rows] == [
        # The man's follow-up on leaving is due (30 June) and not done: not yet known.
        ("man", "1", "not yet known"),
        ("not_given", "0", "0"),
        ("woman", "2", "1"),
        ("", "6", "0"),
    ]
    # As a user who may not read personal data reads it: small counts withheld, in words.
    protected = protect(grouped, user=None)
    words = list(csv.DictReader(io.StringIO(outcomes_csv(protected, "en").decode("utf-8-sig"))))
    assert words[2]["starts"] == "fewer than 5"
    data = json.loads(outcomes_json(protected))
    assert data["results"][2]["starts"] is None
    assert "starts" in data["results"][2]["suppressed"]
    sheet = load_workbook(io.BytesIO(outcomes_xlsx(protected, "en"))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[0]
    assert header[:3] == ["Gender", "Actions", "Interested"]
    assert "In work on leaving" in header and "Unknown six months on" in header
    column = header.index("Started")
    assert [row[0] for row in values[1:]] == ["man", "not given", "woman", "not recorded", "Total"]
    assert values[3][column] == "fewer than 5"
    assert values[5][column] == 9


def test_a_file_reads_not_yet_known_never_0(one_trainee):
    import csv
    import io

    from reports.exports import outcomes_csv

    early = table(["year"], as_of=D(2020, 7, 1))
    (row,) = csv.DictReader(io.StringIO(outcomes_csv(early, "en").decode("utf-8-sig")))
    assert row["in_work_on_leaving"] == "not yet known"
    assert row["in_work_six_months"] == "not yet known"
    assert row["on_leaving_not_yet_known"] == "1"
    late = table(["year"], as_of=D(2021, 3, 1))
    (row,) = csv.DictReader(io.StringIO(outcomes_csv(late, "en").decode("utf-8-sig")))
    assert row["on_leaving_unknown"] == "1"
    assert row["in_work_on_leaving"] == "unknown"


def test_the_command_writes_a_protected_breakdown(programme, capsys):
    import csv
    import io

    from django.core.management import call_command

    call_command(
        "report", "outcomes", "--group-by", "gender", "--year", "2020", "--gender", "woman,man"
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["gender"], r["starts"]) for r in rows] == [
        ("man", "fewer than 5"),
        ("woman", "fewer than 5"),
    ]


def test_records_summed_per_action_count_the_same_results(follow_ups, programme):
    from reports.selectors import _run, report_actions

    actions, pes = report_actions({})
    for day in (D(2020, 7, 10), D(2020, 9, 30), D(2021, 3, 1), D(2021, 4, 30)):
        for group_by in (["action"], ["gender", "age_band"]):
            one_by_one = _run(group_by, actions, pes, as_of=day)
            summed = _run(group_by, actions, pes, people=False, as_of=day)
            keys = (*group_by, "actions", "starts", *RESULTS)
            assert [pick(r, *keys) for r in summed] == [pick(r, *keys) for r in one_by_one]


@pytest.mark.parametrize(
    "group_by",
    [["gender"], ["pes", "age_band"], ["semester", "youth_band", "entry_status"], []],
)
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"approved": "true"},
        {"pes": "vdab"},
        {"pes": "vdab,unknown", "education_level": "isced_3_4"},
        {"approved": "true", "gender": "woman", "age_band": "under_25,55_plus"},
    ],
)
def test_every_combination_runs_and_its_rows_add_up(programme, group_by, filters):
    result = table(group_by, **filters)
    if group_by:
        for measure in ("starts", "completions", "employers", *RESULTS):
            assert sum(r[measure] for r in result.rows) == result.totals[measure], measure
    if any(name in filters for name in PERSONAL_DIMENSIONS):
        assert result.totals["employers"] == 0


def test_a_reading_never_tells_a_withheld_count():
    row = {
        "in_work_on_leaving": 0,
        "on_leaving_known": None,
        "on_leaving_not_yet_known": 3,
        "on_leaving_unknown": 0,
    }
    assert result_reading(row, "in_work_on_leaving") == ""
    row["on_leaving_known"] = 0
    assert result_reading(row, "in_work_on_leaving") == NOT_YET_KNOWN
    row["in_work_on_leaving"] = None
    assert result_reading(row, "in_work_on_leaving") == ""
