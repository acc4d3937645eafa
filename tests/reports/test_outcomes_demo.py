"""The figures of the parliamentary answer ("What the answer adds up to"), from the demo data."""

from __future__ import annotations

import pytest

from reports.selectors import outcomes

pytestmark = pytest.mark.django_db

GT = "grenzeloos-tewerkstellen"
GC = "grenzeloos-competent"


def pick(row: dict, *keys: str) -> dict:
    return {key: row[key] for key in keys}


def test_2017_guidance_cohorts_of_grenzeloos_tewerkstellen(demo):
    table = outcomes(filters={"year": 2017, "project": GT, "action_type": "guidance_cohort"})
    assert pick(table.totals, "actions", "starts", "placements", "people", "lower_bound") == {
        "actions": 2,
        "starts": 19,
        "placements": 9,
        # Every PES keeps participation records of these cohorts: distinct people are known.
        "people": 19,
        "lower_bound": False,
    }


def test_2017_guidance_cohort_starts_and_placements_by_pes_from_the_records(demo):
    table = outcomes(
        group_by=["pes"], filters={"year": 2017, "project": GT, "action_type": "guidance_cohort"}
    )
    assert [pick(r, "pes", "actions", "starts", "placements") for r in table.rows] == [
        {"pes": "le-forem", "actions": 1, "starts": 4, "placements": 1},
        {"pes": "pole-emploi", "actions": 2, "starts": 11, "placements": 6},
        {"pes": "vdab", "actions": 2, "starts": 4, "placements": 2},
    ]
    assert sum(r["starts"] for r in table.rows) == table.totals["starts"] == 19
    assert sum(r["placements"] for r in table.rows) == table.totals["placements"] == 9


def test_2017_guidance_cohort_placements_by_semester(demo):
    table = outcomes(
        group_by=["semester"],
        filters={"year": "2017", "project": GT, "action_type": "guidance_cohort"},
    )
    assert [pick(r, "semester", "actions", "starts", "placements") for r in table.rows] == [
        {"semester": "2017-S1", "actions": 1, "starts": 10, "placements": 3},
        {"semester": "2017-S2", "actions": 1, "starts": 9, "placements": 6},
    ]


def test_2017_jobdatings_and_company_visits(demo):
    table = outcomes(
        group_by=["action_type"],
        filters={"year": 2017, "project": GT, "action_type": "jobdating,company_visit"},
    )
    assert pick(table.totals, "actions", "starts", "hires", "vacancies") == {
        "actions": 2,
        "starts": 66,
        "hires": 9,
        "vacancies": 17,
    }
    assert [
        pick(r, "action_type", "starts", "hires", "vacancies", "employers") for r in table.rows
    ] == [
        {"action_type": "company_visit", "starts": 20, "hires": 2, "vacancies": 0, "employers": 3},
        {"action_type": "jobdating", "starts": 46, "hires": 7, "vacancies": 17, "employers": 3},
    ]


def test_2017_jobdating_by_pes(demo):
    table = outcomes(
        group_by=["pes"], filters={"year": 2017, "project": GT, "action_type": "jobdating"}
    )
    assert [pick(r, "pes", "starts", "hires", "agencies") for r in table.rows] == [
        {"pes": "pole-emploi", "starts": 35, "hires": 0, "agencies": 0},
        {"pes": "vdab", "starts": 11, "hires": 0, "agencies": 0},
        {"pes": None, "starts": 0, "hires": 7, "agencies": 3},
    ]


def test_2017_trainings_of_grenzeloos_competent_by_sector(demo):
    table = outcomes(
        group_by=["sector"], filters={"year": 2017, "project": GC, "action_type": "training"}
    )
    assert pick(table.totals, "actions", "starts") == {"actions": 3, "starts": 19}
    assert [pick(r, "sector", "actions", "starts") for r in table.rows] == [
        {"sector": "agro-food", "actions": 2, "starts": 13},
        {"sector": "textiles", "actions": 1, "starts": 6},
    ]


def test_2017_agro_food_trainings_have_no_semester(demo):
    table = outcomes(
        group_by=["semester"], filters={"year": 2017, "project": GC, "action_type": "training"}
    )
    assert [pick(r, "semester", "actions", "starts") for r in table.rows] == [
        {"semester": "2017-S2", "actions": 1, "starts": 6},
        {"semester": None, "actions": 2, "starts": 13},
    ]


