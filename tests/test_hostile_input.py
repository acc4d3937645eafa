"""Hostile request bodies are a 400 that names the problem, on every endpoint that reads one:
nesting deep enough to exhaust the parser's recursion, numbers beyond any field, NUL characters
anywhere (PostgreSQL cannot store them). Never a server error."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from actions.imports import import_figures
from actions.models import Figure
from tests.factories import ActionFactory, ProjectFactory, ProjectPartnerFactory

pytestmark = pytest.mark.django_db

NUL = "Null characters are not allowed."
TOO_LARGE = "The number is too large."


@pytest.fixture
def action(vdab, pole_emploi):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return ActionFactory(project=project)


@pytest.fixture
def api(coordinator, partner_vdab):
    """Clients for the writers of each endpoint: the partner pushes jobseekers, the coordinator
    writes figures and actions."""

    def client_for(url: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(partner_vdab if "jobseekers" in url else coordinator)
        return client

    return client_for


def endpoints(action) -> list[tuple[str, str, dict]]:
    """(method, url, a valid body) for a write of each kind."""
    return [
        ("post", "/api/v1/jobseekers/push/", {"jobseekers": [{"external_ref": "VD-1"}]}),
        ("post", "/api/v1/figures/", {"action": action.pk, "metric": "starts", "value": 3}),
        ("patch", f"/api/v1/actions/{action.pk}/", {"capacity": 12}),
    ]


def send(api, method: str, url: str, body: bytes):
    return getattr(api(url), method)(url, body, content_type="application/json")


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
        b'{"jobseekers": ' + b"[" * 65 + b"]" * 65 + b"}",
    ],
    ids=["lists", "objects", "just-too-deep"],
)
def test_deep_nesting_is_a_400(api, action, body):
    for method, url, _valid in endpoints(action):
        response = send(api, method, url, body)
        assert response.status_code == 400, (url, response.content[:200])
        assert response.json() == {"detail": "The JSON is nested more than 64 levels deep."}


def test_nesting_within_the_limit_is_read(api, action):
    # 64 levels of lists in a field: parsed, then refused by the field as any wrong value is.
    body = b'{"jobseekers": ' + b"[" * 63 + b"]" * 63 + b"}"
    response = send(api, "post", "/api/v1/jobseekers/push/", body)
    assert response.status_code == 400
    assert "nested" not in response.content.decode()


def test_brackets_in_strings_are_no_nesting(api):
    body = b'{"jobseekers": [{"external_ref": "' + b"[{" * 100 + b'\\"]"}]}'
    response = send(api, "post", "/api/v1/jobseekers/push/", body)
    assert response.status_code == 400
    assert response.json() == {
        "jobseekers": {"0": {"external_ref": ["Ensure this field has no more than 64 characters."]}}
    }


def test_a_body_of_escaped_quotes_is_read_at_once(api):
    # Each quote may start a string: the nesting is counted with each byte read once (a pattern
    # that tried again from each quote took 12 s over 40 kB; this body reads in 0.1 s).
    body = b'{"jobseekers": "' + b'\\"' * 1_000_000
    response = send(api, "post", "/api/v1/jobseekers/push/", body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize("number", ["1e400", "-1e400", "9" * 5000, "-" + "9" * 5000, "9" * 19])
def test_a_huge_number_is_a_400_naming_its_field(api, action, number):
    bodies = [
        f'{{"jobseekers": [{{"external_ref": "VD-1", "birth_year": {number}}}]}}',
        f'{{"action": {action.pk}, "metric": "starts", "value": {number}}}',
        f'{{"capacity": {number}}}',
    ]
    names = [
        {"jobseekers.0.birth_year": [TOO_LARGE]},
        {"value": [TOO_LARGE]},
        {"capacity": [TOO_LARGE]},
    ]
    for (method, url, _valid), body, expected in zip(endpoints(action), bodies, names, strict=True):
        response = send(api, method, url, body.encode())
        assert response.status_code == 400, (url, response.content[:200])
        assert response.json() == expected


def test_large_numbers_a_field_may_hold_are_read(api, action):
    response = send(
        api,
        "post",
        "/api/v1/figures/",
        b'{"action": %d, "metric": "starts", "pes": "vdab", "value": 2147483647}' % action.pk,
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ('{"jobseekers": [{"external_ref": "VD\\u00001"}]}', "jobseekers.0.external_ref"),
        ('{"jobseekers": [{"exter\\u0000nal_ref": "VD-1"}]}', "jobseekers.0.exter\\u0000nal_ref"),
        ('{"jobs\\u0000eekers": []}', "jobs\\u0000eekers"),
    ],
)
def test_a_nul_character_in_a_pushed_key_or_value_is_a_400_naming_where(api, where, expected):
    response = send(api, "post", "/api/v1/jobseekers/push/", where.encode())
    assert response.status_code == 400
    assert response.json() == {expected: [NUL]}


def test_a_nul_character_in_a_figure_or_an_action_is_a_400_naming_it(api, action):
    figure = '{"action": %d, "metric": "starts", "pes": "vdab", "value": 3, "note": "a\\u0000"}'
    response = send(api, "post", "/api/v1/figures/", (figure % action.pk).encode())
    assert response.status_code == 400
    assert response.json() == {"note": [NUL]}
    url = f"/api/v1/actions/{action.pk}/"
    response = send(api, "patch", url, b'{"organisers": ["vdab", "pole-\\u0000emploi"]}')
    assert response.status_code == 400
    assert response.json() == {"organisers.1": [NUL]}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"capacity": NaN}', "application/json"),
        (b'{"capacity": Infinity}', "application/json"),
        (b'{"capacity": 12', "application/json"),
        (b'{"capacity": "\xff"}', "application/json"),
    ],
)
def test_a_body_that_is_no_json_is_a_400(api, action, body, content_type):
    url = f"/api/v1/actions/{action.pk}/"
    response = api(url).patch(url, body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"metric;pes;value;note\nstarts;vdab;3;a\x00b\n",
            "Row 2, column note holds a NUL character (an invisible character that cannot be "
            "stored); delete it, or save the file again as .xlsx.",
        ),
        (
            "metric;pes;value\nstarts;vdab;3\n".encode("utf-16"),
            'The file is UTF-16; save it from Excel as "CSV UTF-8" or as .xlsx.',
        ),
    ],
    ids=["nul", "utf-16"],
)
def test_an_import_of_a_hostile_file_says_why_and_writes_nothing(action, data, message):
    result = import_figures(action=action, filename="figures.csv", data=data, dry_run=False)

    assert [str(problem) for problem in result.problems] == [message]
    assert not Figure.objects.exists()
