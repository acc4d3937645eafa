"""A schema that tells the truth: what it declares closed, bounded or required, the API refuses
(400 naming what is wrong), and what it declares valid, the API takes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from actions.models import Action, Figure
from participants.models import Jobseeker
from projects.models import Organisation
from tests.factories import JobseekerFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

UNKNOWN = "surely_not_a_field"


def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = _schema()


def write_operations() -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation with a JSON request body: its path, method and body schema."""
    found = []
    for path, methods in SCHEMA["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found.append((path, method, content["application/json"]["schema"]))
    return found


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.fixture
def api(demo, superuser, client_for):
    # The demo keeps no jobseeker: one of VDAB's in an action, to write to.
    jobseeker = JobseekerFactory(pes=Organisation.objects.get(slug="vdab"))
    ParticipationFactory(jobseeker=jobseeker, action=Action.objects.order_by("pk").first())
    return client_for(superuser)


def concrete(api, path: str) -> str:
    """The path with the id of a record of its list (the demo's), for the superuser."""
    if "{" not in path:
        return path
    collection, _sep, rest = path.partition("{")
    results = api.get(collection, {"page_size": 1}).json()["results"]
    assert results, f"no record to write to under {collection}"
    return collection + str(results[0]["id"]) + rest.partition("}")[2]


@pytest.mark.parametrize(
    ("path", "method"), [(path, method) for path, method, _s in write_operations()]
)
def test_every_write_refuses_an_unknown_field_by_name(api, path, method):
    body = {UNKNOWN: 1}
    response = getattr(api, method)(concrete(api, path), body, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    # A bulk push lists it among its problems by item and field.
    problem = {"index": None, "field": UNKNOWN, "message": "Unknown field."}
    assert body.get(UNKNOWN) == ["Unknown field."] or body.get("problems") == [problem]


@pytest.mark.parametrize(
    ("path", "method"), [(path, method) for path, method, _s in write_operations()]
)
def test_every_write_body_is_declared_closed(path, method):
    declared = resolve(dict(next(s for p, m, s in write_operations() if (p, m) == (path, method))))
    # A body of one of several shapes (a follow-up, or a list of them): each closed.
    for body in [resolve(shape) for shape in declared.get("oneOf", [declared])]:
        assert body["additionalProperties"] is False
        for value in body["properties"].values():
            items = resolve(value.get("items", {}))
            if "properties" in items:
                assert items["additionalProperties"] is False


def test_an_unknown_field_within_a_pushed_item_is_named_by_its_place(api):
    body = {
        "jobseekers": [
            {"pes": "vdab", "external_ref": "VD-1", "birth_year": 1990},
            {"pes": "vdab", "external_ref": "VD-2", "birth_yaer": 1990},
        ]
    }
    response = api.post("/api/v1/jobseekers/push/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"jobseekers.1.birth_yaer": ["Unknown field."]}
    assert not Jobseeker.objects.filter(external_ref__in=["VD-1", "VD-2"]).exists()


@pytest.mark.parametrize("items", ["participations", "figures"])
def test_a_bulk_push_names_an_unknown_field_by_item_and_field(api, items):
    body = {items: [{"action": 1}, {"action": 1, "oops": 2}]}
    response = api.post(f"/api/v1/{items}/push/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "problems": [{"index": 1, "field": "oops", "message": "Unknown field."}]
    }


@pytest.mark.parametrize(
    "path",
    [path for path, method, _s in write_operations() if path.endswith("/push/")],
)
def test_an_empty_push_is_refused_as_the_schema_says(api, path):
    body = resolve(next(s for p, m, s in write_operations() if p == path))
    (name,) = [name for name, value in body["properties"].items() if value.get("type") == "array"]
    assert body["properties"][name]["minItems"] == 1
    assert name in body["required"]
    response = api.post(path, {name: []}, format="json")
    assert response.status_code == 400
    assert "This list may not be empty." in response.content.decode()


def test_the_year_range_is_declared_and_kept(api):
    action = resolve(
        SCHEMA["paths"]["/api/v1/actions/"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ]
    )
    assert (action["properties"]["year"]["minimum"], action["properties"]["year"]["maximum"]) == (
        2000,
        2100,
    )
    year = next(
        p for p in SCHEMA["paths"]["/api/v1/actions/"]["get"]["parameters"] if p["name"] == "year"
    )
    assert (year["schema"]["minimum"], year["schema"]["maximum"]) == (2000, 2100)
    for value in ("1999", "2101"):
        response = api.get("/api/v1/actions/", {"year": value})
        assert response.status_code == 400
        assert response.json() == {"year": [f"“{value}” is not a year between 2000 and 2100."]}
    assert api.get("/api/v1/actions/", {"year": "2000"}).status_code == 200
    assert api.get("/api/v1/actions/", {"year": "2100"}).status_code == 200


@pytest.mark.parametrize("value", ["0", "101", "abc", "null", "-1", "1.5", ""])
def test_a_page_size_out_of_its_declared_range_is_a_400(api, value):
    response = api.get("/api/v1/organisations/", {"page_size": value})
    assert response.status_code == 400
    assert response.json() == {
        "page_size": [f"“{value}” is not a page size; send a whole number from 1 to 100."]
    }


def test_page_and_page_size_declare_their_bounds():
    parameters = {
        p["name"]: p["schema"] for p in SCHEMA["paths"]["/api/v1/actions/"]["get"]["parameters"]
    }
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}


def test_page_sizes_within_the_range_are_taken(api):
    assert len(api.get("/api/v1/organisations/", {"page_size": "1"}).json()["results"]) == 1
    assert api.get("/api/v1/organisations/", {"page_size": "100"}).status_code == 200


def test_a_filter_by_an_id_that_names_nothing_is_an_empty_list(api):
    action = Action.objects.filter(figures__isnull=False).order_by("pk").first()
    assert action is not None
    known = api.get("/api/v1/figures/", {"action": action.pk}).json()
    assert known["count"] == Figure.objects.filter(action=action).count() > 0
    missing = api.get("/api/v1/figures/", {"action": 987654321})
    assert (missing.status_code, missing.json()["count"]) == (200, 0)


def test_another_pes_jobseeker_id_filters_to_nothing_rather_than_a_400(
    demo, client_for, partner_le_forem
):
    """The id of another PES's jobseeker is as unknown as an id that names nothing: the partner
    cannot tell that it exists."""
    other = JobseekerFactory(pes=Organisation.objects.get(slug="pole-emploi"))
    api = client_for(partner_le_forem)
    for jobseeker in (other.pk, 987654321):
        response = api.get("/api/v1/participations/", {"jobseeker": jobseeker})
        assert (response.status_code, response.json()["count"]) == (200, 0)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/participations/", "jobseeker"),
        ("/api/v1/figures/", "action"),
        ("/api/v1/jobseekers/", "action"),
    ],
)
@pytest.mark.parametrize("value", ["0.5", "1e3", "twelve"])
def test_an_id_filter_refuses_what_is_no_whole_number(api, path, name, value):
    """The schema says integer: `?jobseeker=0.5` is refused by name, not a search for id 0.5."""
    declared = {p["name"]: p["schema"] for p in SCHEMA["paths"][path]["get"]["parameters"]}
    assert declared[name]["type"] == "integer"
    response = api.get(path, {name: value})
    assert response.status_code == 400
    assert response.json() == {name: ["Enter a whole number."]}