def test_2018_guidance_cohort_by_pes(demo):
    table = outcomes(group_by=["pes"], filters={"year": 2018, "action_type": "guidance_cohort"})
    assert table.totals["actions"] == 1
    assert [pick(r, "pes", "starts") for r in table.rows] == [
        {"pes": "le-forem", "starts": 5},
        {"pes": "pole-emploi", "starts": 3},
        {"pes": "vdab", "starts": 3},
    ]


def test_2018_textiles_training(demo):
    table = outcomes(filters={"year": 2018, "sector": "textiles", "action_type": "training"})
    assert pick(table.totals, "actions", "starts") == {"actions": 1, "starts": 7}


def test_2018_fair_is_a_lower_bound_and_so_is_every_sum_including_it(demo):
    fair = outcomes(filters={"year": 2018, "action_type": "job_fair"})
    # More than 200 jobseekers came by: reached, never started.
    assert pick(
        fair.totals, "actions", "starts", "reached", "agencies", "lower_bound", "lower_bounds"
    ) == {
        "actions": 1,
        "starts": 0,
        "reached": 200,
        "agencies": 6,
        "lower_bound": True,
        "lower_bounds": ["reached"],
    }
    year = outcomes(group_by=["action_type"], filters={"year": 2018})
    assert pick(year.totals, "starts", "reached", "lower_bounds") == {
        "starts": 18,
        "reached": 200,
        "lower_bounds": ["reached"],
    }
    flags = {r["action_type"]: r["lower_bound"] for r in year.rows}
    assert flags == {"guidance_cohort": False, "job_fair": True, "training": False}


def test_2018_interested_refugees_count_when_planned_actions_are_asked_for(demo):
    realised = outcomes(filters={"year": 2018, "project": "ab-refugies"})
    assert realised.totals["interested"] == 0
    planned = outcomes(
        group_by=["pes"], filters={"year": 2018, "project": "ab-refugies", "status": "planned"}
    )
    assert [pick(r, "pes", "actions", "interested", "starts") for r in planned.rows] == [
        {"pes": "vdab", "actions": 1, "interested": 6, "starts": 0}
    ]


def test_2017_by_project_and_type_with_statuses(demo):
    table = outcomes(
        group_by=["project", "action_type", "status"],
        filters={"year": 2017, "status": "completed,cancelled"},
    )
    assert [
        pick(r, "project", "action_type", "status", "actions", "starts") for r in table.rows
    ] == [
        {
            "project": GC,
            "action_type": "training",
            "status": "completed",
            "actions": 3,
            "starts": 19,
        },
        {
            "project": GT,
            "action_type": "company_visit",
            "status": "completed",
            "actions": 1,
            "starts": 20,
        },
        {
            "project": GT,
            "action_type": "guidance_cohort",
            "status": "completed",
            "actions": 2,
            "starts": 19,
        },
        {
            "project": GT,
            "action_type": "jobdating",
            "status": "completed",
            "actions": 1,
            "starts": 46,
        },
        {
            "project": GT,
            "action_type": "staff_seminar",
            "status": "completed",
            "actions": 1,
            "starts": 0,
        },
        {
            "project": GT,
            "action_type": "training",
            "status": "cancelled",
            "actions": 1,
            "starts": 0,
        },
    ]


def test_by_year_and_semester_over_everything(demo):
    table = outcomes(group_by=["year", "semester"])
    assert [
        pick(r, "year", "semester", "actions", "starts", "placements", "hires") for r in table.rows
    ] == [
        {
            "year": 2017,
            "semester": "2017-S1",
            "actions": 2,
            "starts": 30,
            "placements": 3,
            "hires": 2,
        },
        {
            "year": 2017,
            "semester": "2017-S2",
            "actions": 4,
            "starts": 61,
            "placements": 6,
            "hires": 7,
        },
        {"year": 2017, "semester": None, "actions": 2, "starts": 13, "placements": 0, "hires": 0},
        {
            "year": 2018,
            "semester": "2018-S1",
            "actions": 3,
            "starts": 18,
            "placements": 0,
            "hires": 0,
        },
        {"year": 2018, "semester": None, "actions": 2, "starts": 0, "placements": 0, "hires": 0},
    ]
    assert pick(table.totals, "actions", "starts", "lower_bound") == {
        "actions": 13,
        "starts": 122,
        "lower_bound": True,
    }
