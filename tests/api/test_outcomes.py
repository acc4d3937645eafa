"""GET /api/v1/reports/outcomes/: the reports layer's table through the API, on the demo data
of the parliamentary answer (the figures of "What the answer adds up to")."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/outcomes/"
GT = "grenzeloos-tewerkstellen"
GC = "grenzeloos-competent"
METRICS = (
    "actions",
    "interested",
    "starts",
    "completions",
    "placements",
    "hires",
    "certificates",
    "employers",
    "agencies",
    "vacancies",
)


def pick(row: dict, *keys: str) -> dict:
    return {key: row[key] for key in keys}


@pytest.fixture
def api(demo, manager, client_for):
    return client_for(manager)


def test_2017_of_grenzeloos_tewerkstellen_by_action_type(api):
    response = api.get(URL, {"group_by": "action_type", "year": 2017, "project": GT})
    assert response.status_code == 200
    body = response.json()
    assert body["group_by"] == ["action_type"]
    rows = {row["action_type"]: row for row in body["results"]}
    assert pick(rows["guidance_cohort"], "actions", "starts", "placements") == {
        "actions": 2,
        "starts": 19,
        "placements": 9,
    }
    visits_and_datings = [rows["jobdating"], rows["company_visit"]]
    assert sum(r["actions"] for r in visits_and_datings) == 2
    assert sum(r["starts"] for r in visits_and_datings) == 66
    assert sum(r["hires"] for r in visits_and_datings) == 9
    assert sum(r["vacancies"] for r in visits_and_datings) == 17
    assert rows["jobdating"]["vacancies"] == 17


def test_jobdatings_and_company_visits_together(api):
    response = api.get(URL, {"year": 2017, "project": GT, "action_type": "jobdating,company_visit"})
    body = response.json()
    assert body["group_by"] == []
    assert len(body["results"]) == 1
    assert pick(body["totals"], "actions", "starts", "hires", "vacancies") == {
        "actions": 2,
        "starts": 66,
        "hires": 9,
        "vacancies": 17,
    }


def test_the_contract_of_a_row(api):
    body = api.get(
        URL,
        {
            "group_by": "semester,pes",
            "year": 2017,
            "project": GT,
            "action_type": "guidance_cohort",
        },
    ).json()
    assert body["group_by"] == ["semester", "pes"]
    first = body["results"][0]
    assert list(first)[:2] == ["semester", "pes"]
    assert set(METRICS) | {"people", "lower_bound"} <= set(first)
    starts = {(r["semester"], r["pes"]): r["starts"] for r in body["results"]}
    assert starts == {
        ("2017-S1", "le-forem"): 4,
        ("2017-S1", "pole-emploi"): 5,
        ("2017-S1", "vdab"): 1,
        ("2017-S2", "pole-emploi"): 6,
        ("2017-S2", "vdab"): 3,
    }
    # The cohorts' records say who found work, by PES.
    placements = {(r["semester"], r["pes"]): r["placements"] for r in body["results"]}
    assert placements == {
        ("2017-S1", "le-forem"): 1,
        ("2017-S1", "pole-emploi"): 2,
        ("2017-S1", "vdab"): 0,
        ("2017-S2", "pole-emploi"): 4,
        ("2017-S2", "vdab"): 2,
    }
    assert pick(body["totals"], "starts", "placements", "people", "lower_bound") == {
        "starts": 19,
        "placements": 9,
        "people": 19,
        "lower_bound": False,
    }


def test_2017_trainings_of_grenzeloos_competent_by_sector(api):
    body = api.get(
        URL, {"group_by": "sector", "year": 2017, "project": GC, "action_type": "training"}
    ).json()
    assert [pick(r, "sector", "actions", "starts") for r in body["results"]] == [
        {"sector": "agro-food", "actions": 2, "starts": 13},
        {"sector": "textiles", "actions": 1, "starts": 6},
    ]
    assert pick(body["totals"], "actions", "starts") == {"actions": 3, "starts": 19}


def test_a_fair_of_more_than_200_is_a_lower_bound(api):
    body = api.get(URL, {"year": 2018, "project": GC, "action_type": "job_fair"}).json()
    # More than 200 came by: reached, never started.
    assert pick(body["totals"], "starts", "reached", "lower_bound", "lower_bounds") == {
        "starts": 0,
        "reached": 200,
        "lower_bound": True,
        "lower_bounds": ["reached"],
    }


def test_repeated_parameters_equal_comma_separated_ones(api):
    repeated = api.get(
        f"{URL}?project={GT}&action_type=jobdating&action_type=company_visit&year=2017"
    ).json()
    commas = api.get(f"{URL}?project={GT}&action_type=jobdating,company_visit&year=2017").json()
    assert repeated == commas


def test_outcomes_as_csv(api):
    response = api.get(
        URL, {"group_by": "action_type", "year": 2017, "project": GT, "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_type = {row["action_type"]: row for row in rows}
    assert set(by_type) == {"company_visit", "guidance_cohort", "jobdating", "staff_seminar"}
    assert pick(by_type["guidance_cohort"], "actions", "starts", "placements", "people") == {
        "actions": "2",
        "starts": "19",
        "placements": "9",
        "people": "19",
    }
    assert by_type["jobdating"]["vacancies"] == "17"
    assert by_type["jobdating"]["lower_bound"] == "false"


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"group_by": "colour"},
            {
                "group_by": [
                    "Unknown dimension “colour”; use any of: year, semester, project, "
                    "action_type, pes, sector, status, gender, age_band, youth_band, entry_status, "
                    "education_level."
                ]
            },
        ),
        ({"year": "twenty"}, {"year": ["“twenty” is not a year between 2000 and 2100."]}),
        (
            {"semester": "2017-S3"},
            {"semester": ["“2017-S3” is not a semester like 2017-S1 or 2017-S2."]},
        ),
        ({"date_from": "2017-13-01"}, {"date_from": ["Enter a valid date."]}),
        ({"colour": "red"}, {"colour": ["Unknown parameter."]}),
    ],
)
def test_a_parameter_not_understood_is_a_400_naming_it(api, params, errors):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize("param", ["project", "action_type", "pes", "sector", "status"])
def test_an_unknown_value_is_a_400_naming_the_parameter(api, param):
    response = api.get(URL, {param: "no-such-value"})
    assert response.status_code == 400
    assert list(response.json()) == [param]
