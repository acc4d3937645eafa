"""The index at /api/v1/: every resource with its URL, the schema and the docs; for users with a
role, like every endpoint."""

from __future__ import annotations

import pytest
from django.urls import URLPattern

from crossborder.api import urls as api_urls

pytestmark = pytest.mark.django_db

INDEX = "/api/v1/"


def routes() -> list[URLPattern]:
    return [pattern for pattern in api_urls.urls() if isinstance(pattern, URLPattern)]


def test_the_index_lists_every_list_of_the_router_and_every_other_endpoint(
    client_for, partner_vdab
):
    response = client_for(partner_vdab).get(INDEX)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"resources", "schema", "docs"}
    lists = {
        str(pattern.pattern): pattern.name
        for pattern in routes()
        # Not the format-suffix variants (actions.json): they take the format from the path.
        if pattern.name and pattern.name.endswith("-list") and not pattern.pattern.regex.groups
    }
    listed = {url.removeprefix("http://testserver/api/v1/") for url in body["resources"].values()}
    # Every list of the router (the regex of its route: ^actions/$).
    assert {route.strip("^$") for route in lists} <= listed
    assert {
        "actions/",
        "figures/",
        "jobseekers/",
        "participations/",
        "tokens/",
        "reports/outcomes/",
        "data-quality/",
    } <= listed
    assert body["resources"]["actions"] == "http://testserver/api/v1/actions/"
    assert body["resources"]["reports/outcomes"] == "http://testserver/api/v1/reports/outcomes/"
    assert (body["schema"], body["docs"]) == (
        "http://testserver/api/v1/schema/",
        "http://testserver/api/v1/docs/",
    )
    # Nothing but resources: no detail, no action on a record, not the index itself.
    assert all("{" not in url and "(?P" not in url for url in listed)
    assert "" not in listed and "schema/" not in listed


def test_every_listed_url_answers(client_for, superuser):
    api = client_for(superuser)
    answers = {
        name: api.get(url).status_code for name, url in api.get(INDEX).json()["resources"].items()
    }
    # The year report needs its year: the 400 names it.
    assert answers.pop("reports/year") == 400
    assert api.get("/api/v1/reports/year/").json().keys() == {"year"}
    # So does the indicators' monitoring workbook, and its project.
    assert answers.pop("indicators/monitoring") == 400
    assert api.get("/api/v1/indicators/monitoring/").json().keys() == {"project", "year"}
    assert set(answers.values()) == {200}


def test_anonymous_is_401_and_a_stranger_403(client_for, stranger):
    assert client_for(None).get(INDEX).status_code == 401
    response = client_for(stranger).get(INDEX)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account has no role in Crossborder: ask a coordinator for one."
    }


def test_the_index_is_browsable(client, manager):
    client.force_login(manager)
    response = client.get(INDEX, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "http://testserver/api/v1/actions/" in response.content.decode()


def test_only_get_is_allowed(client_for, superuser):
    assert client_for(superuser).post(INDEX, {}, format="json").status_code == 405


def test_the_index_is_in_the_schema(client, manager):
    client.force_login(manager)
    operation = client.get("/api/v1/schema/?format=json").json()["paths"][INDEX]["get"]
    assert operation["operationId"] == "api_index"
    assert {"200", "401", "403", "404", "429"} <= set(operation["responses"])
    assert "parameters" not in operation
