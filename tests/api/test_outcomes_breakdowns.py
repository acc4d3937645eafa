"""GET /api/v1/reports/outcomes/ by who took part: the personal dimensions and filters, the
result measures of the follow-ups, the small numbers protected for users who may not read
personal data, in JSON and CSV, on a small programme counted by hand."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionType, ParticipationStatus
from participants.models import (
    EducationLevel,
    EntryStatus,
    FollowUpSource,
    Gender,
    LeavingSituation,
)
from reports.selectors import RESULTS
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/outcomes/"
D = datetime.date


def pick(row: dict, *keys: str) -> dict:
    return {key: row[key] for key in keys}


@pytest.fixture
def programme(vdab, le_forem):
    """A training ending 30 June 2020: two women (one of Le Forem, in work on leaving), a man;
    a jobdating with 4 starts of VDAB, 2 unsplit, and a company present."""
    training = ActionFactory(
        action_type=ActionType.TRAINING, start_date=D(2020, 1, 6), end_date=D(2020, 6, 30)
    )
    for pes, gender, born, status, leaving in [
        (vdab, Gender.WOMAN, 1996, EntryStatus.UNEMPLOYED, LeavingSituation.EMPLOYED),
        (le_forem, Gender.WOMAN, 1965, EntryStatus.LONG_TERM_UNEMPLOYED, ""),
        (vdab, Gender.MAN, 1995, EntryStatus.INACTIVE, ""),
    ]:
        ParticipationFactory(
            action=training,
            jobseeker=JobseekerFactory(
                pes=pes, gender=gender, birth_year=born, education_level=EducationLevel.ISCED_3_4
            ),
            status=ParticipationStatus.COMPLETED,
            entry_status=status,
            leaving_situation=leaving,
            leaving_checked_on=D(2020, 7, 2) if leaving else None,
            leaving_source=FollowUpSource.PES_REGISTER if leaving else "",
        )
    dating = ActionFactory(start_date=D(2020, 3, 10))
    FigureFactory(action=dating, metric=Metric.STARTS, pes=vdab, value=4)
    FigureFactory(action=dating, metric=Metric.STARTS, pes=None, value=2)
    ActionEmployerFactory(action=dating)


def test_by_gender_for_a_user_who_may_read_personal_data(programme, coordinator, client_for):
    response = client_for(coordinator).get(URL, {"group_by": "gender", "as_of": "2020-07-10"})
    assert response.status_code == 200
    body = response.json()
    assert body["group_by"] == ["gender"]
    rows = [
        pick(r, "gender", "actions", "starts", "employers", "in_work_on_leaving")
        for r in body["results"]
    ]
    assert rows == [
        {"gender": "man", "actions": 1, "starts": 1, "employers": 0, "in_work_on_leaving": 0},
        {"gender": "woman", "actions": 1, "starts": 2, "employers": 0, "in_work_on_leaving": 1},
        {"gender": None, "actions": 1, "starts": 6, "employers": 1, "in_work_on_leaving": 0},
    ]
    totals = body["totals"]
    assert pick(totals, "actions", "starts", "people", "employers") == {
        "actions": 2,
        "starts": 9,
        "people": 3,
        "employers": 1,
    }
    # Known on leaving for one, not yet known (due on 30 June, within the grace days) for two.
    assert pick(totals, *RESULTS) == {
        "in_work_on_leaving": 1,
        "on_leaving_known": 1,
        "on_leaving_not_yet_known": 2,
        "on_leaving_unknown": 0,
        "in_work_six_months": 0,
        "better_situation": 0,
        "six_months_known": 0,
        "six_months_not_yet_known": 3,
        "six_months_unknown": 0,
    }
    assert all(row["suppressed"] == [] and row["fewer_than"] is None for row in body["results"])


def test_the_same_breakdown_is_protected_for_a_manager(programme, manager, client_for):
    body = client_for(manager).get(URL, {"group_by": "gender", "as_of": "2020-07-10"}).json()
    woman = next(row for row in body["results"] if row["gender"] == "woman")
    assert woman["starts"] is None
    assert "starts" in woman["suppressed"]
    assert woman["fewer_than"] == 5
    # The totals are figures of the programme: they stay.
    assert body["totals"]["starts"] == 9


@pytest.mark.parametrize("name", ["gender", "age_band", "entry_status", "education_level"])
def test_a_personal_filter_is_refused_to_a_manager_its_total_would_give_the_cell_away(
    programme, manager, coordinator, client_for, name
):
    value = {
        "gender": "woman",
        "age_band": "under_25",
        "entry_status": "unemployed",
        "education_level": "isced_3_4",
    }[name]
    response = client_for(manager).get(URL, {name: value, "as_of": "2020-07-10"})
    assert response.status_code == 400
    assert list(response.json()) == [name]
    assert "may read personal data" in response.json()[name][0]
    # An empty value is no filter, and a coordinator of the PES may filter.
    assert client_for(manager).get(URL, {name: ""}).status_code == 200
    assert client_for(coordinator).get(URL, {name: value}).status_code == 200


def test_the_protected_breakdown_as_csv_reads_words(programme, manager, client_for):
    response = client_for(manager).get(
        URL, {"group_by": "gender", "as_of": "2020-07-10", "format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    woman = next(row for row in rows if row["gender"] == "woman")
    assert woman["starts"] == "fewer than 5"


def test_a_result_not_known_yet_reads_so_in_csv(programme, coordinator, client_for):
    response = client_for(coordinator).get(
        URL, {"gender": "man", "as_of": "2020-07-10", "format": "csv"}
    )
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["in_work_on_leaving"] == "not yet known"
    assert row["on_leaving_not_yet_known"] == "1"
    response = client_for(coordinator).get(
        URL, {"gender": "man", "as_of": "2020-07-29", "format": "csv"}
    )
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["in_work_on_leaving"] == "unknown"
    assert row["on_leaving_unknown"] == "1"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"gender": "woman"}, {"actions": 1, "starts": 2, "employers": 0}),
        ({"gender": "woman,man"}, {"actions": 1, "starts": 3, "employers": 0}),
        ({"age_band": "under_25"}, {"actions": 1, "starts": 1, "employers": 0}),
        ({"entry_status": ["inactive", "unemployed"]}, {"actions": 1, "starts": 2, "employers": 0}),
        ({"youth_band": "under_18"}, {"actions": 0, "starts": 0, "employers": 0}),
    ],
)
def test_personal_filters(programme, coordinator, client_for, params, expected):
    response = client_for(coordinator).get(URL, params)
    assert response.status_code == 200
    assert pick(response.json()["totals"], *expected) == expected


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"gender": "alien"},
            {
                "gender": [
                    "“alien” is not a value of gender; use any of: woman, man, non_binary, "
                    "not_given."
                ]
            },
        ),
        (
            {"education_level": "isced_9"},
            {
                "education_level": [
                    "“isced_9” is not a value of education_level; use any of: isced_0_2, "
                    "isced_3_4, isced_5_8."
                ]
            },
        ),
        (
            {"group_by": "gender;DROP TABLE"},
            {
                "group_by": [
                    "Unknown dimension “gender;DROP TABLE”; use any of: year, semester, project, "
                    "action_type, pes, sector, status, gender, age_band, youth_band, "
                    "entry_status, education_level."
                ]
            },
        ),
        (
            {"as_of": "yesterday"},
            {"as_of": ["“yesterday” is not a day; write it as 20/04/2018 or 2018-04-20."]},
        ),
    ],
)
def test_a_value_not_understood_is_a_400_naming_it(
    programme, coordinator, client_for, params, errors
):
    response = client_for(coordinator).get(URL, params)
    assert response.status_code == 400
    assert response.json() == errors


def test_hostile_values_are_refused_not_run(programme, coordinator, client_for):
    for value in ["' OR 1=1 --", "woman') OR ('1'='1", "\u00e9" * 500, "%", "woman,"]:
        response = client_for(coordinator).get(URL, {"gender": value})
        if value == "woman,":
            assert response.status_code == 200
            continue
        assert response.status_code == 400, value
        assert list(response.json()) == ["gender"]


def test_an_empty_selection_is_no_error(db, coordinator, client_for):
    response = client_for(coordinator).get(URL, {"group_by": "age_band", "gender": "woman"})
    assert response.status_code == 200
    body = response.json()
    assert body["results"] == []
    assert pick(body["totals"], "actions", "starts", "people") == {
        "actions": 0,
        "starts": 0,
        "people": None,
    }


def test_a_stranger_and_an_anonymous_user_get_nothing(programme, stranger, client_for):
    assert client_for(stranger).get(URL, {"group_by": "gender"}).status_code == 403
    assert client_for(None).get(URL, {"group_by": "gender"}).status_code == 401


def test_the_queries_do_not_grow_with_the_rows(
    programme, coordinator, client_for, django_assert_num_queries, vdab
):
    client = client_for(coordinator)
    client.get(URL, {"group_by": "gender,age_band"})
    with django_assert_num_queries(2) as few:
        client.get(URL, {"group_by": "gender,age_band"})
    for born in range(1960, 2000, 3):
        ParticipationFactory(
            action=ActionFactory(start_date=D(2020, 5, 4)),
            jobseeker=JobseekerFactory(pes=vdab, gender=Gender.NON_BINARY, birth_year=born),
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"group_by": "gender,age_band"})
    assert len(response.json()["results"]) > 5


def test_the_schema_documents_the_dimensions_filters_and_results(client_for, manager):
    schema = client_for(manager).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert "woman, man, non_binary, not_given" in parameters["gender"]["description"]
    assert "left out" in parameters["age_band"]["description"]
    assert "as_of" in parameters
    row = schema["components"]["schemas"]["OutcomeRow"]["properties"]
    for name in ("gender", "age_band", "youth_band", "entry_status", "education_level"):
        assert row[name]["nullable"] is True
    for measure in RESULTS:
        assert row[measure]["type"] == "integer"
        assert row[measure]["description"]
    assert row["starts"]["nullable"] is True
    assert {"suppressed", "complementary", "fewer_than"} <= set(row)
