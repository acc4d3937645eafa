"""The OpenAPI schema and the interactive docs: every endpoint, parameter and error documented."""

from __future__ import annotations

import pytest
import yaml

from crossborder.accounts.tokens import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client, manager) -> dict:
    client.force_login(manager)
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_endpoint_is_in_the_schema(schema):
    assert {(p, m) for p, m, _o in operations(schema)} == {
        ("/api/v1/", "get"),
        ("/api/v1/programmes/", "get"),
        ("/api/v1/programmes/{slug}/", "get"),
        ("/api/v1/projects/", "get"),
        ("/api/v1/projects/{slug}/", "get"),
        ("/api/v1/organisations/", "get"),
        ("/api/v1/organisations/{slug}/", "get"),
        ("/api/v1/indicators/", "get"),
        ("/api/v1/indicators/{code}/", "get"),
        ("/api/v1/actions/", "get"),
        ("/api/v1/actions/", "post"),
        ("/api/v1/actions/{id}/", "get"),
        ("/api/v1/actions/{id}/", "patch"),
        ("/api/v1/figures/", "get"),
        ("/api/v1/figures/", "post"),
        ("/api/v1/figures/{id}/", "get"),
        ("/api/v1/figures/{id}/", "patch"),
        ("/api/v1/figures/{id}/", "delete"),
        ("/api/v1/jobseekers/", "get"),
        ("/api/v1/jobseekers/", "post"),
        ("/api/v1/jobseekers/push/", "post"),
        ("/api/v1/jobseekers/{id}/", "get"),
        ("/api/v1/jobseekers/{id}/", "patch"),
        ("/api/v1/participations/", "get"),
        ("/api/v1/participations/", "post"),
        ("/api/v1/participations/{id}/", "get"),
        ("/api/v1/participations/{id}/", "patch"),
        ("/api/v1/participations/{id}/", "delete"),
        ("/api/v1/reporting-periods/", "get"),
        ("/api/v1/reporting-periods/{id}/", "get"),
        ("/api/v1/reporting-periods/{id}/submit/", "post"),
        ("/api/v1/reporting-periods/{id}/approve/", "post"),
        ("/api/v1/reporting-periods/{id}/return/", "post"),
        ("/api/v1/reporting-periods/{id}/reopen/", "post"),
        ("/api/v1/reports/outcomes/", "get"),
        ("/api/v1/data-quality/", "get"),
        ("/api/v1/tokens/", "get"),
        ("/api/v1/tokens/", "post"),
        ("/api/v1/tokens/{id}/", "get"),
        ("/api/v1/tokens/{id}/", "delete"),
        ("/api/v1/action-employers/", "get"),
        ("/api/v1/action-employers/", "post"),
        ("/api/v1/action-employers/{id}/", "get"),
        ("/api/v1/action-employers/{id}/", "patch"),
        ("/api/v1/action-employers/{id}/", "delete"),
        ("/api/v1/job-offers/", "get"),
        ("/api/v1/job-offers/", "post"),
        ("/api/v1/job-offers/{id}/", "get"),
        ("/api/v1/job-offers/{id}/", "patch"),
        ("/api/v1/job-offers/{id}/", "delete"),
        ("/api/v1/figures/push/", "post"),
        ("/api/v1/participations/push/", "post"),
        ("/api/v1/sectors/", "get"),
        ("/api/v1/sectors/{slug}/", "get"),
        ("/api/v1/certificates/", "get"),
        ("/api/v1/certificates/{slug}/", "get"),
        ("/api/v1/offices/", "get"),
        ("/api/v1/offices/{slug}/", "get"),
        ("/api/v1/border-office-pairs/", "get"),
        ("/api/v1/border-office-pairs/{id}/", "get"),
        ("/api/v1/reports/year/", "get"),
        ("/api/v1/indicators/monitoring/", "get"),
        ("/api/v1/follow-ups/", "get"),
        ("/api/v1/follow-ups/", "post"),
    }


def test_every_operation_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        assert {"401", "403", "404", "429"} <= codes, (path, method)
        # The index (/api/v1/) reads no parameter: nothing it could refuse.
        if method in ("post", "patch") or ("{" not in path and path != "/api/v1/"):
            assert "400" in codes, (path, method)


@pytest.mark.parametrize("path", ["/api/v1/figures/{id}/", "/api/v1/participations/{id}/"])
def test_a_delete_documents_its_reason_and_its_answers(schema, path):
    operation = schema["paths"][path]["delete"]
    reason = next(p for p in operation["parameters"] if p["name"] == "reason")
    assert (reason["in"], reason["schema"]) == ("query", {"type": "string", "maxLength": 100})
    assert "requestBody" not in operation
    assert set(operation["responses"]) == {"204", "400", "401", "403", "404", "412", "428", "429"}
    assert "content" not in operation["responses"]["204"]


def test_list_parameters_are_documented(schema):
    actions = {p["name"] for p in schema["paths"]["/api/v1/actions/"]["get"]["parameters"]}
    assert actions >= {
        "project",
        "action_type",
        "status",
        "semester",
        "year",
        "pes",
        "sector",
        "date_from",
        "date_to",
        "action",
        "search",
        "ordering",
        "page",
        "page_size",
        "format",
    }
    outcomes = schema["paths"]["/api/v1/reports/outcomes/"]["get"]["parameters"]
    assert {p["name"] for p in outcomes} == {
        "approved",
        "group_by",
        "year",
        "semester",
        "project",
        "action_type",
        "pes",
        "sector",
        "status",
        "date_from",
        "date_to",
        "action",
        "gender",
        "age_band",
        "youth_band",
        "entry_status",
        "education_level",
        "as_of",
        "format",
        "sep",
    }


def test_token_and_session_authentication_are_documented(schema):
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/"])
def test_the_schema_and_docs_are_for_users_with_a_role(client, stranger, manager, url):
    assert client.get(url).status_code == 401
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_the_schema_is_read_with_a_token(client, manager):
    _token, key = api_token_create(user=manager, name="schema")
    response = client.get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["paths"]


def test_the_interactive_docs(client, manager):
    client.force_login(manager)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