@pytest.mark.parametrize("value", ["null", "yes", "unknown"])
def test_a_true_or_false_filter_refuses_anything_else(api, value):
    """`?is_lower_bound=null` filtered by nothing, as if it had not been sent."""
    declared = {
        p["name"]: p["schema"] for p in SCHEMA["paths"]["/api/v1/figures/"]["get"]["parameters"]
    }
    assert declared["is_lower_bound"]["type"] == "boolean"
    response = api.get("/api/v1/figures/", {"is_lower_bound": value})
    assert response.status_code == 400
    assert response.json() == {"is_lower_bound": ["Must be true or false."]}
    lower = api.get("/api/v1/figures/", {"is_lower_bound": "true", "page_size": 100}).json()
    assert lower["count"] == Figure.objects.filter(is_lower_bound=True).count() > 0
    assert {figure["is_lower_bound"] for figure in lower["results"]} == {True}


@pytest.mark.parametrize("path", ["/api/v1/sectors/", "/api/v1/participations/"])
@pytest.mark.parametrize("query", ["", "?format=csv", "?format=csv&sep=%7C", "?format=xml"])
def test_a_method_the_endpoint_does_not_take_is_a_405_whatever_the_format(api, path, query):
    response = api.generic("TRACE", path + query)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "TRACE" not allowed.'}


def test_every_operation_documents_every_status_it_answers():
    for path, methods in SCHEMA["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "429"} <= codes, (path, method)
            if "requestBody" in operation or any(
                p["in"] == "query" for p in operation.get("parameters", [])
            ):
                assert "400" in codes, (path, method)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/actions/", {"detail": "{message}"}),
        (
            "/api/v1/figures/push/",
            {"problems": [{"index": None, "field": "non_field_errors", "message": "{message}"}]},
        ),
    ],
)
def test_a_form_beyond_djangos_field_limit_is_a_400_in_json(
    superuser, client_for, settings, path, expected
):
    body = "&".join(
        f"figures=x{index}" for index in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    )
    response = client_for(superuser).post(
        path, body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    message = "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
    assert json.loads(json.dumps(response.json())) == json.loads(
        json.dumps(expected).replace("{message}", message)
    )
