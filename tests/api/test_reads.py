"""What the read endpoints return: slugs as identifiers, nested figures and employers, filters,
ordering, search, bounded pages and CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from actions.models import Action
from projects.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(demo, partner_le_forem, client_for):
    return client_for(partner_le_forem)


def parse_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_an_action_with_its_figures_and_employers(api):
    action = Action.objects.get(reference="gt-2017-skills-eurometropolis-tour")
    body = api.get(f"/api/v1/actions/{action.pk}/").json()
    assert {k: body[k] for k in ("project", "action_type", "status", "semester", "sector")} == {
        "project": "grenzeloos-tewerkstellen",
        "action_type": "company_visit",
        "status": "completed",
        "semester": "2017-S1",
        "sector": "industry",
    }
    assert sorted(body["organisers"]) == [
        "ivr",
        "le-forem",
        "mde-lys-tourcoing",
        "pole-emploi",
        "unizo",
        "vdab",
    ]
    figures = {(f["metric"], f["pes"]): f["value"] for f in body["figures"]}
    assert figures == {
        ("starts", "le-forem"): 8,
        ("starts", "pole-emploi"): 10,
        ("starts", "vdab"): 2,
        ("hires", None): 2,
    }
    assert [e["organisation"] for e in body["employers"]] == ["koraton", "vandeputte", "wepa"]
    assert {e["kind"] for e in body["employers"]} == {"company"}
    assert {j["title"] for j in body["job_offers"]} == {
        "maintenance technician",
        "line operator",
        "production operator",
    }


def test_a_cancelled_action_keeps_its_reason(api):
    body = api.get("/api/v1/actions/", {"status": "cancelled"}).json()
    assert [a["reference"] for a in body["results"]] == ["gt-2017-training-welder-ieper"]
    assert body["results"][0]["cancellation_reason"].startswith("No benefit-eligible French")


def test_actions_filter_like_the_dashboards(api):
    def refs(**params: str) -> set[str]:
        rows = api.get("/api/v1/actions/", {**params, "page_size": 100}).json()["results"]
        return {row["reference"] for row in rows}

    assert refs(project="grenzeloos-tewerkstellen", year="2017", action_type="guidance_cohort") == {
        "gt-2017-cohort-lkt",
        "gt-2017-cohort-veurne-dunkerque",
    }
    assert refs(semester="2017-S1", action_type="company_visit,guidance_cohort") == {
        "gt-2017-cohort-lkt",
        "gt-2017-skills-eurometropolis-tour",
    }
    assert refs(sector="textiles") == {"gc-2017-textiles-cobot", "gc-2018-textiles"}
    assert refs(pes="le-forem", year="2017") == {
        "gt-2017-cohort-lkt",
        "gt-2017-skills-eurometropolis-tour",
    }
    # Actions known only by their semester or year count when that period reaches the range.
    assert refs(date_from="2017-11-01", date_to="2017-11-30") == {
        "gt-2017-jobdating-veurne",
        "gt-2017-staff-seminar",
        "gc-2017-textiles-cobot",
        "gt-2017-training-welder-ieper",
        "gc-2017-agro-food-vdab",
        "gc-2017-agro-food-le-forem",
    }
    assert refs(search="Veurne", year="2017") == {
        "gt-2017-cohort-veurne-dunkerque",
        "gt-2017-jobdating-veurne",
    }


def test_a_filter_value_not_understood_is_a_400_naming_it(api):
    response = api.get("/api/v1/actions/", {"action_type": "picnic"})
    assert response.status_code == 400
    assert list(response.json()) == ["action_type"]
    response = api.get("/api/v1/actions/", {"date_from": "yesterday"})
    assert response.json() == {"date_from": ["Enter a valid date."]}


def test_ordering(api):
    rows = api.get(
        "/api/v1/actions/", {"ordering": "-start_date", "year": "2017", "status": "completed"}
    ).json()["results"]
    dates = [row["start_date"] for row in rows if row["start_date"]]
    assert dates == sorted(dates, reverse=True)


def test_pages_are_bounded(api):
    body = api.get("/api/v1/actions/", {"page_size": 5}).json()
    assert (body["count"], len(body["results"])) == (Action.objects.count(), 5)
    assert "page=2" in body["next"]
    body = api.get("/api/v1/organisations/", {"page_size": 100}).json()
    assert len(body["results"]) == body["count"] == Organisation.objects.count() > 1
    # At most 100 a page: a larger page is refused, as the schema says, not cut in silence.
    assert api.get("/api/v1/organisations/", {"page_size": 1000}).status_code == 400
    assert api.get("/api/v1/actions/", {"page": 99}).status_code == 404


def test_projects_organisations_and_programmes_by_slug(api):
    project = api.get("/api/v1/projects/grenzeloos-competent/").json()
    assert project["name_nl"] == "Grenzeloos Competent"
    assert project["programme"] == "interreg-v-fwvl"
    assert {"organisation": "vdab", "role": "partner"} in project["partners"]
    assert project["work_packages"][1] == {
        "code": "WP-TRAINING",
        "name": "Development of cross-border trainings",
        "coordinator": "vdab",
    }
    pes = api.get("/api/v1/organisations/pole-emploi/").json()
    assert pes["name"] == "France Travail"
    assert pes["former_names"] == [{"name": "Pôle emploi", "used_until": "2023-12-31"}]
    assert {o["slug"] for o in pes["offices"]} >= {"pe-dunkerque", "pe-halluin"}
    kinds = api.get("/api/v1/organisations/", {"kind": "pes"}).json()["results"]
    assert sorted(o["slug"] for o in kinds) == ["le-forem", "pole-emploi", "vdab"]
    projects = api.get("/api/v1/projects/", {"partner": "entreprendre-ensemble"}).json()
    assert [p["slug"] for p in projects["results"]] == ["grenzeloos-competent"]
    programme = api.get("/api/v1/programmes/interreg-v-fwvl/").json()
    assert set(programme["projects"]) == {
        "grenzeloos-tewerkstellen",
        "grenzeloos-competent",
        "actemploi",
        "ab-refugies",
    }


def test_names_follow_the_requested_language(api):
    project = api.get("/api/v1/projects/grenzeloos-competent/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert project["name"] == "Compétences sans frontières"


def test_indicators_with_targets_and_actuals(api):
    body = api.get("/api/v1/indicators/RCO115/").json()
    assert body["action_types"] == ["job_fair", "info_session"]
    assert body["rule"] == "public_events"
    gc = next(p for p in body["progress"] if p["project"] == "grenzeloos-competent")
    # Realised public events of the project: the fair of Dunkerque on 1 February 2018.
    assert gc["actual"] == 1
    assert [(t["kind"], t["year"], t["target"], t["actual"]) for t in gc["targets"]] == [
        ("milestone", 2018, 2, 1),
        ("final", 2020, 6, 1),
    ]


def test_figures_filter_by_pes_and_unknown(api):
    rows = api.get(
        "/api/v1/figures/", {"project": "grenzeloos-tewerkstellen", "pes": "le-forem"}
    ).json()["results"]
    # The 2018 cohort's starts and the company visit's (its 2017 cohort keeps records).
    assert sorted(r["value"] for r in rows) == [5, 8]
    unsplit = api.get("/api/v1/figures/", {"pes": "unknown", "metric": "vacancies"}).json()
    assert [r["value"] for r in unsplit["results"]] == [17]


def test_lists_as_csv_parse_back(api):
    response = api.get(
        "/api/v1/actions/", {"format": "csv", "project": "grenzeloos-tewerkstellen", "year": "2017"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="action.csv"'
    rows = {row["reference"]: row for row in parse_csv(response.content)}
    jobdating = rows["gt-2017-jobdating-veurne"]
    assert jobdating["organisers"] == "pole-emploi; vdab"
    assert jobdating["online"] == "false"
    assert jobdating["work_package"] == ""
    figures = json.loads(jobdating["figures"])
    assert {(f["metric"], f["pes"]): f["value"] for f in figures}[("vacancies", None)] == 17
    assert rows["gt-2017-cohort-lkt"]["title_fr"] == "Action d'accompagnement LKT"


def test_organisations_as_csv_flatten_nested_objects(api):
    rows = parse_csv(api.get("/api/v1/organisations/", {"format": "csv", "kind": "pes"}).content)
    france = next(row for row in rows if row["slug"] == "pole-emploi")
    assert json.loads(france["former_names"]) == [
        {"name": "Pôle emploi", "used_until": "2023-12-31"}
    ]


def test_csv_cells_that_excel_would_run_as_formulas_are_quoted():
    from crossborder.core.writers import write_csv

    content = write_csv([{"title": "=HYPERLINK(1)", "value": -3, "note": "@x"}])
    assert parse_csv(content) == [{"title": "'=HYPERLINK(1)", "value": "-3", "note": "'@x"}]


def test_personal_data_as_csv(partner_vdab, vdab, client_for):
    from tests.factories import JobseekerFactory

    JobseekerFactory(pes=vdab, external_ref="VD-7", given_name="Anna", family_name="Peeters")
    response = client_for(partner_vdab).get("/api/v1/jobseekers/", {"format": "csv"})
    [row] = parse_csv(response.content)
    assert {k: row[k] for k in ("pes", "external_ref", "given_name", "family_name")} == {
        "pes": "vdab",
        "external_ref": "VD-7",
        "given_name": "Anna",
        "family_name": "Peeters",
    }


def test_a_refused_search_names_the_parameter(api):
    response = api.get("/api/v1/actions/", {"search": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


def test_any_other_path_is_a_404_in_the_apis_format(api):
    response = api.get("/api/v1/actions/abc/", {"format": "csv"})
    assert response.status_code == 404
    assert parse_csv(response.content) == [{"detail": "Not found."}]
    assert api.get("/api/v1/nothing-here/").json() == {"detail": "Not found."}


def test_an_unknown_format_is_a_404(api):
    assert api.get("/api/v1/actions/", {"format": "xml"}).status_code == 404
